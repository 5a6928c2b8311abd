from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kenlabour.territories import selectors
from kenlabour.territories.models import Commune


class CommuneField(forms.CharField):
    """A text input that accepts a commune's name ("Quimper", "st brieuc"), a name with its
    département ("Sainte-Marie (35)"), a postcode ("29000") or an INSEE code ("29232"), and
    cleans to a `Commune`, with a French message at the field when the text designates
    none or several."""

    default_error_messages = {
        "required": _("Saisissez le nom, le code postal ou le code INSEE d'une commune."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "address-level2")
        self.widget.attrs.setdefault("spellcheck", "false")

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return f"{value.name} ({value.departement_id})"
        return super().prepare_value(value)

    def clean(self, value):
        text = super().clean(value)  # a string, its presence and length checked
        if text in self.empty_values:
            return None
        try:
            return selectors.resolve_commune(text)
        except selectors.CommuneAmbiguous as error:
            raise ValidationError(error.message, code="ambiguous") from error
        except selectors.CommuneNotFound as error:
            raise ValidationError(error.message, code="not_found") from error


# Radius searches stop there: past it a list sorted by distance no longer helps anyone.
MAX_RADIUS_KM = 200


class RadiusField(forms.IntegerField):
    """A search radius around a commune, in whole kilometres (1 to 200), optional; the
    phone shows its number pad."""

    default_error_messages = {
        "invalid": _("Saisissez un nombre entier de kilomètres, par exemple 30."),
        "min_value": _("Le rayon doit être d'au moins %(limit_value)s km."),
        "max_value": _("Le rayon ne peut pas dépasser %(limit_value)s km."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Dans un rayon de (km)"))
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=MAX_RADIUS_KM, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "step": "1"})


class CommuneSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Nom ou code postal de la commune"),
        help_text=_("Par exemple « Quimper », « st brieuc » ou « 29000 »."),
        max_length=100,
        error_messages={"required": _("Saisissez un nom de commune ou un code postal.")},
    )

    def clean_q(self):
        query = self.cleaned_data["q"].strip()
        if not any(char.isalnum() for char in query):
            raise ValidationError(
                _("Saisissez au moins une lettre ou un chiffre."), code="no_alphanumeric"
            )
        return query


class DistanceForm(forms.Form):
    a = CommuneField(
        label=_("Première commune"),
        help_text=_("Nom, nom et département — « Sainte-Marie (35) » — ou code postal."),
    )
    b = CommuneField(
        label=_("Seconde commune"),
        help_text=_("Nom, nom et département — « Sainte-Marie (35) » — ou code postal."),
    )

    @classmethod
    def submitted(cls, data) -> bool:
        return any(name in data for name in cls.base_fields)
