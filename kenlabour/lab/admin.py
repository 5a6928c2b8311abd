from django.contrib import admin

from kenlabour.lab.models import (
    Experiment,
    Hypothesis,
    Indicator,
    Lab,
    Measurement,
    Method,
    Public,
    Recommendation,
    Result,
    Series,
    Theme,
    Workshop,
)

for model in (Lab, Theme, Public, Method, Series):
    admin.site.register(model)


class HypothesisInline(admin.TabularInline):
    model = Hypothesis
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class ResultInline(admin.TabularInline):
    model = Result
    extra = 0


class RecommendationInline(admin.TabularInline):
    model = Recommendation
    extra = 0
    raw_id_fields = ("addressed_to",)


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("title", "lab", "phase", "published")
    list_filter = ("lab", "phase", "published")
    search_fields = ("title", "slug")
    raw_id_fields = ("partners", "partner_directorates", "communes", "team")
    inlines = [HypothesisInline, IndicatorInline, ResultInline, RecommendationInline]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ("indicator", "date", "value")


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("title", "lab", "starts_at", "capacity")
    list_filter = ("lab",)
    search_fields = ("title", "slug")
    raw_id_fields = ("commune", "experiment", "series", "facilitators")
