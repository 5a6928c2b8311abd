"""`{% load privacy_rights %}{% personal_data_rights %}`: the account page's part about the
person's data (download, correction, consent, erasure) and, for platform admins, the
audit log."""

from django import template

from kenlabour.accounts.perms import can
from kenlabour.privacy import selectors
from kenlabour.privacy.forms import ExportForm

register = template.Library()


@register.inclusion_tag("privacy/_account_rights.html", takes_context=True)
def personal_data_rights(context):
    user = context["user"]
    return {
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "export_form": context.get("export_form") or ExportForm(),
        "person": selectors.person_actor(user),
        "may_read_audit": can(user, "audit.view_log"),
        "platform_contact_email": context.get("platform_contact_email", ""),
    }
