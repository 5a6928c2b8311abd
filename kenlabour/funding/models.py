"""Redistribution of public money: envelopes, relays and their coverage, claims resting on
validated deliveries and receipts, reviews, transfers and an append-only ledger.

Money is always an integer number of cents.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenlabour.funding.bounds import (
    MAX_CENTS,
    MAX_DATE,
    MAX_RATE_CENTS,
    MIN_DATE,
    cents_in_range,
    date_in_range,
    rate_in_range,
)
from kenlabour.funding.enums import ClaimStatus, ExpenseKind, LedgerKind, ReasonCode, TransferKind
from kenlabour.mobilisation.models import Campaign, Delivery, ItemType
from kenlabour.network.models import Actor
from kenlabour.territories.models import Departement


class Envelope(models.Model):
    """A funder's subsidy for a campaign, and its rule."""

    funder = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="envelopes", verbose_name=_("financeur")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="envelopes", verbose_name=_("campagne")
    )
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("adresse de la page"), max_length=220, unique=True)
    total_cents = models.PositiveBigIntegerField(
        _("montant total (centimes)"), validators=[cents_in_range]
    )
    cap_cents = models.PositiveBigIntegerField(
        _("plafond par bénéficiaire (centimes)"),
        null=True,
        blank=True,
        validators=[cents_in_range],
    )
    opens_on = models.DateField(_("ouverture des demandes"), validators=[date_in_range])
    closes_on = models.DateField(_("clôture des demandes"), validators=[date_in_range])
    decision_reference = models.CharField(_("référence de la décision"), max_length=100)
    convention_date = models.DateField(_("date de la convention"), validators=[date_in_range])
    conflict_relay = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relais des demandes des relais"),
        help_text=_(
            "Le relais qui instruit et paie la demande d'un relais, ou de l'une de ses "
            "personnes, à la place de ce relais."
        ),
    )
    # Separation of duties, the funder's rule: above these amounts, a claim needs two
    # approvals by two different people, a payout a second person's confirmation.
    double_approval_above_cents = models.PositiveBigIntegerField(
        _("seconde validation au-delà de (centimes)"),
        null=True,
        blank=True,
        validators=[cents_in_range],
    )
    payout_confirmation_above_cents = models.PositiveBigIntegerField(
        _("confirmation du virement au-delà de (centimes)"),
        null=True,
        blank=True,
        validators=[cents_in_range],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    allocated_at = models.DateTimeField(_("répartition calculée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("enveloppe")
        verbose_name_plural = _("enveloppes")
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="funding_envelope_dates"
            ),
            models.CheckConstraint(
                condition=Q(total_cents__gt=0, total_cents__lte=MAX_CENTS),
                name="funding_envelope_total",
            ),
            models.CheckConstraint(
                condition=Q(cap_cents__isnull=True) | Q(cap_cents__lte=MAX_CENTS),
                name="funding_envelope_cap_range",
            ),
            models.CheckConstraint(
                condition=Q(double_approval_above_cents__isnull=True)
                | Q(double_approval_above_cents__lte=MAX_CENTS),
                name="funding_envelope_double_approval_range",
            ),
            models.CheckConstraint(
                condition=Q(payout_confirmation_above_cents__isnull=True)
                | Q(payout_confirmation_above_cents__lte=MAX_CENTS),
                name="funding_envelope_payout_confirmation_range",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__gte=MIN_DATE, opens_on__lte=MAX_DATE),
                name="funding_envelope_opens_on_range",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=MIN_DATE, closes_on__lte=MAX_DATE),
                name="funding_envelope_closes_on_range",
            ),
            models.CheckConstraint(
                condition=Q(convention_date__gte=MIN_DATE, convention_date__lte=MAX_DATE),
                name="funding_envelope_convention_date_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:envelope", kwargs={"slug": self.slug})


class Rate(models.Model):
    """Compensation per validated unit of an item type, for an envelope."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="rates")
    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="+")
    cents_per_unit = models.PositiveIntegerField(
        _("compensation par unité (centimes)"), validators=[rate_in_range]
    )

    class Meta:
        verbose_name = _("taux")
        verbose_name_plural = _("taux")
        constraints = [
            models.UniqueConstraint(fields=["envelope", "item_type"], name="funding_rate_unique"),
            models.CheckConstraint(
                condition=Q(cents_per_unit__lte=MAX_RATE_CENTS), name="funding_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_type}: {self.cents_per_unit}"


class Coverage(models.Model):
    """A relay (fiscal host) covers a département from a date, until a date or for good.
    Reconfiguring is adding rows; nothing is overwritten, so history is kept."""

    relay = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="coverages", verbose_name=_("relais")
    )
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", verbose_name=_("département")
    )
    valid_from = models.DateField(_("à partir du"), validators=[date_in_range])
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True, validators=[date_in_range])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("territoire couvert par un relais")
        verbose_name_plural = _("territoires couverts par les relais")
        ordering = ["departement", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="funding_coverage_dates",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__gte=MIN_DATE, valid_from__lte=MAX_DATE),
                name="funding_coverage_valid_from_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__lte=MAX_DATE),
                name="funding_coverage_valid_until_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relay} — {self.departement_id}"


class Claim(models.Model):
    """A producer's request for compensation from an envelope."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="claims", verbose_name=_("bénéficiaire")
    )
    relay = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_relayed",
        verbose_name=_("relais"),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    units_cents = models.PositiveBigIntegerField(_("compensation des unités (centimes)"), default=0)
    expenses_cents = models.PositiveBigIntegerField(_("dépenses validées (centimes)"), default=0)
    allocated_cents = models.PositiveBigIntegerField(
        _("part attribuée (centimes)"), null=True, blank=True
    )
    note = models.TextField(_("précisions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_on = models.DateField(_("déposée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de compensation")
        verbose_name_plural = _("demandes de compensation")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["envelope", "status"], name="funding_claim_status"),
            models.Index(fields=["relay", "status"], name="funding_claim_relay"),
        ]

    def __str__(self) -> str:
        return f"{self.claimant} — {self.envelope}"

    def get_absolute_url(self) -> str:
        return reverse("funding:claim", kwargs={"pk": self.pk})

    @property
    def asked_cents(self) -> int:
        return self.units_cents + self.expenses_cents


class ClaimLine(models.Model):
    """A confirmed delivery a claim rests on. A delivery is claimed once among live claims
    (`live` is cleared when the claim is rejected or cancelled)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="claim_lines")
    units = models.PositiveIntegerField(_("unités"))
    cents_per_unit = models.PositiveIntegerField(_("taux (centimes)"))
    live = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("livraison déclarée")
        verbose_name_plural = _("livraisons déclarées")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery"], condition=Q(live=True), name="funding_delivery_claimed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.units}"

    @property
    def amount_cents(self) -> int:
        return self.units * self.cents_per_unit


def receipt_path(instance, filename: str) -> str:
    return f"justificatifs/{instance.claim_id}/{filename}"


class Expense(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="expenses")
    kind = models.CharField(_("nature"), max_length=16, choices=ExpenseKind.choices)
    label = models.CharField(_("libellé"), max_length=200)
    amount_cents = models.PositiveBigIntegerField(
        _("montant (centimes)"), validators=[cents_in_range]
    )
    receipt = models.FileField(_("justificatif"), upload_to=receipt_path)
    receipt_kind = models.CharField(_("type de justificatif"), max_length=40, editable=False)
    spent_on = models.DateField(_("date de la dépense"), validators=[date_in_range])
    issuer = models.CharField(
        _("émetteur du justificatif"),
        max_length=200,
        blank=True,
        help_text=_("Le fournisseur ou le magasin qui a émis la facture ou le ticket."),
    )
    # The receipt's SHA-256: the same file on two claims is flagged to the reviewer.
    receipt_sha256 = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    validated = models.BooleanField(_("validée par le relais"), default=False)

    class Meta:
        verbose_name = _("dépense")
        verbose_name_plural = _("dépenses")
        ordering = ["spent_on", "pk"]
        indexes = [models.Index(fields=["amount_cents", "spent_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0, amount_cents__lte=MAX_CENTS),
                name="funding_expense_amount",
            ),
            models.CheckConstraint(
                condition=Q(spent_on__gte=MIN_DATE, spent_on__lte=MAX_DATE),
                name="funding_expense_spent_on_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Transition(models.Model):
    """Every change of a claim's status, dated, with who made it and why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ClaimStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("motif"), blank=True)
    # A reason the platform wrote: a code put into words when shown (`reason_text`), with
    # its values (a bank reference, a date) in `reason_data`.
    reason_code = models.CharField(max_length=20, choices=ReasonCode.choices, blank=True)
    reason_data = models.JSONField(default=dict, blank=True)
    # Which sign-in session made it: a digest of the session key, never the key itself.
    session = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("étape d'une demande")
        verbose_name_plural = _("étapes des demandes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_status} → {self.to_status}"

    def reason_text(self) -> str:
        """The reason in the active language: a person's words as typed, the platform's
        put into words now (with dates in the reader's format)."""
        from django.utils.dateparse import parse_date
        from django.utils.formats import date_format
        from django.utils.translation import gettext

        if self.reason_code == ReasonCode.PAYOUT:
            day = parse_date(self.reason_data.get("date") or "")
            return gettext("Virement %(reference)s du %(date)s") % {
                "reference": self.reason_data.get("reference", ""),
                "date": date_format(day, "DATE_FORMAT") if day else "?",
            }
        if self.reason_code:
            return str(ReasonCode(self.reason_code).label)
        return self.reason


class Transfer(models.Model):
    """Money that moved: funder → relay, or relay → claimant. `key` makes paying idempotent:
    the same payment twice is the same row."""

    kind = models.CharField(_("type"), max_length=20, choices=TransferKind.choices)
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="transfers")
    relay = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(
        Claim, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    amount_cents = models.PositiveBigIntegerField(
        _("montant (centimes)"), validators=[cents_in_range]
    )
    date = models.DateField(_("date"), validators=[date_in_range])
    bank_reference = models.CharField(_("référence bancaire"), max_length=100)
    key = models.CharField(max_length=120, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Which sign-in session recorded it (a digest of the session key); above the envelope's
    # threshold, who confirmed it (never the person who recorded it), from which session.
    session = models.CharField(max_length=16, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmé par"),
    )
    confirmed_session = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("virement")
        verbose_name_plural = _("virements")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0, amount_cents__lte=MAX_CENTS),
                name="funding_transfer_amount",
            ),
            models.CheckConstraint(
                condition=Q(date__gte=MIN_DATE, date__lte=MAX_DATE),
                name="funding_transfer_date_range",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("created_by")),
                name="funding_transfer_confirmed_by_another",
            ),
            models.CheckConstraint(
                condition=Q(kind=TransferKind.FUNDER_TO_RELAY, claim__isnull=True)
                | Q(kind=TransferKind.RELAY_TO_CLAIMANT, claim__isnull=False),
                name="funding_transfer_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount_cents}"


class LedgerEntry(models.Model):
    """Append-only: each entry is chained to the previous one by a SHA-256 hash of all its
    columns but its id (kenlabour.funding.ledger_chain). A correction is a new entry, never
    an edit. `recorded_at` is set by the service before hashing (it is hashed)."""

    position = models.PositiveBigIntegerField(unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=LedgerKind.choices)
    payload = models.JSONField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("écriture du registre")
        verbose_name_plural = _("registre")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Le registre ne se modifie pas : ajoutez une correction."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Le registre ne se modifie pas : ajoutez une correction."))
