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
