from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kenlabour.audit.enums import AuditAction

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
DAY_BOUNDS = {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Toutes les actions")), *AuditAction.choices],
        required=False,
    )
    person = forms.CharField(
        label=_("Personne"),
        help_text=_("Une partie de l'adresse e-mail ou du nom, auteur ou personne concernée."),
        max_length=150,
        required=False,
    )
    since = forms.DateField(
        label=_("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **DAY_BOUNDS}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **DAY_BOUNDS}, format="%Y-%m-%d"),
    )

    def _bounded(self, name):
        day = self.cleaned_data.get(name)
        if day is not None and not (FIRST_DAY <= day <= LAST_DAY):
            raise ValidationError(
                _("Indiquez une date entre %(first)s et %(last)s."),
                params={"first": FIRST_DAY.year, "last": LAST_DAY.year},
            )
        return day

    def clean_since(self):
        return self._bounded("since")

    def clean_until(self):
        return self._bounded("until")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("La fin de la période doit suivre son début."))
        return data
