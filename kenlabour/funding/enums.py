from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    CHANGES_REQUESTED = "changes_requested", _("Modifications demandées")
    RESUBMITTED = "resubmitted", _("Déposée à nouveau")
    # Above the envelope's threshold, a first approval waits for a second person's.
    FIRST_APPROVED = "first_approved", _("En attente d'une seconde validation")
    APPROVED = "approved", _("Approuvée")
    SCHEDULED = "scheduled", _("Paiement programmé")
    # Above the envelope's threshold, a recorded payout waits for a second person's.
    PAYOUT_RECORDED = "payout_recorded", _("Virement en attente de confirmation")
    PAID = "paid", _("Payée")
    REJECTED = "rejected", _("Refusée")
    CANCELLED = "cancelled", _("Annulée")

    @classmethod
    def to_review(cls) -> set[str]:
        return {cls.SUBMITTED, cls.RESUBMITTED, cls.FIRST_APPROVED}

    @classmethod
    def granted(cls) -> tuple[str, ...]:
        """Claims whose share a round fixed: never lowered, never recomputed."""
        return (cls.SCHEDULED, cls.PAYOUT_RECORDED, cls.PAID)

    @classmethod
    def live(cls) -> set[str]:
        """Claims that hold their deliveries: a delivery is claimed once among these."""
        return {
            cls.DRAFT,
            cls.SUBMITTED,
            cls.CHANGES_REQUESTED,
            cls.RESUBMITTED,
            cls.FIRST_APPROVED,
            cls.APPROVED,
            cls.SCHEDULED,
            cls.PAYOUT_RECORDED,
            cls.PAID,
        }


# Which transitions exist, and who makes them: the claimant or the relay's treasurer.
CLAIMANT_TRANSITIONS = {
    (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED),
    (ClaimStatus.CHANGES_REQUESTED, ClaimStatus.RESUBMITTED),
    (ClaimStatus.DRAFT, ClaimStatus.CANCELLED),
    (ClaimStatus.SUBMITTED, ClaimStatus.CANCELLED),
    (ClaimStatus.CHANGES_REQUESTED, ClaimStatus.CANCELLED),
    (ClaimStatus.RESUBMITTED, ClaimStatus.CANCELLED),
    (ClaimStatus.FIRST_APPROVED, ClaimStatus.CANCELLED),
}
TREASURER_TRANSITIONS = {
    (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED),
    (ClaimStatus.RESUBMITTED, ClaimStatus.APPROVED),
    (ClaimStatus.SUBMITTED, ClaimStatus.REJECTED),
    (ClaimStatus.RESUBMITTED, ClaimStatus.REJECTED),
    (ClaimStatus.SUBMITTED, ClaimStatus.CHANGES_REQUESTED),
    (ClaimStatus.RESUBMITTED, ClaimStatus.CHANGES_REQUESTED),
    (ClaimStatus.SUBMITTED, ClaimStatus.FIRST_APPROVED),
    (ClaimStatus.RESUBMITTED, ClaimStatus.FIRST_APPROVED),
    (ClaimStatus.FIRST_APPROVED, ClaimStatus.APPROVED),
    (ClaimStatus.FIRST_APPROVED, ClaimStatus.REJECTED),
    (ClaimStatus.FIRST_APPROVED, ClaimStatus.CHANGES_REQUESTED),
    (ClaimStatus.APPROVED, ClaimStatus.SCHEDULED),  # by the allocation
    (ClaimStatus.SCHEDULED, ClaimStatus.PAID),
    (ClaimStatus.SCHEDULED, ClaimStatus.PAYOUT_RECORDED),
    (ClaimStatus.PAYOUT_RECORDED, ClaimStatus.PAID),
    (ClaimStatus.PAYOUT_RECORDED, ClaimStatus.SCHEDULED),  # the second person refuses it
}


class ReasonCode(models.TextChoices):
    """Reasons the platform writes itself: stored as codes, put into words (in the reader's
    language) when shown. A person's reason stays in `Transition.reason`, as typed."""

    ALLOCATION = "allocation", _("Répartition de l'enveloppe")
    PAYOUT = "payout", _("Virement")
    CONFLICT = (
        "conflict",
        _("Demande d'un relais ou de l'une de ses personnes : instruite par un autre relais"),
    )


class ExpenseKind(models.TextChoices):
    MATERIAL = "material", _("Matière (filament, tissu, élastique…)")
    EQUIPMENT = "equipment", _("Petit équipement, pièces")
    SHIPPING = "shipping", _("Envoi, transport")
    OTHER = "other", _("Autre")


class TransferKind(models.TextChoices):
    FUNDER_TO_RELAY = "funder_to_relay", _("Du financeur au relais")
    RELAY_TO_CLAIMANT = "relay_to_claimant", _("Du relais au bénéficiaire")


class LedgerKind(models.TextChoices):
    ENVELOPE_OPENED = "envelope_opened", _("Enveloppe ouverte")
    FIRST_APPROVAL = "first_approval", _("Première validation d'une demande")
    CLAIM_APPROVED = "claim_approved", _("Demande approuvée")
    ALLOCATION = "allocation", _("Part attribuée")
    TRANSFER = "transfer", _("Virement")
    CORRECTION = "correction", _("Correction")
