from django.contrib import admin

from kenlabour.mobilisation import models


class ItemTypeInline(admin.TabularInline):
    model = models.ItemType
    extra = 0


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "accepts_needs"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ItemTypeInline]


@admin.register(models.Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["requester_name", "item_type", "quantity", "commune", "deadline", "status"]
    list_filter = ["campaign", "status", "urgency", "item_type"]
    search_fields = ["requester_name", "contact_name", "contact_email"]
    raw_id_fields = ["commune", "requester", "validated_by"]


@admin.register(models.Capacity)
class CapacityAdmin(admin.ModelAdmin):
    list_display = ["producer", "item_type", "units_per_day", "stock", "max_km", "active"]
    list_filter = ["campaign", "item_type", "active"]
    raw_id_fields = ["producer", "declared_by"]


@admin.register(models.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["producer", "need", "planned_units", "declared_units", "confirmed_units"]
    list_filter = ["status"]
    raw_id_fields = ["need", "producer", "assignment", "declared_by"]


@admin.register(models.Production)
class ProductionAdmin(admin.ModelAdmin):
    list_display = ["producer", "item_type", "date", "units"]
    list_filter = ["campaign", "item_type"]
    raw_id_fields = ["producer", "declared_by"]


@admin.register(models.MaterialOffer)
class MaterialOfferAdmin(admin.ModelAdmin):
    list_display = ["actor", "direction", "material", "quantity", "unit", "status"]
    list_filter = ["campaign", "direction", "material", "status"]
    raw_id_fields = ["actor", "created_by"]
