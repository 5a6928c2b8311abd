"""Background tasks of the funding app (Django's tasks framework, django-tasks backport).

The e-mail telling a claimant the relay's decision is rendered when the task runs, from the
claim as it is then (its last transition gives the reason). Services enqueue it once the
decision is committed.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django_tasks import task

# The relay's decisions a claimant is told about.
CLAIM_EMAIL_KINDS = {"approve", "reject", "changes"}


@task()
def send_claim_email(claim_id: int, kind: str, site_url: str) -> None:
    from kenlabour.funding.models import Claim
    from kenlabour.funding.selectors.claims import actor_emails

    if kind not in CLAIM_EMAIL_KINDS:
        raise ValueError(f"Unknown claim e-mail: {kind}")
    claim = (
        Claim.objects.select_related("envelope", "claimant__user", "relay")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        return
    recipients = actor_emails(claim.claimant)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "claim": claim,
            "kind": kind,
            "transition": claim.transitions.order_by("-at", "-pk").first(),
            "site_url": site_url.rstrip("/"),
            "platform_name": settings.PLATFORM_NAME,
        }
        subject = "".join(
            loader.render_to_string("funding/emails/claim_subject.txt", context).splitlines()
        )
        body = loader.render_to_string("funding/emails/claim.txt", context)
    EmailMultiAlternatives(subject, body, None, recipients).send()
