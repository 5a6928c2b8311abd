from django import forms
from django.utils.translation import gettext_lazy as _

from kenlabour.mobilisation import bounds
from kenlabour.mobilisation.forms.fields import BoundedIntegerField
from kenlabour.territories.models import Departement


class RunForm(forms.Form):
    departement = forms.ModelChoiceField(
        label=_("Territoire"),
        queryset=Departement.objects.none(),
        required=False,
        empty_label=_("Tous les départements de la mobilisation"),
        help_text=_(
            "Les besoins de ce département seulement ; les producteurs de tous les "
            "départements peuvent les servir, dans leur rayon de livraison."
        ),
    )

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = departements


class AdjustForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    units = BoundedIntegerField(label=_("Unités"), limits=bounds.ADJUSTED_UNITS)


class DecisionForm(forms.Form):
    CONFIRM, DISCARD = "confirm", "discard"
    decision = forms.ChoiceField(
        choices=[(CONFIRM, _("Confirmer")), (DISCARD, _("Écarter"))], widget=forms.HiddenInput
    )
