"""Forms of the producers' room: short, in plain French, usable on a phone. They parse
what is typed; the rules (and their messages) live in services/producers.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenlabour.mobilisation import bounds
from kenlabour.mobilisation.enums import MaterialDirection, MaterialKind
from kenlabour.mobilisation.forms.fields import BoundedDateField, BoundedIntegerField
from kenlabour.mobilisation.models import Campaign, ItemType
from kenlabour.mobilisation.services.producers import capacity_problems, production_problems
from kenlabour.network.models import Actor


def _date_field(label, **kwargs) -> forms.DateField:
    return BoundedDateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez une date."),
            "invalid": _("Écrivez une date, par exemple 14/04/2020."),
        },
        **kwargs,
    )


def _number_field(label, limits, **kwargs) -> forms.IntegerField:
    return BoundedIntegerField(
        label=label,
        limits=limits,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Indiquez un nombre."),
            "invalid": _("Écrivez un nombre entier, par exemple 50."),
        },
        **kwargs,
    )


def _actor_field(actors: list[Actor], label) -> forms.ModelChoiceField:
    """The actor declared for. Only the user's actors are offered; another one sent anyway
    is refused by the service (403), not silently dropped."""
    field = forms.ModelChoiceField(
        label=label,
        queryset=Actor.objects.all(),
        empty_label=None,
        error_messages={"required": _("Choisissez pour qui vous déclarez.")},
    )
    field.widget.choices = [(actor.pk, actor.name) for actor in actors]
    return field


def _item_field(campaign: Campaign) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Article"),
        queryset=ItemType.objects.filter(campaign=campaign).order_by("position", "name"),
        empty_label=None,
        error_messages={
            "required": _("Choisissez un article."),
            "invalid_choice": _("Choisissez un article de cette mobilisation."),
        },
    )


CAPACITY_FIGURES = ("units_per_day", "stock", "available_from", "available_until", "max_km")


class CapacityForm(forms.Form):
    """What a producer can make of one item. Without `capacity`: a new one (for which
    actor, which item); with it: its figures, and whether it is still active (its item and
    producer stay)."""

    units_per_day = _number_field(
        _("Unités par jour"),
        bounds.UNITS_PER_DAY,
        help_text=_("Ce que vous pouvez fabriquer en une journée (0 si vous donnez du stock)."),
    )
    stock = _number_field(
        _("Stock disponible"), bounds.STOCK, help_text=_("Unités déjà prêtes à livrer.")
    )
    available_from = _date_field(_("Disponible à partir du"))
    available_until = _date_field(_("Disponible jusqu'au"))
    max_km = _number_field(
        _("Distance de livraison maximale (km)"),
        bounds.MAX_DISTANCE,
        help_text=_("Jusqu'où vous pouvez livrer ou faire livrer, entre 1 et 1000 km."),
    )
    note = forms.CharField(
        label=_("Précisions (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Modèle fabriqué, horaires pour venir chercher, contraintes…"),
    )
    active = forms.BooleanField(
        label=_("Capacité active"),
        required=False,
        help_text=_(
            "Décochez si vous ne pouvez plus produire : l'appariement ne vous proposera plus "
            "de livraisons pour cet article."
        ),
    )

    def __init__(self, *args, campaign: Campaign, actors: list[Actor], capacity=None, **kwargs):
        if capacity is not None:
            kwargs.setdefault(
                "initial",
                {
                    "units_per_day": capacity.units_per_day,
                    "stock": capacity.stock,
                    "available_from": capacity.available_from,
                    "available_until": capacity.available_until,
                    "max_km": capacity.max_km,
                    "note": capacity.note,
                    "active": capacity.active,
                },
            )
        super().__init__(*args, **kwargs)
        if capacity is None:
            self.fields["producer"] = _actor_field(actors, _("Pour qui ?"))
            self.fields["item_type"] = _item_field(campaign)
            del self.fields["active"]
            today = timezone.localdate()
            self.fields["available_from"].initial = today
            self.fields["stock"].initial = 0
            self.order_fields(["producer", "item_type"])

    def clean(self):
        """Tell every problem at once: the service's rules (an empty offer, a window that
        ends before it starts…) on the fields that could be read, next to the errors of
        the fields that could not (the service checks again when it saves)."""
        data = super().clean()
        problems = capacity_problems(
            **{name: data.get(name) for name in CAPACITY_FIGURES},
        )
        for field, message in problems.items():
            if field in data:
                self.add_error(field, message)
        return data


class DeliveryDeclareForm(forms.Form):
    """On the producer's page, one per delivery to make (prefix: the delivery)."""

    units = _number_field(_("Unités livrées"), bounds.DECLARED_UNITS)
    declared_on = _date_field(_("Livrées le"))

    def __init__(self, *args, delivery, **kwargs):
        kwargs.setdefault("prefix", f"livraison-{delivery.pk}")
        kwargs.setdefault(
            "initial", {"units": delivery.planned_units, "declared_on": timezone.localdate()}
        )
        super().__init__(*args, **kwargs)
        self.fields["units"].widget.attrs.update({"min": 1, "max": delivery.planned_units})


class ProductionForm(forms.Form):
    date = _date_field(_("Jour de production"))
    units = _number_field(_("Unités produites"), bounds.PRODUCTION_UNITS)

    def __init__(self, *args, campaign: Campaign, actors: list[Actor], **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["producer"] = _actor_field(actors, _("Qui a produit ?"))
        self.fields["item_type"] = _item_field(campaign)
        self.fields["date"].initial = timezone.localdate()
        self.order_fields(["producer", "item_type", "date", "units"])

    def clean(self):
        """Every problem at once, as CapacityForm.clean."""
        data = super().clean()
        problems = production_problems(
            self.campaign,
            item_type=data.get("item_type"),
            date=data.get("date"),
            units=data.get("units"),
        )
        for field, message in problems.items():
            if field in data:
                self.add_error(field, message)
        return data


class MaterialForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Vous faites"),
        choices=[
            (MaterialDirection.REQUEST, _("une demande : il vous en manque")),
            (MaterialDirection.DONATION, _("un don : vous en avez à donner")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez « demande » ou « don ».")},
    )
    material = forms.ChoiceField(
        label=_("Matière"),
        choices=MaterialKind.choices,
        error_messages={"required": _("Choisissez une matière.")},
    )
    quantity = _number_field(_("Quantité"), bounds.MATERIAL_QUANTITY)
    unit = forms.CharField(
        label=_("Unité"),
        max_length=30,
        help_text=_("bobines, mètres, kg…"),
        error_messages={"required": _("Indiquez l'unité : bobines, mètres, kg…")},
    )
    note = forms.CharField(
        label=_("Précisions (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Couleur, épaisseur, où venir chercher, comment vous joindre…"),
    )

    def __init__(self, *args, actors: list[Actor], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"] = _actor_field(actors, _("Pour qui ?"))
        self.order_fields(["actor", "direction", "material", "quantity", "unit", "note"])


class MaterialFilterForm(forms.Form):
    """The public list's filters, read from the address (GET)."""

    matiere = forms.ChoiceField(
        label=_("Matière"),
        required=False,
        choices=[("", _("Toutes les matières")), *MaterialKind.choices],
    )
    sens = forms.ChoiceField(
        label=_("Demandes ou dons"),
        required=False,
        choices=[
            ("", _("Demandes et dons")),
            (MaterialDirection.REQUEST, _("Demandes")),
            (MaterialDirection.DONATION, _("Dons")),
        ],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"material": self.cleaned_data["matiere"], "direction": self.cleaned_data["sens"]}
