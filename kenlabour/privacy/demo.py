"""Demo data of a person's rights: the member's account is a person of the directory, with a
public page she consented to (so the account page shows how to withdraw it)."""

from django.db import transaction

from kenlabour.accounts.models import User
from kenlabour.network.enums import ActorKind, ModerationStatus
from kenlabour.network.models import Actor
from kenlabour.network.services import actors as actor_services
from kenlabour.territories.models import Commune

MEMBER_EMAIL = "membre@kenlabour.example"
PERSON_SLUG = "anne-le-goff"
RENNES = "35238"


@transaction.atomic
def build(log) -> None:
    user = User.objects.filter(email=MEMBER_EMAIL).first()
    commune = Commune.objects.filter(code=RENNES).first()
    if user is None or commune is None:
        log("Données personnelles : compte de démonstration ou commune absents, rien à faire")
        return
    actor = (
        Actor.objects.filter(user=user).first() or Actor.objects.filter(slug=PERSON_SLUG).first()
    )
    if actor is None:
        actor = Actor(kind=ActorKind.PERSON, slug=PERSON_SLUG)
    actor.kind = ActorKind.PERSON
    actor.name = user.display_name or "Anne Le Goff"
    actor.user = user
    actor.commune = commune
    actor.public_consent = True
    actor.status = ModerationStatus.PUBLISHED
    actor.skills = "Couture, animation d'ateliers de réparation"
    actor_services.place_actor(actor)
    actor.save()
    actor_services.refresh_search_text(actor)
    log(f"Données personnelles : {actor.name} a une fiche publique dans l'annuaire")
