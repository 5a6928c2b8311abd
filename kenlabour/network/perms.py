"""Who may do what in the network (django-rules predicates; ask with accounts.perms.can)."""

import rules

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import holds, holds_anywhere, is_platform_admin


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


is_staff_of_network = is_facilitator | is_platform_admin

rules.add_perm("network.register_actor", rules.is_authenticated)
rules.add_perm("network.moderate", is_staff_of_network)
rules.add_perm("network.import_actors", is_staff_of_network)
rules.add_perm("network.see_private", is_staff_of_network)
rules.add_perm("network.edit_actor", administers_actor | is_staff_of_network)
rules.add_perm("network.declare_partnership", administers_actor | is_staff_of_network)
