"""The mobilisation's e-mails, each with a plain-text and an HTML part.

Services call the functions below; each queues a task (`tasks.send_email`) that renders the
e-mail when it runs, from the records as they are then, so that a delayed worker never
announces a stale status. Links are absolute, from the `site_url` the service was given.

- To a need's requester (its contact address), with the need's secret link: the need was
  received, verified, cancelled; a producer declared a delivery (to confirm on the link).
- To the producer (the person behind a person's page, the administrators of an
  organisation or collective, else its public address): the recipient confirmed a
  delivery, or received fewer units than declared (a dispute).
- To the campaign's coordinators: a dispute to look into.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.mobilisation.models import Campaign, Delivery, Need
from kenlabour.mobilisation.selectors.needs import producer_label
from kenlabour.network.models import Actor
from kenlabour.web.emails import Email, render

NEED_KINDS = {"need_submitted", "need_validated", "need_cancelled"}
DELIVERY_KINDS = {"delivery_declared", "delivery_confirmed", "delivery_disputed"}


# --- what services call -------------------------------------------------------------------


def _queue(kind: str, pk: int, site_url: str) -> None:
    from kenlabour.mobilisation.tasks import send_email

    send_email.enqueue(kind, pk, site_url)


def need_submitted(need: Need, site_url: str) -> None:
    _queue("need_submitted", need.pk, site_url)


def need_validated(need: Need, site_url: str) -> None:
    _queue("need_validated", need.pk, site_url)


def need_cancelled(need: Need, site_url: str) -> None:
    _queue("need_cancelled", need.pk, site_url)


def delivery_declared(delivery: Delivery, site_url: str) -> None:
    _queue("delivery_declared", delivery.pk, site_url)


def delivery_received(delivery: Delivery, site_url: str) -> None:
    """Confirmed in full, or disputed (fewer units than declared)."""
    kind = "delivery_disputed" if delivery.confirmed_units < delivery.declared_units else ""
    _queue(kind or "delivery_confirmed", delivery.pk, site_url)


# --- recipients ---------------------------------------------------------------------------


def producer_addresses(actor: Actor) -> list[str]:
    """Who hears about a producer's deliveries: the person behind a person's page and the
    administrators of an organisation or collective; its public address when none."""
    users = User.objects.filter(is_active=True).filter(
        Q(pk=actor.user_id)
        | Q(
            pk__in=RoleAssignment.objects.filter(
                role=Role.ORGANISATION_ADMIN,
                scope_type=ContentType.objects.get_for_model(Actor),
                scope_id=actor.pk,
            ).values("user_id")
        )
    )
    addresses = sorted({user.email for user in users if user.email})
    if not addresses and actor.email:
        addresses = [actor.email]
    return addresses


def coordinator_addresses(campaign: Campaign) -> list[str]:
    """The campaign's coordinators, platform-wide or of this campaign."""
    roles = RoleAssignment.objects.filter(role=Role.CAMPAIGN_COORDINATOR).filter(
        Q(scope_type__isnull=True)
        | Q(scope_type=ContentType.objects.get_for_model(Campaign), scope_id=campaign.pk)
    )
    users = User.objects.filter(is_active=True, pk__in=roles.values("user_id"))
    return sorted({user.email for user in users if user.email})


# --- rendering (the task calls `emails`) ----------------------------------------------------


def _render(template: str, context: dict, to: list[str]) -> Email:
    return render(f"mobilisation/emails/{template}", context, to)


def emails(kind: str, pk: int, site_url: str) -> list[Email]:
    """The e-mails of one event, rendered from the records as they are now (none when the
    record is gone or nobody is to be told)."""
    if kind not in NEED_KINDS | DELIVERY_KINDS:
        raise ValueError(f"Unknown mobilisation e-mail: {kind}")
    site_url = site_url.rstrip("/")
    base = {"site_url": site_url, "platform_name": settings.PLATFORM_NAME, "kind": kind}
    with translation.override(settings.LANGUAGE_CODE):
        if kind in NEED_KINDS:
            need = (
                Need.objects.select_related("campaign", "item_type", "commune")
                .filter(pk=pk)
                .first()
            )
            if need is None:
                return []
            context = {**base, "need": need, "follow_url": site_url + need.get_follow_url()}
            return [_render("need", context, [need.contact_email])]
        delivery = (
            Delivery.objects.select_related(
                "need__campaign", "need__item_type", "need__commune", "producer"
            )
            .filter(pk=pk)
            .first()
        )
        if delivery is None:
            return []
        need = delivery.need
        context = {
            **base,
            "delivery": delivery,
            "need": need,
            "follow_url": site_url + need.get_follow_url(),
            "producer_url": site_url
            + reverse("mobilisation:producer", kwargs={"slug": need.campaign.slug}),
            "discrepancies_url": site_url
            + reverse("mobilisation:discrepancies", kwargs={"slug": need.campaign.slug}),
            "missing": (delivery.declared_units or 0) - (delivery.confirmed_units or 0),
            # As the requester's page names it: a person whose page is private stays anonymous.
            "producer_label": producer_label(delivery.producer),
        }
        if kind == "delivery_declared":
            return [_render("delivery_declared", context, [need.contact_email])]
        out = []
        producer = producer_addresses(delivery.producer)
        if producer:
            out.append(_render(kind, {**context, "audience": "producer"}, producer))
        if kind == "delivery_disputed":
            coordinators = coordinator_addresses(need.campaign)
            if coordinators:
                out.append(_render(kind, {**context, "audience": "coordinators"}, coordinators))
        return out


def send(kind: str, pk: int, site_url: str) -> int:
    """Render and send the e-mails of one event; how many were sent."""
    sent = emails(kind, pk, site_url)
    for email in sent:
        email.message().send()
    return len(sent)
