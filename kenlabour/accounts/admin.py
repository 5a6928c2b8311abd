"""The admin of accounts. Whatever it changes in roles or in an account's platform-wide flags
goes to the audit log (accounts.services.record_admin_*), as the services' changes do."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from kenlabour.accounts import services
from kenlabour.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ("role", "scope_type", "scope_id")


def _saved_roles(request, formset) -> None:
    """Audit the role rows an inline formset is about to save (before its save, so that a
    changed row's old values are still read from the database)."""
    for form in formset.forms:
        if not form.has_changed() or not form.is_valid():
            continue
        row = form.instance
        if form in formset.deleted_forms:
            if row.pk:
                services.record_admin_role(request.user, row, granted=False)
        elif row.pk:
            before = RoleAssignment.objects.get(pk=row.pk)
            services.record_admin_role_change(request.user, before, row)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "display_name")
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [RoleAssignmentInline]

    def save_model(self, request, obj, form, change):
        before = User.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        services.record_admin_flags(request.user, before, obj)

    def save_formset(self, request, form, formset, change):
        _saved_roles(request, formset)
        new = [f for f in formset.forms if f.has_changed() and not f.instance.pk]
        super().save_formset(request, form, formset, change)
        for f in new:
            if f.instance.pk and f not in formset.deleted_forms:
                services.record_admin_role(request.user, f.instance, granted=True)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope_type", "scope_id", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        before = RoleAssignment.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            services.record_admin_role(request.user, obj, granted=True)
        else:
            services.record_admin_role_change(request.user, before, obj)

    def delete_model(self, request, obj):
        services.record_admin_role(request.user, obj, granted=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for row in queryset.select_related("user"):
            services.record_admin_role(request.user, row, granted=False)
        super().delete_queryset(request, queryset)


@admin.register(WebAuthnCredential)
class SecurityKeyAdmin(WebAuthnCredentialAdmin):
    """Security keys and passkeys, to look at: a key is added by its owner in the browser
    and removed from their account page; none is made or changed here."""

    def has_change_permission(self, request, obj=None):
        return False
