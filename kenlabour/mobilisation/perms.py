"""Who may do what in the mobilisation (django-rules; ask with accounts.perms.can)."""

import rules

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import holds, holds_anywhere, is_platform_admin


@rules.predicate
def coordinates_campaign(user, campaign) -> bool:
    """A mobilisation coordinator, platform-wide or of this campaign. Without a campaign:
    of at least one."""
    if not getattr(user, "is_authenticated", False):
        return False
    if campaign is None:
        return holds_anywhere(user, Role.CAMPAIGN_COORDINATOR)
    return holds(user, Role.CAMPAIGN_COORDINATOR) or holds(
        user, Role.CAMPAIGN_COORDINATOR, campaign
    )


@rules.predicate
def acts_for_producer(user, actor) -> bool:
    """The person behind a person's page, or an administrator of the organisation or
    collective: who may declare capacities, production and deliveries for it."""
    if actor is None or not getattr(user, "is_authenticated", False):
        return False
    if actor.user_id is not None and actor.user_id == user.pk:
        return True
    return holds(user, Role.ORGANISATION_ADMIN, actor)


rules.add_perm("mobilisation.coordinate", coordinates_campaign | is_platform_admin)
rules.add_perm("mobilisation.act_for_producer", acts_for_producer | is_platform_admin)
