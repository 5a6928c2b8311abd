from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenlabour.audit.enums import AuditAction


class AuditEvent(models.Model):
    """One sensitive action: who did it, to whom or what, when. Written by the service that
    does the action, in its transaction; deleted after AUDIT_RETENTION_DAYS (purge_audit)."""

    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("personne concernée"),
    )
    # The object acted on, as "app_label.model" and its primary key (kept as plain values:
    # the log outlives what it names).
    target_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    target_id = models.PositiveBigIntegerField(_("objet"), null=True, blank=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    # For logins: a hash of the browser and network address, never the address itself.
    device = models.CharField(_("appareil"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("événement du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["created_at"], name="audit_event_created"),
            models.Index(fields=["action", "created_at"], name="audit_event_action"),
            models.Index(fields=["actor", "created_at"], name="audit_event_actor"),
            models.Index(fields=["subject", "created_at"], name="audit_event_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"
