"""Who may do what in the lab (django-rules predicates; ask with accounts.perms.can)."""

import rules

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import holds, holds_anywhere, is_platform_admin

# --- workshops, registration, attendance, series, methods, calendars (workshops helper)


@rules.predicate
def is_any_facilitator(user) -> bool:
    """A lab facilitator, platform-wide or of at least one lab."""
    return holds_anywhere(user, Role.LAB_FACILITATOR)


def facilitates_lab(user, lab) -> bool:
    """A facilitator of this lab: platform-wide or scoped to it."""
    if lab is None or not getattr(user, "is_authenticated", False):
        return False
    return holds(user, Role.LAB_FACILITATOR) or holds(user, Role.LAB_FACILITATOR, lab)


@rules.predicate
def may_create_workshop_in(user, lab) -> bool:
    """Without a lab: whether the user facilitates any; with one: that lab."""
    if lab is None:
        return holds_anywhere(user, Role.LAB_FACILITATOR)
    return facilitates_lab(user, lab)


@rules.predicate
def facilitates_workshop(user, workshop) -> bool:
    """The workshop's lab facilitators, and the facilitators named on the workshop."""
    if workshop is None or not getattr(user, "is_authenticated", False):
        return False
    if facilitates_lab(user, workshop.lab):
        return True
    cache = getattr(workshop, "_prefetched_objects_cache", {})
    if "facilitators" in cache:
        return any(person.pk == user.pk for person in cache["facilitators"])
    return workshop.facilitators.filter(pk=user.pk).exists()


rules.add_perm("lab.create_workshop", may_create_workshop_in | is_platform_admin)
rules.add_perm("lab.edit_workshop", facilitates_workshop | is_platform_admin)
rules.add_perm("lab.take_attendance", facilitates_workshop | is_platform_admin)
rules.add_perm("lab.see_unpublished_workshops", is_any_facilitator | is_platform_admin)

# --- experiments and interconnections (experiments helper)


def _on_team(user, experiment) -> bool:
    cache = getattr(experiment, "_prefetched_objects_cache", {})
    if "team" in cache:
        return any(member.pk == user.pk for member in cache["team"])
    return experiment.team.filter(pk=user.pk).exists()


@rules.predicate
def facilitates_experiment(user, experiment) -> bool:
    """A facilitator of the experiment's lab (platform-wide or of that lab)."""
    return experiment is not None and facilitates_lab(user, experiment.lab)


@rules.predicate
def works_on_experiment(user, experiment) -> bool:
    """The experiment's team and its lab's facilitators: they see its private notes and,
    before it is published, the experiment itself."""
    if experiment is None or not getattr(user, "is_authenticated", False):
        return False
    return facilitates_lab(user, experiment.lab) or _on_team(user, experiment)


@rules.predicate
def experiment_is_published(user, experiment) -> bool:
    return experiment is not None and experiment.published


rules.add_perm("lab.create_experiment", may_create_workshop_in | is_platform_admin)
rules.add_perm("lab.edit_experiment", facilitates_experiment | is_platform_admin)
rules.add_perm(
    "lab.see_experiment", experiment_is_published | works_on_experiment | is_platform_admin
)
rules.add_perm("lab.see_private_notes", works_on_experiment | is_platform_admin)
rules.add_perm("lab.decide_interconnection", facilitates_experiment | is_platform_admin)
