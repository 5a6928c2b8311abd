"""Introductions (mises en relation): requests, presentations through an intermediary,
answers, reports and blocks."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenlabour.accounts.models import User
from kenlabour.accounts.perms import strictly
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction
from kenlabour.network.enums import (
    IntroductionStatus,
    LinkSourceKind,
)
from kenlabour.network.models import (
    Actor,
    Introduction,
    IntroductionBlock,
)
from kenlabour.network.services.graph import record_cooperation

# A person sends at most this many requests in 24 hours; a request waits this long.
INTRODUCTIONS_PER_DAY = 5


INTRODUCTION_LIFETIME = datetime.timedelta(days=30)


class IntroductionRefused(Exception):
    """A request the rules refuse, with the French sentence that says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _locked_introduction(introduction: Introduction) -> Introduction:
    return (
        Introduction.objects.select_for_update(of=("self",))
        .select_related("requester", "requester_actor", "target", "via")
        .get(pk=introduction.pk)
    )


@transaction.atomic
def request_introduction(
    user,
    target: Actor,
    *,
    requester_actor: Actor,
    message: str,
    contact: str,
    resource_kind: str = "",
    via: Actor | None = None,
    site_url: str,
) -> Introduction:
    """A signed-in person asks to be put in touch with an actor, on behalf of one of their
    pages, directly or through the person who knows both (`via`). The actor's people (or
    the intermediary's) are told by e-mail; nobody's address is shown before acceptance."""
    from kenlabour.network import notifications
    from kenlabour.network.selectors import introductions as selectors

    if not strictly(user, "network.request_introduction", target):
        raise PermissionDenied("Cet acteur ne reçoit pas de demande de mise en relation.")
    if requester_actor.pk not in {actor.pk for actor in selectors.requester_actors(user)}:
        raise PermissionDenied("On demande une mise en relation au nom de ses propres pages.")
    if requester_actor.pk == target.pk:
        raise IntroductionRefused(_("Une page ne demande pas à se rencontrer elle-même."))
    now = timezone.now()
    # One request at a time from a person: the count below holds under concurrency.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if selectors.is_blocked(target, user):
        raise IntroductionRefused(
            _("%(name)s ne reçoit plus vos demandes de mise en relation.") % {"name": target.name}
        )
    if not selectors.has_responders(target):
        raise IntroductionRefused(
            _(
                "Personne ne répond encore pour %(name)s sur la plateforme : l'équipe du "
                "laboratoire peut vous aider à le joindre."
            )
            % {"name": target.name}
        )
    if selectors.open_request(user, target, now) is not None:
        raise IntroductionRefused(
            _("Votre demande à %(name)s attend encore sa réponse.") % {"name": target.name}
        )
    if selectors.sent_since(user, now - datetime.timedelta(days=1)) >= INTRODUCTIONS_PER_DAY:
        raise IntroductionRefused(
            _(
                "Vous avez envoyé %(count)s demandes de mise en relation en 24 heures, le "
                "maximum : réessayez demain."
            )
            % {"count": INTRODUCTIONS_PER_DAY}
        )
    if via is not None:
        middle = selectors.intermediary(requester_actor, target)
        if middle is None or middle.actor.pk != via.pk:
            raise IntroductionRefused(
                _("Cette personne ne vous relie pas à %(name)s.") % {"name": target.name}
            )
        if selectors.is_blocked(via, user):
            raise IntroductionRefused(
                _("%(name)s ne reçoit plus vos demandes de mise en relation.")
                % {"name": middle.label}
            )
    introduction = Introduction.objects.create(
        requester=user,
        requester_actor=requester_actor,
        target=target,
        via=via,
        resource_kind=resource_kind,
        message=message.strip(),
        requester_contact=contact.strip(),
        status=(
            IntroductionStatus.AWAITING_INTERMEDIARY
            if via is not None
            else IntroductionStatus.PENDING
        ),
        expires_at=now + INTRODUCTION_LIFETIME,
    )
    notifications.introduction_requested(introduction, site_url)
    return introduction


def _open_or_refuse(introduction: Introduction, status: str) -> None:
    if introduction.state(timezone.now()) != status:
        raise IntroductionRefused(
            _("Cette demande n'attend plus de réponse (%(state)s).")
            % {"state": introduction.state_label(timezone.now()).lower()}
        )


@transaction.atomic
def present_introduction(user, introduction: Introduction, *, site_url: str) -> Introduction:
    """The intermediary agrees to present the requester: the actor asked now receives the
    request ("X vous présente Y"), with a new month to answer."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    if not strictly(user, "network.present_introduction", introduction):
        raise PermissionDenied("Seule la personne sollicitée présente le demandeur.")
    _open_or_refuse(introduction, IntroductionStatus.AWAITING_INTERMEDIARY)
    now = timezone.now()
    introduction.status = IntroductionStatus.PENDING
    introduction.introduced_at = now
    introduction.expires_at = now + INTRODUCTION_LIFETIME
    introduction.save(update_fields=["status", "introduced_at", "expires_at"])
    notifications.introduction_requested(introduction, site_url)
    return introduction


@transaction.atomic
def accept_introduction(
    user, introduction: Introduction, *, contact: str, site_url: str
) -> Introduction:
    """The actor's people accept: each side now sees the contact details the other chose
    to give, and the acquaintance graph gets the link (the one door, record_cooperation)."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    if not strictly(user, "network.answer_introduction", introduction):
        raise PermissionDenied("Seules les personnes de cet acteur répondent à sa place.")
    _open_or_refuse(introduction, IntroductionStatus.PENDING)
    if not contact.strip():
        raise IntroductionRefused(_("Indiquez les coordonnées à transmettre."))
    now = timezone.now()
    introduction.status = IntroductionStatus.ACCEPTED
    introduction.answer_contact = contact.strip()
    introduction.answered_by = user
    introduction.answered_at = now
    introduction.save(update_fields=["status", "answer_contact", "answered_by", "answered_at"])
    record_cooperation(
        [introduction.requester_actor_id, introduction.target_id],
        kind=LinkSourceKind.INTRODUCTION,
        reference=f"introduction-{introduction.pk}",
        date=timezone.localdate(now),
        label=_("Mise en relation : %(requester)s et %(target)s")
        % {"requester": introduction.requester_actor.name, "target": introduction.target.name},
    )
    notifications.introduction_answered(introduction, site_url)
    return introduction


def _block(user, actor: Actor, requester) -> None:
    IntroductionBlock.objects.get_or_create(
        actor=actor, user=requester, defaults={"blocked_by": user}
    )


def _answering_actor(user, introduction: Introduction) -> tuple[Actor, str]:
    """Whose answer this is: the actor asked, or the intermediary (then the open status
    it answers is the one awaiting the intermediary)."""
    if strictly(user, "network.answer_introduction", introduction):
        return introduction.target, IntroductionStatus.PENDING
    if strictly(user, "network.present_introduction", introduction):
        return introduction.via, IntroductionStatus.AWAITING_INTERMEDIARY
    raise PermissionDenied("Seules les personnes sollicitées répondent à cette demande.")


@transaction.atomic
def decline_introduction(
    user, introduction: Introduction, *, message: str = "", block: bool = False, site_url: str
) -> Introduction:
    """The actor asked, or the intermediary, declines, with an optional word to the
    requester; it may also stop receiving this person's requests."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    actor, status = _answering_actor(user, introduction)
    _open_or_refuse(introduction, status)
    introduction.status = IntroductionStatus.DECLINED
    introduction.answer_message = message.strip()
    introduction.answered_by = user
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["status", "answer_message", "answered_by", "answered_at"])
    if block:
        _block(user, actor, introduction.requester)
    notifications.introduction_answered(introduction, site_url)
    return introduction


@transaction.atomic
def report_introduction(
    user, introduction: Introduction, *, reason: str, site_url: str
) -> Introduction:
    """A request that is abuse (insult, canvassing, harassment): it is closed without a
    word to the requester, their requests to this actor are blocked, and the lab's
    facilitators are told, with the reason, to look at the account."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    actor, status = _answering_actor(user, introduction)
    _open_or_refuse(introduction, status)
    introduction.status = IntroductionStatus.REPORTED
    introduction.answer_message = reason.strip()
    introduction.answered_by = user
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["status", "answer_message", "answered_by", "answered_at"])
    _block(user, actor, introduction.requester)
    audit.record(
        AuditAction.INTRODUCTION_REPORTED,
        actor=user,
        subject=introduction.requester,
        target=introduction,
        summary=_("Demande de mise en relation signalée"),
    )
    notifications.introduction_reported(introduction, site_url)
    return introduction


@transaction.atomic
def lift_block(user, block: IntroductionBlock) -> None:
    """The actor's people receive this person's requests again."""
    if not strictly(user, "network.block_requesters", block.actor):
        raise PermissionDenied("Seules les personnes de cet acteur lèvent ses blocages.")
    block.delete()
