"""The network's e-mails: introductions (mises en relation), each with a plain-text and an
HTML part.

Services call the functions below once their transaction is committed; each queues a task
(`tasks.send_email`) that renders the e-mail when it runs, from the records as they are
then. No e-mail shows anybody's address: the requester's and the actor's contact details
travel only in the e-mail that announces an acceptance, to the requester, and on the
request's page to the two sides.

- To the people of the actor asked (or of the intermediary first): a request to answer.
- To the requester: the answer (accepted, with the contact details given; declined, with
  the optional word).
- To the lab's facilitators: a request reported as abuse.
"""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.network.enums import IntroductionStatus
from kenlabour.network.models import Introduction
from kenlabour.network.selectors.introductions import responders
from kenlabour.web.emails import Email, render

KINDS = {"introduction_requested", "introduction_answered", "introduction_reported"}


# --- what services call -------------------------------------------------------------------


def _queue(kind: str, pk: int, site_url: str) -> None:
    from kenlabour.network.tasks import send_email

    send_email.enqueue(kind, pk, site_url)


def introduction_requested(introduction: Introduction, site_url: str) -> None:
    """To the intermediary's people while the request waits for them, else the actor's."""
    _queue("introduction_requested", introduction.pk, site_url)


def introduction_answered(introduction: Introduction, site_url: str) -> None:
    _queue("introduction_answered", introduction.pk, site_url)


def introduction_reported(introduction: Introduction, site_url: str) -> None:
    _queue("introduction_reported", introduction.pk, site_url)


# --- recipients ---------------------------------------------------------------------------


def _addresses(users) -> list[str]:
    return sorted({user.email for user in users if user.email})


def facilitator_addresses() -> list[str]:
    """The lab's facilitators (platform-wide) and the platform's administrators."""
    roles = RoleAssignment.objects.filter(
        Q(role=Role.LAB_FACILITATOR) | Q(role=Role.PLATFORM_ADMIN), scope_type__isnull=True
    )
    return _addresses(User.objects.filter(is_active=True, pk__in=roles.values("user_id")))


# --- rendering (the task calls `emails`) ----------------------------------------------------


def _render(template: str, context: dict, to: list[str]) -> Email:
    return render(f"network/emails/{template}", context, to)


def emails(kind: str, pk: int, site_url: str) -> list[Email]:
    """The e-mails of one event, rendered from the records as they are now (none when the
    request is gone, or has moved on since, or nobody is to be told)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown network e-mail: {kind}")
    introduction = (
        Introduction.objects.select_related("requester", "requester_actor", "target", "via")
        .filter(pk=pk)
        .first()
    )
    if introduction is None:
        return []
    site_url = site_url.rstrip("/")
    context = {
        "site_url": site_url,
        "platform_name": settings.PLATFORM_NAME,
        "introduction": introduction,
        "page_url": site_url + introduction.get_absolute_url(),
        "inbox_url": site_url + reverse("network:introductions"),
    }
    status = introduction.status
    with translation.override(settings.LANGUAGE_CODE):
        if kind == "introduction_requested":
            if status == IntroductionStatus.AWAITING_INTERMEDIARY:
                to = _addresses(responders(introduction.via))
                return [_render("introduction_to_present", context, to)] if to else []
            if status != IntroductionStatus.PENDING:
                return []
            to = _addresses(responders(introduction.target))
            return [_render("introduction_requested", context, to)] if to else []
        if kind == "introduction_answered":
            if status not in (IntroductionStatus.ACCEPTED, IntroductionStatus.DECLINED):
                return []
            to = _addresses([introduction.requester])
            return [_render("introduction_answered", context, to)] if to else []
        if status != IntroductionStatus.REPORTED:
            return []
        to = facilitator_addresses()
        return [_render("introduction_reported", context, to)] if to else []


def send(kind: str, pk: int, site_url: str) -> int:
    """Render and send the e-mails of one event; how many were sent."""
    sent = emails(kind, pk, site_url)
    for email in sent:
        email.message().send()
    return len(sent)
