"""Who may do what in the network (django-rules predicates; ask with accounts.perms.can).

Facilitators moderate the directory and edit its pages, within bounds: a facilitator scoped
to one lab (role LAB_FACILITATOR on that lab) edits and moderates the actors of the lab's
territory only (its `region_name`, a région or a département, matched by name against the
actor's département, its région, or for an actor without a place its area of action); a
platform-wide facilitator, every actor. No facilitator edits or moderates the actors that
hold public money, relays and funders (`is_money_actor`): only their own administrators
and the platform's administrators do.
"""

import rules
from django.apps import apps

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import holds, holds_anywhere, is_platform_admin, roles_of

_TERRITORIES_ATTR = "_kenlabour_lab_territories"


@rules.predicate
def is_facilitator(user) -> bool:
    """Lab facilitators moderate the directory and see people who did not consent."""
    return holds_anywhere(user, Role.LAB_FACILITATOR)


@rules.predicate
def administers_actor(user, actor) -> bool:
    """An organisation's or collective's admins, or the person themselves."""
    if actor is None or not getattr(user, "is_authenticated", False):
        return False
    return actor.user_id == user.pk or holds(user, Role.ORGANISATION_ADMIN, actor)


def facilitated_territories(user) -> set[str] | None:
    """The territories (lower-case names) of the labs `user` facilitates, read once per
    user object; None for a platform-wide facilitator (every territory)."""
    cached = getattr(user, _TERRITORIES_ATTR, False)
    if cached is not False:
        return cached
    scopes = [scope for role, _type, scope in roles_of(user) if role == Role.LAB_FACILITATOR.value]
    if any(scope is None for scope in scopes):
        territories = None
    else:
        lab = apps.get_model("lab", "Lab")
        names = lab.objects.filter(pk__in=scopes).values_list("region_name", flat=True)
        territories = {name.strip().lower() for name in names if name.strip()}
    setattr(user, _TERRITORIES_ATTR, territories)
    return territories


def actor_territories(actor) -> set[str]:
    """The names (lower-case) of the département and région of an actor, or of those of
    its area of action when it has no place."""
    from kenlabour.territories.models import Departement

    if actor.departement_id:
        departements = Departement.objects.filter(pk=actor.departement_id)
    elif actor.pk:
        departements = actor.area_departements.all()
    else:
        return set()
    names = departements.select_related("region").values_list("name", "region__name")
    return {name.lower() for pair in names for name in pair if name}


@rules.predicate
def facilitates_for(user, actor) -> bool:
    """A facilitator of a lab whose territory holds the actor (any, platform-wide)."""
    if actor is None or not holds_anywhere(user, Role.LAB_FACILITATOR):
        return False
    territories = facilitated_territories(user)
    return territories is None or bool(territories & actor_territories(actor))


def is_money_actor(actor) -> bool:
    """A relay or a funder: someone holds a money role on it (treasurer, funder), or it
    covers a territory as a relay, or funds an envelope. One query, once per actor object."""
    if actor is None or actor.pk is None:
        return False
    cached = getattr(actor, "_is_money_actor", None)
    if cached is None:
        from kenlabour.network.models import Actor
        from kenlabour.network.selectors.actors import money_actor_ids

        cached = Actor.objects.filter(pk=actor.pk, pk__in=money_actor_ids()).exists()
        actor._is_money_actor = cached
    return cached


@rules.predicate
def is_not_money_actor(_user, actor) -> bool:
    return not is_money_actor(actor)


is_staff_of_network = is_facilitator | is_platform_admin
# Publishing, refusing, editing an actor as a facilitator: within the lab's territory, and
# never a relay or a funder.
moderates_actor = is_platform_admin | (facilitates_for & is_not_money_actor)

rules.add_perm("network.register_actor", rules.is_authenticated)
rules.add_perm("network.moderate", is_staff_of_network)
rules.add_perm("network.import_actors", is_staff_of_network)
rules.add_perm("network.see_private", is_staff_of_network)
rules.add_perm("network.moderate_actor", moderates_actor)
rules.add_perm("network.edit_actor", administers_actor | moderates_actor)
rules.add_perm("network.declare_partnership", administers_actor | is_staff_of_network)


# --- introductions (mises en relation) ---------------------------------------------------


@rules.predicate
def may_be_asked(user, actor) -> bool:
    """An actor a signed-in person may ask for an introduction: published and public, open
    to requests, and not the person's own (nobody asks to meet themselves)."""
    return (
        actor is not None
        and getattr(user, "is_authenticated", False)
        and actor.is_public
        and actor.accepts_introductions
        and not administers_actor(user, actor)
    )


@rules.predicate
def answers_introduction(user, introduction) -> bool:
    """The people of the actor asked: the person themselves, or the organisation's admins;
    through an intermediary, once it has presented the requester."""
    return (
        introduction is not None
        and (introduction.via_id is None or introduction.introduced_at is not None)
        and administers_actor(user, introduction.target)
    )


@rules.predicate
def presents_introduction(user, introduction) -> bool:
    """The people of the intermediary a request goes through."""
    return (
        introduction is not None
        and introduction.via_id is not None
        and administers_actor(user, introduction.via)
    )


@rules.predicate
def sent_introduction(user, introduction) -> bool:
    return introduction is not None and introduction.requester_id == getattr(user, "pk", None)


rules.add_perm("network.request_introduction", may_be_asked)
rules.add_perm("network.answer_introduction", answers_introduction)
rules.add_perm("network.present_introduction", presents_introduction)
rules.add_perm(
    "network.see_introduction", sent_introduction | answers_introduction | presents_introduction
)
rules.add_perm("network.block_requesters", administers_actor)
