"""Introductions (mises en relation) of the present, between the demo accounts' pages, so
that each side of each state can be seen and answered:

- Anne Le Goff (membre@) asks the LabFab de Rennes (orga@) about its laser cutter: waiting
  for orga@'s answer.
- The LabFab de Rennes asked the Fablab de Redon (fabricante@), which accepted: both see the
  other's contact details, and the link is in the graph.
- Anne asks the LabFab de Rennes to present her to the Fablab de Redon (it knows both):
  waiting for orga@ as the intermediary.
- The LabFab de Rennes asked Anne for sewing help; she declined with a word, and blocked
  further requests from orga@ (her requests page offers to lift it).

Runs after the funding demo (which makes fabricante@ the Fablab de Redon's administrator).
Idempotent: each request is found again by its two sides and set back to its state.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from kenlabour.accounts.models import User
from kenlabour.network.enums import IntroductionStatus, LinkSourceKind, ResourceKind
from kenlabour.network.models import Actor, Introduction, IntroductionBlock
from kenlabour.network.services import graph as graph_services
from kenlabour.network.services import introductions as introduction_services

MEMBER_EMAIL = "membre@kenlabour.example"
ORGA_EMAIL = "orga@kenlabour.example"
MAKER_EMAIL = "fabricante@kenlabour.example"
LABFAB_SLUG = "labfab-rennes"
REDON_SLUG = "fablab-35236"


def _introduction(requester, requester_actor, target, *, days_ago, **fields) -> Introduction:
    now = timezone.now()
    created = now - datetime.timedelta(days=days_ago)
    values = {
        "status": IntroductionStatus.PENDING,
        "via": None,
        "introduced_at": None,
        "answer_contact": "",
        "answer_message": "",
        "answered_by": None,
        "answered_at": None,
        "expires_at": created + introduction_services.INTRODUCTION_LIFETIME,
        **fields,
    }
    introduction, _created = Introduction.objects.update_or_create(
        requester=requester, requester_actor=requester_actor, target=target, defaults=values
    )
    # The date it was sent, as if it had been days ago (auto_now_add sets today).
    Introduction.objects.filter(pk=introduction.pk).update(created_at=created)
    return introduction


@transaction.atomic
def build(log) -> None:
    users = {
        user.email: user
        for user in User.objects.filter(email__in=[MEMBER_EMAIL, ORGA_EMAIL, MAKER_EMAIL])
    }
    anne = Actor.objects.filter(user=users.get(MEMBER_EMAIL)).first()
    labfab = Actor.objects.filter(slug=LABFAB_SLUG).first()
    redon = Actor.objects.filter(slug=REDON_SLUG).first()
    member, orga, maker = (users.get(e) for e in (MEMBER_EMAIL, ORGA_EMAIL, MAKER_EMAIL))
    if None in (anne, labfab, redon, member, orga, maker):
        return
    now = timezone.now()
    _introduction(
        member,
        anne,
        labfab,
        days_ago=2,
        resource_kind=ResourceKind.LASER_CUTTER,
        message=(
            "Bonjour, je couds des surblouses pour l'EHPAD de Cesson et je voudrais découper "
            "des gabarits au laser. Pourrais-je venir un mardi soir ?"
        ),
        requester_contact="anne.legoff@exemple.bzh — 06 11 22 33 44",
    )
    accepted = _introduction(
        orga,
        labfab,
        redon,
        days_ago=12,
        resource_kind=ResourceKind.PRINTER_3D,
        message=(
            "Nous cherchons un second site pour imprimer les serre-têtes des visières dans "
            "le pays de Redon. Pouvons-nous en parler ?"
        ),
        requester_contact="contact@labfab-rennes.example — 02 99 00 00 01",
        status=IntroductionStatus.ACCEPTED,
        answer_contact="bonjour@fablab-redon.example — 02 99 00 00 02",
        answered_by=maker,
        answered_at=now - datetime.timedelta(days=11),
    )
    graph_services.record_cooperation(
        [labfab.pk, redon.pk],
        kind=LinkSourceKind.INTRODUCTION,
        reference=f"introduction-{accepted.pk}",
        date=timezone.localdate(accepted.answered_at),
        label=f"Mise en relation : {labfab.name} et {redon.name}",
    )
    _introduction(
        member,
        anne,
        redon,
        days_ago=1,
        via=labfab,
        status=IntroductionStatus.AWAITING_INTERMEDIARY,
        message=(
            "Le LabFab me dit que vous avez une brodeuse : je voudrais broder le logo de "
            "l'association sur les masques. Pourriez-vous m'accueillir ?"
        ),
        requester_contact="anne.legoff@exemple.bzh",
    )
    _introduction(
        orga,
        labfab,
        anne,
        days_ago=20,
        resource_kind=ResourceKind.SEWING,
        message="Pourriez-vous animer un atelier couture au LabFab un samedi de juin ?",
        requester_contact="contact@labfab-rennes.example",
        status=IntroductionStatus.DECLINED,
        answer_message="Merci, mais je ne suis pas disponible avant la rentrée.",
        answered_by=member,
        answered_at=now - datetime.timedelta(days=19),
    )
    IntroductionBlock.objects.get_or_create(actor=anne, user=orga, defaults={"blocked_by": member})
    log(f"Mises en relation : {Introduction.objects.count()}")
