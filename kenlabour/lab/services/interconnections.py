"""Interconnections: a facilitator accepts or dismisses a suggested link between two
experiments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.lab.enums import LinkStatus
from kenlabour.lab.models import Interconnection
from kenlabour.lab.selectors.interconnections import pair_reason
from kenlabour.network.enums import LinkSourceKind
from kenlabour.network.services.graph import record_cooperation


def _partners_of(*experiments) -> set[int]:
    ids: set[int] = set()
    for experiment in experiments:
        ids.update(experiment.partners.values_list("pk", flat=True))
        ids.update(experiment.partner_directorates.values_list("organisation_id", flat=True))
    return ids


@transaction.atomic
def decide_interconnection(user, experiment, other, *, accept: bool, reasons: str = ""):
    """A facilitator of `experiment`'s lab accepts or dismisses the suggested link to
    `other`. Accepted, the link shows on both pages and the partners of both experiments
    enter the acquaintance graph. A decided link is not decided again."""
    if not can(user, "lab.decide_interconnection", experiment):
        raise PermissionDenied(
            _("Seuls les animateurs du laboratoire acceptent ou écartent ces liens.")
        )
    if experiment.pk == other.pk:
        raise ValidationError(_("Une expérimentation ne peut pas être liée à elle-même."))
    a, b = sorted((experiment, other), key=lambda e: e.pk)
    link, _created = Interconnection.objects.select_for_update().get_or_create(
        experiment_a=a, experiment_b=b
    )
    if link.status != LinkStatus.SUGGESTED:
        raise ValidationError(
            _("Ce lien a déjà été %(status)s.") % {"status": link.get_status_display().lower()}
        )
    link.status = LinkStatus.ACCEPTED if accept else LinkStatus.DISMISSED
    if not reasons:
        reasons = pair_reason(experiment, other)
    link.reasons = reasons[:2000]
    link.decided_by = user
    link.decided_at = timezone.now()
    link.save()
    if accept:
        record_cooperation(
            _partners_of(a, b),
            kind=LinkSourceKind.EXPERIMENT,
            reference=f"interconnexion-{a.pk}-{b.pk}",
            date=timezone.localdate(),
            label=f"{a.title} ↔ {b.title}",
        )
    return link
