"""The funding app's e-mails, each with a plain-text and an HTML part.

Services call `claim_changed(claim, kind, site_url)` inside their transaction: the e-mail
is queued once the change is committed (never for a change rolled back) and rendered when
the background task runs, from the claim as it is then.

- ``submitted`` (and ``resubmitted``): to the treasurers of the relay that reviews it;
- ``second_approval``, ``payout_recorded``: to the same treasurers, when a first approval
  or a recorded payout waits for another person's (the envelope's separation of duties);
- ``approve``, ``reject``, ``changes``: to the claimant's people, with the reason;
  the approval says what is left to share in the envelope, and never promises a payment
  the envelope can no longer make;
- ``paid``: to the claimant's people, with the amount, date and bank reference.
"""

from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.utils import translation

# Who reads each e-mail: the relay's treasurers, or the claimant's people.
TO_REVIEWERS = {"submitted", "resubmitted", "second_approval", "payout_recorded"}
TO_CLAIMANT = {"approve", "reject", "changes", "paid"}
KINDS = TO_REVIEWERS | TO_CLAIMANT


def claim_changed(claim, kind: str, site_url: str) -> None:
    """Queue the e-mail about `claim` once the current transaction commits."""
    from kenlabour.funding.tasks import send_claim_email

    if kind not in KINDS:
        raise ValueError(f"Unknown claim e-mail: {kind}")
    transaction.on_commit(partial(send_claim_email.enqueue, claim.pk, kind, site_url))


def reviewer_emails(relay) -> list[str]:
    """The active treasurers of a relay."""
    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import User
    from kenlabour.network.models import Actor

    if relay is None:
        return []
    users = User.objects.filter(
        role_assignments__role=Role.RELAY_TREASURER,
        role_assignments__scope_type=ContentType.objects.get_for_model(Actor),
        role_assignments__scope_id=relay.pk,
        is_active=True,
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def render(claim, kind: str, site_url: str) -> tuple[str, str, str]:
    """(subject, text, html) of the e-mail `kind` about `claim`, in the platform's
    language. The text part is rendered without HTML escaping."""
    from kenlabour.funding.selectors.money import payout_of
    from kenlabour.funding.services.money import remaining_cents

    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "claim": claim,
            "kind": kind,
            "transition": claim.transitions.order_by("-at", "-pk").first(),
            "site_url": site_url.rstrip("/"),
            "platform_name": settings.PLATFORM_NAME,
            "remaining_cents": remaining_cents(claim.envelope) if kind == "approve" else None,
            "payout": payout_of(claim) if kind == "paid" else None,
        }
        subject = "".join(
            loader.render_to_string("funding/emails/claim_subject.txt", context).splitlines()
        )
        context["subject"] = subject  # escaped in the HTML part's title
        text = loader.render_to_string("funding/emails/claim.txt", context)
        html = loader.render_to_string("funding/emails/claim.html", context)
    return subject, text, html


def send(claim_id: int, kind: str, site_url: str) -> int:
    """Render and send the e-mail (the background task's work): how many were sent."""
    from kenlabour.funding.models import Claim
    from kenlabour.funding.selectors.claims import actor_emails

    if kind not in KINDS:
        raise ValueError(f"Unknown claim e-mail: {kind}")
    claim = (
        Claim.objects.select_related("envelope", "claimant__user", "relay")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        return 0
    recipients = (
        reviewer_emails(claim.relay) if kind in TO_REVIEWERS else actor_emails(claim.claimant)
    )
    if not recipients:
        return 0
    subject, text, html = render(claim, kind, site_url)
    message = EmailMultiAlternatives(subject, text, None, recipients)
    message.attach_alternative(html, "text/html")
    return message.send()
