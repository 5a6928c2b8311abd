"""Who may do what with public money (django-rules; ask with accounts.perms.can)."""

import rules

from kenlabour.accounts.enums import Role
from kenlabour.accounts.perms import holds, is_platform_admin
from kenlabour.mobilisation.perms import acts_for_producer


@rules.predicate
def is_funder_of(user, funder) -> bool:
    """A funder's people (role FUNDER on the funder actor) or a platform-wide funder: who
    manages the funder's envelopes. Without an actor: a funder anywhere."""
    if not getattr(user, "is_authenticated", False):
        return False
    if funder is None:
        from kenlabour.accounts.perms import holds_anywhere

        return holds_anywhere(user, Role.FUNDER)
    return holds(user, Role.FUNDER) or holds(user, Role.FUNDER, funder)


@rules.predicate
def belongs_to_funder(user, funder) -> bool:
    """Who opens an envelope in a funder's name: only its own people (role FUNDER on that
    very actor), never a platform-wide role. Without an actor: the person of some funder."""
    if not getattr(user, "is_authenticated", False):
        return False
    if funder is None:
        from kenlabour.funding.selectors.money import funders_for

        return funders_for(user).exists()
    return holds(user, Role.FUNDER, funder)


@rules.predicate
def treasurer_of_claims_relay(user, claim) -> bool:
    """Only the treasurer of the relay the claim went to reviews and pays it."""
    return claim is not None and claim.relay_id is not None and holds_treasurer(user, claim.relay)


@rules.predicate
def relay_is_claimants_own(user, claim) -> bool:
    """The claim's relay is the claimant itself or one of its people: it never reviews
    nor pays that claim (the claim goes to the envelope's other relay when filed)."""
    from kenlabour.funding.selectors.claims import is_conflicted

    if claim is None or claim.relay_id is None:
        return False
    key = (claim.relay_id, claim.claimant_id)
    cached = getattr(claim, "_conflict", None)
    if cached is None or cached[0] != key:  # read once per claim object and relay
        cached = (key, is_conflicted(claim.relay, claim.claimant))
        claim._conflict = cached
    return cached[1]


@rules.predicate
def submitted_it(user, claim) -> bool:
    """The person who filed or submitted the claim (whatever their roles)."""
    from kenlabour.funding.selectors.claims import duties

    return claim is not None and duties(claim).submitted_by(user)


@rules.predicate
def gave_first_approval(user, claim) -> bool:
    """The person whose first approval the claim waits a second one for."""
    from kenlabour.funding.selectors.claims import duties

    return claim is not None and duties(claim).first_approver_is(user)


@rules.predicate
def reviewed_it(user, claim) -> bool:
    """Who approved the claim, first or second: they never pay it."""
    from kenlabour.funding.selectors.claims import duties

    return claim is not None and duties(claim).approved_by(user)


@rules.predicate
def recorded_its_payout(user, claim) -> bool:
    """Who recorded the payout the claim waits a second person's confirmation for."""
    from kenlabour.funding.selectors.claims import duties

    return claim is not None and duties(claim).payout_recorder_is(user)


def holds_treasurer(user, relay) -> bool:
    return getattr(user, "is_authenticated", False) and holds(user, Role.RELAY_TREASURER, relay)


@rules.predicate
def treasurer_of_relay(user, relay) -> bool:
    return relay is not None and holds_treasurer(user, relay)


@rules.predicate
def claims_for(user, claim) -> bool:
    """The claimant's own people: the person, or an admin of the organisation/collective."""
    return claim is not None and acts_for_producer(user, claim.claimant)


@rules.predicate
def funds_envelope(user, envelope) -> bool:
    """The envelope's funder: its people, or a platform-wide funder."""
    return envelope is not None and is_funder_of(user, envelope.funder)


# Ask with `strictly`: nobody, not even a superuser, publishes in a funder's name without
# belonging to it.
rules.add_perm("funding.create_envelope", belongs_to_funder)
# Money actions ask for the role on the object: a platform administrator, superuser or not,
# neither allocates, nor records transfers, nor changes an envelope (ask with `strictly`).
rules.add_perm("funding.manage_envelope", funds_envelope)
# Separation of duties (ask these with `strictly`, so that no account, not even a
# superuser, is above them): only the treasurer of the claim's relay reviews and pays it,
# never for a claim they file for or submitted, nor a relay its own claim; two approvals
# come from two people; who approved never pays; who recorded a payout never confirms it.
_treasurer_of_others = (
    treasurer_of_claims_relay & ~claims_for & ~relay_is_claimants_own & ~submitted_it
)
rules.add_perm("funding.review_claim", _treasurer_of_others & ~gave_first_approval)
rules.add_perm("funding.pay_claim", _treasurer_of_others & ~reviewed_it)
# Confirming checks the transfer another made: an approver may do it, not its recorder.
rules.add_perm("funding.confirm_payout", _treasurer_of_others & ~recorded_its_payout)
rules.add_perm("funding.see_relay", treasurer_of_relay | is_platform_admin)
rules.add_perm("funding.see_claim", claims_for | treasurer_of_claims_relay | is_platform_admin)
rules.add_perm("funding.edit_claim", claims_for)
rules.add_perm("funding.claim_for", acts_for_producer)
rules.add_perm("funding.configure_coverage", is_platform_admin)
