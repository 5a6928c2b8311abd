from django.contrib import admin

from kenlabour.funding import models


class RateInline(admin.TabularInline):
    model = models.Rate
    extra = 0


@admin.register(models.Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    list_display = ["name", "funder", "campaign", "total_cents", "opens_on", "closes_on"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["funder", "created_by"]
    inlines = [RateInline]


@admin.register(models.Coverage)
class CoverageAdmin(admin.ModelAdmin):
    list_display = ["relay", "departement", "valid_from", "valid_until"]
    list_filter = ["departement"]
    raw_id_fields = ["relay", "created_by"]


@admin.register(models.Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["claimant", "envelope", "relay", "status", "allocated_cents"]
    list_filter = ["envelope", "status", "relay"]
    raw_id_fields = ["claimant", "relay", "created_by"]


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only."""

    list_display = ["position", "kind", "recorded_at", "hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
