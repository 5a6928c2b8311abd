from django.contrib import admin

from kenlabour.territories.models import Commune, CommunePostcode, Departement, Epci, Region


class ReadOnlyAdmin(admin.ModelAdmin):
    """The gazetteer comes from public sources (see docs/territories.md): it is consulted
    here, and changed only by regenerating the files and `manage.py load_territories`."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "chef_lieu"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region", "chef_lieu"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["code", "name"]


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class CommunePostcodeInline(admin.TabularInline):
    model = CommunePostcode
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "code",
        "departement",
        "population",
        "latitude",
        "longitude",
        "coordinates_source",
    ]
    list_filter = ["kind", "coordinates_source", "region"]
    list_select_related = ["departement"]
    search_fields = ["code", "name", "search_name", "postcodes__postcode"]
    show_full_result_count = False
    inlines = [CommunePostcodeInline]
