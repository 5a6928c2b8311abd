"""Crisis mobilisation: campaigns and their item types, needs of carers' organisations,
producers' capacities, matching runs, deliveries, production and materials.

Figures are never stored: the dashboard recomputes them from these records (selectors).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kenlabour.mobilisation import bounds
from kenlabour.mobilisation.bounds import day_within, moment_within, within
from kenlabour.mobilisation.enums import (
    DeliveryStatus,
    ItemKind,
    MaterialDirection,
    MaterialKind,
    MaterialStatus,
    NeedStatus,
    RequesterKind,
    RunStatus,
    Urgency,
)
from kenlabour.network.models import Actor
from kenlabour.territories.models import Commune, Departement, Epci


def new_token() -> str:
    return secrets.token_urlsafe(24)


DATE_MESSAGE = _("Une date de la mobilisation est entre 2000 et 2099.")


def _day(field: str, name: str, *, nullable: bool = False) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=day_within(field, nullable=nullable),
        name=name,
        violation_error_message=DATE_MESSAGE,
    )


def _moment(field: str, name: str, *, nullable: bool = False) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=moment_within(field, nullable=nullable),
        name=name,
        violation_error_message=DATE_MESSAGE,
    )


class Campaign(models.Model):
    """A mobilisation, e.g. "COVID-19, printemps 2020"."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("adresse de la page"), max_length=220, unique=True)
    description = models.TextField(_("présentation"), blank=True)
    starts_on = models.DateField(_("début"), validators=[bounds.day_in_bounds])
    ends_on = models.DateField(_("fin"), null=True, blank=True, validators=[bounds.day_in_bounds])
    accepts_needs = models.BooleanField(
        _("reçoit des besoins"),
        default=True,
        help_text=_("Le formulaire public de besoin n'est ouvert que pendant la mobilisation."),
    )

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="mobilisation_campaign_dates",
                violation_error_message=_("La fin de la mobilisation est avant son début."),
            ),
            _day("starts_on", "mobilisation_campaign_starts_on_bounds"),
            _day("ends_on", "mobilisation_campaign_ends_on_bounds", nullable=True),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mobilisation:campaign", kwargs={"slug": self.slug})


class ItemType(models.Model):
    """What is produced: a face shield of an approved model, a fabric mask of a category…"""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="item_types")
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type"), max_length=16, choices=ItemKind.choices)
    approved_model = models.CharField(
        _("modèle validé"), max_length=200, blank=True, help_text=_("Par exemple : Prusa RC3.")
    )
    model_version = models.CharField(_("version du modèle"), max_length=40, blank=True)
    standard_category = models.CharField(
        _("catégorie normative"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : masque grand public catégorie 1 (AFNOR SPEC S76-001)."),
    )
    unit_cost_cents = models.PositiveIntegerField(
        _("coût unitaire de référence (centimes)"),
        help_text=_("Sert au calcul des compensations par le financement."),
        validators=bounds.UNIT_COST,
    )
    position = models.PositiveSmallIntegerField(default=0, validators=bounds.POSITION)

    class Meta:
        verbose_name = _("type d'article")
        verbose_name_plural = _("types d'articles")
        ordering = ["campaign", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="mobilisation_item_unique"),
            models.CheckConstraint(
                condition=within("unit_cost_cents", bounds.UNIT_COST),
                name="mobilisation_item_unit_cost_bounds",
                violation_error_message=_(
                    "Le coût unitaire de référence est entre 0 et 10 000 000 centimes."
                ),
            ),
            models.CheckConstraint(
                condition=within("position", bounds.POSITION),
                name="mobilisation_item_position_bounds",
                violation_error_message=_("La position d'un article est entre 0 et 1000."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Need(models.Model):
    """A request from a carers' organisation, verified by a coordinator before it counts."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="needs")
    item_type = models.ForeignKey(
        ItemType, on_delete=models.PROTECT, related_name="needs", verbose_name=_("article")
    )
    quantity = models.PositiveIntegerField(_("quantité"), validators=bounds.NEED_QUANTITY)
    requester_name = models.CharField(_("établissement"), max_length=200)
    requester_kind = models.CharField(
        _("type d'établissement"), max_length=24, choices=RequesterKind.choices
    )
    requester = models.ForeignKey(
        Actor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("acteur du réseau"),
    )
    contact_name = models.CharField(_("personne à contacter"), max_length=200)
    contact_email = models.EmailField(_("adresse e-mail"))
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("commune de livraison")
    )
    address = models.CharField(_("adresse de livraison"), max_length=250, blank=True)
    # Copied from the commune by the services, so that territory figures use indexes.
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", editable=False
    )
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    deadline = models.DateField(_("date limite"), validators=[bounds.day_in_bounds])
    urgency = models.PositiveSmallIntegerField(
        _("urgence"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    note = models.TextField(_("précisions"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.SUBMITTED
    )
    status_note = models.TextField(_("motif"), blank=True)
    token = models.CharField(max_length=48, unique=True, default=new_token, editable=False)
    submitted_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    validated_at = models.DateTimeField(
        _("validé le"), null=True, blank=True, validators=[bounds.moment_in_bounds]
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("besoin")
        verbose_name_plural = _("besoins")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "status", "item_type"], name="mobil_need_status"),
            models.Index(fields=["campaign", "departement"], name="mobil_need_dep"),
            models.Index(fields=["campaign", "epci"], name="mobil_need_epci"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=within("quantity", bounds.NEED_QUANTITY),
                name="mobilisation_need_qty",
                violation_error_message=_(
                    "La quantité d'un besoin est entre 1 et 1 000 000 unités."
                ),
            ),
            _day("deadline", "mobilisation_need_deadline_bounds"),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values),
                name="mobilisation_need_urgency",
                violation_error_message=_("Choisissez le degré d'urgence."),
            ),
            _moment("submitted_at", "mobilisation_need_submitted_at_bounds"),
            _moment("validated_at", "mobilisation_need_validated_at_bounds", nullable=True),
        ]

    def __str__(self) -> str:
        return f"{self.requester_name} — {self.quantity} × {self.item_type}"

    def get_absolute_url(self) -> str:
        return reverse("mobilisation:need", kwargs={"pk": self.pk})

    def get_follow_url(self) -> str:
        """The requester's own page (no account): follow the need, confirm deliveries."""
        return reverse("mobilisation:need_follow", kwargs={"token": self.token})


class Capacity(models.Model):
    """What a producer can make of one item: per day, in stock, when, and how far."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="capacities")
    item_type = models.ForeignKey(
        ItemType, on_delete=models.PROTECT, related_name="capacities", verbose_name=_("article")
    )
    producer = models.ForeignKey(
        Actor, on_delete=models.CASCADE, related_name="capacities", verbose_name=_("producteur")
    )
    units_per_day = models.PositiveIntegerField(
        _("unités par jour"), validators=bounds.UNITS_PER_DAY
    )
    stock = models.PositiveIntegerField(_("stock disponible"), default=0, validators=bounds.STOCK)
    available_from = models.DateField(_("disponible du"), validators=[bounds.day_in_bounds])
    available_until = models.DateField(_("disponible jusqu'au"), validators=[bounds.day_in_bounds])
    max_km = models.PositiveIntegerField(
        _("distance de livraison maximale (km)"),
        help_text=_("Jusqu'où le producteur peut livrer lui-même ou faire livrer."),
        validators=bounds.MAX_DISTANCE,
    )
    note = models.TextField(_("précisions"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("capacité")
        verbose_name_plural = _("capacités")
        ordering = ["campaign", "producer__name", "item_type", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__gte=models.F("available_from")),
                name="mobilisation_capacity_window",
                violation_error_message=_("La fin de la disponibilité est avant son début."),
            ),
            _day("available_from", "mobilisation_capacity_available_from_bounds"),
            _day("available_until", "mobilisation_capacity_available_until_bounds"),
            models.CheckConstraint(
                condition=within("max_km", bounds.MAX_DISTANCE),
                name="mobilisation_capacity_km",
                violation_error_message=_(
                    "La distance de livraison maximale est entre 1 et 1000 km."
                ),
            ),
            models.CheckConstraint(
                condition=within("units_per_day", bounds.UNITS_PER_DAY),
                name="mobilisation_capacity_units_per_day_bounds",
                violation_error_message=_("Les unités par jour sont entre 0 et 100 000."),
            ),
            models.CheckConstraint(
                condition=within("stock", bounds.STOCK),
                name="mobilisation_capacity_stock_bounds",
                violation_error_message=_("Le stock est entre 0 et 1 000 000 unités."),
            ),
            _moment("created_at", "mobilisation_capacity_created_at_bounds"),
            models.UniqueConstraint(
                fields=["campaign", "item_type", "producer"],
                condition=Q(active=True),
                name="mobilisation_capacity_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer} — {self.item_type}"


class MatchingRun(models.Model):
    """One run of the optimal matching for a campaign (and a territory), as proposed to the
    coordinator, then confirmed (deliveries planned) or discarded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=RunStatus.choices, default=RunStatus.PROPOSED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True, validators=[bounds.moment_in_bounds])
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    needs_considered = models.PositiveIntegerField(default=0)
    producers_considered = models.PositiveIntegerField(default=0)
    units_requested = models.PositiveIntegerField(default=0)
    greedy_units = models.PositiveIntegerField(default=0)
    greedy_unit_km = models.FloatField(default=0, validators=bounds.NOT_NEGATIVE)
    seconds = models.FloatField(default=0, validators=bounds.NOT_NEGATIVE)
    # Need id (as text) -> units the run could not serve, and why (see services.coordination).
    unserved = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("appariement")
        verbose_name_plural = _("appariements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=within("greedy_unit_km", bounds.NOT_NEGATIVE)
                & within("seconds", bounds.NOT_NEGATIVE),
                name="mobilisation_run_figures_bounds",
                violation_error_message=_("Les chiffres d'un appariement ne sont pas négatifs."),
            ),
            _moment("created_at", "mobilisation_run_created_at_bounds"),
            _moment("decided_at", "mobilisation_run_decided_at_bounds", nullable=True),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.created_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("mobilisation:run", kwargs={"pk": self.pk})


class Assignment(models.Model):
    """One line of a run's proposal: this producer serves this need with so many units."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="assignments")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="assignments")
    producer = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="assignments")
    units = models.PositiveIntegerField(_("unités"), validators=bounds.LINE_UNITS)
    km = models.FloatField(_("distance (km)"), validators=bounds.DISTANCE)

    class Meta:
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")
        ordering = ["run", "producer__name", "need_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "need", "producer"], name="mobilisation_assignment_unique"
            ),
            models.CheckConstraint(
                condition=within("units", bounds.LINE_UNITS),
                name="mobilisation_assignment_qty",
                violation_error_message=_(
                    "Une ligne d'appariement compte entre 1 et 1 000 000 unités."
                ),
            ),
            models.CheckConstraint(
                condition=within("km", bounds.DISTANCE),
                name="mobilisation_assignment_km_bounds",
                violation_error_message=_("Une distance de livraison est entre 0 et 1000 km."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.producer_id} → {self.need_id}: {self.units}"


class Delivery(models.Model):
    """A delivery from a producer to a need: planned by a confirmed run, declared by the
    producer, confirmed by the recipient. A difference between declared and received is
    flagged to coordinators, never merged."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="deliveries")
    producer = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="deliveries")
    assignment = models.OneToOneField(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="delivery"
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PLANNED
    )
    planned_units = models.PositiveIntegerField(_("unités prévues"), validators=bounds.LINE_UNITS)
    km = models.FloatField(_("distance (km)"), default=0, validators=bounds.DISTANCE)
    declared_units = models.PositiveIntegerField(
        _("unités livrées"), null=True, blank=True, validators=bounds.DECLARED_UNITS
    )
    declared_on = models.DateField(
        _("livré le"), null=True, blank=True, validators=[bounds.day_in_bounds]
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_units = models.PositiveIntegerField(
        _("unités reçues"), null=True, blank=True, validators=bounds.RECEIVED_UNITS
    )
    confirmed_at = models.DateTimeField(
        _("réception confirmée le"), null=True, blank=True, validators=[bounds.moment_in_bounds]
    )
    confirmed_by_name = models.CharField(_("confirmé par"), max_length=200, blank=True)
    discrepancy_note = models.TextField(_("explication de l'écart"), blank=True)
    resolved_at = models.DateTimeField(
        _("écart traité le"), null=True, blank=True, validators=[bounds.moment_in_bounds]
    )
    resolution_note = models.TextField(_("suite donnée à l'écart"), blank=True)

    class Meta:
        verbose_name = _("livraison")
        verbose_name_plural = _("livraisons")
        ordering = ["need", "pk"]
        indexes = [
            models.Index(fields=["producer", "status"], name="mobil_delivery_producer"),
            models.Index(fields=["status"], name="mobil_delivery_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=within("planned_units", bounds.LINE_UNITS),
                name="mobilisation_delivery_planned",
                violation_error_message=_("Une livraison prévoit entre 1 et 1 000 000 unités."),
            ),
            models.CheckConstraint(
                condition=within("km", bounds.DISTANCE),
                name="mobilisation_delivery_km_bounds",
                violation_error_message=_("Une distance de livraison est entre 0 et 1000 km."),
            ),
            models.CheckConstraint(
                condition=Q(declared_units__isnull=True)
                | Q(declared_units__gte=1, declared_units__lte=models.F("planned_units")),
                name="mobilisation_delivery_declared_le_planned",
                violation_error_message=_(
                    "Une livraison déclare entre 1 unité et les unités prévues."
                ),
            ),
            models.CheckConstraint(
                condition=Q(confirmed_units__isnull=True)
                | Q(declared_units__isnull=False, confirmed_units__lte=models.F("declared_units")),
                name="mobilisation_delivery_confirmed_le_declared",
                violation_error_message=_(
                    "On ne confirme pas plus d'unités que le producteur n'en a déclaré."
                ),
            ),
            _day("declared_on", "mobilisation_delivery_declared_on_bounds", nullable=True),
            _moment("confirmed_at", "mobilisation_delivery_confirmed_at_bounds", nullable=True),
            _moment("resolved_at", "mobilisation_delivery_resolved_at_bounds", nullable=True),
        ]

    def __str__(self) -> str:
        return f"{self.producer} → {self.need.requester_name}"


class Production(models.Model):
    """A producer's declaration of units made on a day."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="productions")
    item_type = models.ForeignKey(
        ItemType, on_delete=models.PROTECT, related_name="productions", verbose_name=_("article")
    )
    producer = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="productions")
    date = models.DateField(_("date"), validators=[bounds.day_in_bounds])
    units = models.PositiveIntegerField(_("unités produites"), validators=bounds.PRODUCTION_UNITS)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("déclaration de production")
        verbose_name_plural = _("déclarations de production")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["campaign", "producer"], name="mobil_production_prod")]
        constraints = [
            models.CheckConstraint(
                condition=within("units", bounds.PRODUCTION_UNITS),
                name="mobilisation_production_qty",
                violation_error_message=_(
                    "Une déclaration de production compte entre 1 et 100 000 unités."
                ),
            ),
            _day("date", "mobilisation_production_date_bounds"),
            _moment("created_at", "mobilisation_production_created_at_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.producer} — {self.units} × {self.item_type} ({self.date})"


class MaterialOffer(models.Model):
    """A request for material (filament, elastic, fabric…) or a donation of it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="materials")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="material_offers")
    direction = models.CharField(
        _("demande ou don"), max_length=10, choices=MaterialDirection.choices
    )
    material = models.CharField(_("matière"), max_length=16, choices=MaterialKind.choices)
    quantity = models.PositiveIntegerField(_("quantité"), validators=bounds.MATERIAL_QUANTITY)
    unit = models.CharField(_("unité"), max_length=30, help_text=_("bobines, mètres, kg…"))
    note = models.TextField(_("précisions"), blank=True)
    status = models.CharField(
        _("statut"), max_length=12, choices=MaterialStatus.choices, default=MaterialStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("matière demandée ou donnée")
        verbose_name_plural = _("matières demandées ou données")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=within("quantity", bounds.MATERIAL_QUANTITY),
                name="mobilisation_material_qty",
                violation_error_message=_(
                    "Une demande ou un don de matière compte entre 1 et 1 000 000."
                ),
            ),
            _moment("created_at", "mobilisation_material_created_at_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} — {self.get_material_display()}"
