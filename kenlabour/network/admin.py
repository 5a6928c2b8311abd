from django.contrib import admin

from kenlabour.network.models import (
    Actor,
    Directorate,
    Link,
    LinkSource,
    Membership,
    Profile,
    Resource,
)


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0


class DirectorateInline(admin.TabularInline):
    model = Directorate
    extra = 0


class ProfileInline(admin.TabularInline):
    model = Profile
    fk_name = "person"
    extra = 0
    raw_id_fields = ("organisation", "directorate")


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organisation_kind", "commune", "status", "public_consent")
    list_filter = ("kind", "organisation_kind", "status", "place_less")
    search_fields = ("name", "slug", "siret")
    raw_id_fields = ("commune", "user", "area_communes", "area_epcis", "area_departements")
    inlines = [ResourceInline, DirectorateInline, ProfileInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "group", "role", "since")
    raw_id_fields = ("person", "group")
    search_fields = ("person__name", "group__name")


class LinkSourceInline(admin.TabularInline):
    model = LinkSource
    extra = 0


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("actor_a", "actor_b")
    raw_id_fields = ("actor_a", "actor_b")
    inlines = [LinkSourceInline]
