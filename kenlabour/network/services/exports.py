"""The audit trail of the directory's exports by signed-in people."""

from django.utils.translation import gettext as _

from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction


def record_directory_export(user, file_format: str, filters: str) -> None:
    """A signed-in person exported the directory (which holds people's names, places and
    e-mails, as far as their roles let them read): kept in the audit log with the format and
    the filters. An anonymous export holds only what is public, and is not kept."""
    if not getattr(user, "is_authenticated", False):
        return
    summary = _("Annuaire des acteurs (%(format)s)") % {"format": file_format.upper()}
    if filters:
        summary += " — " + filters
    audit.record(AuditAction.PERSONAL_DATA_EXPORTED, actor=user, summary=summary)
