"""What erasure does to each kind of row that points at a person (pure: model labels and
field names only).

Erasure keeps what must stay for accounts and the ledger, made anonymous, and deletes the
rest. The keys are those of `selectors.references()`: "app_label.model.field". A test walks
every model and fails when a reference has no rule here, so a new model holding personal
data cannot be forgotten.

- KEEP: the row stays and points at the anonymised account or actor. Money (claims,
  transfers, coverages: the ledger names them by number), the records the impact and
  mobilisation figures are computed from, and the acts done in a role (a review, a
  validation) stay true without saying who the person was.
- DELETE: the rows are deleted.
- SCRUB: the row stays, its copies of the person's name and contact are replaced.
- ANONYMISE: the person's own actor: name, contact, presentation and page are emptied.
- LOGINS: audit events stay, but the person's login events (device hashes) are deleted.
"""

KEEP = "keep"
DELETE = "delete"
SCRUB = "scrub"
ANONYMISE = "anonymise"
LOGINS = "logins"

ANONYMOUS_NAME = "Personne anonyme"
ANONYMOUS_EMAIL = "anonyme@anonyme.invalid"

# SCRUB rules: the fields replaced and their new value.
SCRUBBED = {
    "lab.attendance.person": {"name": ANONYMOUS_NAME},
    "lab.attendance.registration__user": {"name": ANONYMOUS_NAME},
    "mobilisation.need.requester": {
        "contact_name": ANONYMOUS_NAME,
        "contact_email": ANONYMOUS_EMAIL,
        "contact_phone": "",
    },
}

ERASURE = {
    "accounts.roleassignment.user": DELETE,
    # Sign-in records and second-factor devices: the person's own, deleted with the account.
    "accounts.signinsession.user": DELETE,
    "otp_totp.totpdevice.user": DELETE,
    "otp_static.staticdevice.user": DELETE,
    # Security keys and passkeys (their attestations go with them), and the random handle
    # the keys know the account by.
    "django_otp_webauthn.webauthncredential.user": DELETE,
    "django_otp_webauthn.webauthnuserhandle.user": DELETE,
    "admin.logentry.user": KEEP,
    "audit.auditevent.actor": KEEP,
    "audit.auditevent.subject": LOGINS,
    "funding.claim.claimant": KEEP,
    "funding.claim.created_by": KEEP,
    "funding.claim.relay": KEEP,
    "funding.coverage.created_by": KEEP,
    "funding.coverage.relay": KEEP,
    "funding.envelope.conflict_relay": KEEP,
    "funding.envelope.created_by": KEEP,
    "funding.envelope.funder": KEEP,
    "funding.transfer.created_by": KEEP,
    "funding.transfer.confirmed_by": KEEP,
    "funding.transfer.relay": KEEP,
    "funding.transition.by": KEEP,
    "lab.attendance.organisation": KEEP,
    "lab.attendance.person": SCRUB,
    "lab.attendance.registration__user": SCRUB,
    "lab.experiment.partners": KEEP,
    "lab.experiment.team": KEEP,
    "lab.interconnection.decided_by": KEEP,
    "lab.lab.organisation": KEEP,
    "lab.phasechange.by": KEEP,
    "lab.recommendation.addressed_to": KEEP,
    "lab.registration.user": DELETE,
    "lab.workshop.facilitators": KEEP,
    "mobilisation.assignment.producer": KEEP,
    "mobilisation.capacity.declared_by": KEEP,
    "mobilisation.capacity.producer": KEEP,
    "mobilisation.delivery.declared_by": KEEP,
    "mobilisation.delivery.producer": KEEP,
    "mobilisation.matchingrun.created_by": KEEP,
    "mobilisation.matchingrun.decided_by": KEEP,
    "mobilisation.materialoffer.actor": DELETE,
    "mobilisation.materialoffer.created_by": KEEP,
    "mobilisation.need.requester": SCRUB,
    "mobilisation.need.validated_by": KEEP,
    "mobilisation.production.declared_by": KEEP,
    "mobilisation.production.producer": KEEP,
    "network.actor.created_by": KEEP,
    "network.actor.user": ANONYMISE,
    "network.directorate.organisation": KEEP,
    # An import under way (its file holds other people's names and addresses) and the
    # columns a person chose for their files: theirs, deleted with the account.
    "network.importmapping.user": DELETE,
    "network.pendingimport.user": DELETE,
    # Introductions: a person's requests (their message and contact details), those sent to
    # their page, and their blocks go with them; an answer given or a presentation made for
    # an organisation stays, from the anonymised account.
    "network.introduction.requester": DELETE,
    "network.introduction.requester_actor": DELETE,
    "network.introduction.target": DELETE,
    "network.introduction.via": KEEP,
    "network.introduction.answered_by": KEEP,
    "network.introductionblock.user": DELETE,
    "network.introductionblock.actor": DELETE,
    "network.introductionblock.blocked_by": KEEP,
    "network.link.actor_a": DELETE,
    "network.link.actor_b": DELETE,
    "network.membership.group": KEEP,
    "network.membership.person": DELETE,
    "network.profile.organisation": KEEP,
    "network.profile.person": DELETE,
    "network.resource.actor": DELETE,
}
