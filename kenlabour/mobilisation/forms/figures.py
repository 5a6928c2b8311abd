"""The filters of the campaign's figures (dashboard, map and exports), read from the
address (GET): item type, département, EPCI, each optional."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kenlabour.mobilisation.models import Campaign, ItemType
from kenlabour.mobilisation.selectors import figures as selectors
from kenlabour.territories.models import Commune, Departement, Epci


class FigureFilterForm(forms.Form):
    article = forms.ModelChoiceField(
        label=_("Article"),
        queryset=ItemType.objects.none(),
        required=False,
        empty_label=_("Tous les articles"),
    )
    departement = forms.ModelChoiceField(
        label=_("Département"),
        queryset=Departement.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Tous les départements"),
    )
    epci = forms.ModelChoiceField(
        label=_("Intercommunalité"),
        queryset=Epci.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Toutes les intercommunalités"),
    )

    def __init__(self, data=None, *, campaign: Campaign, **kwargs):
        super().__init__(data, **kwargs)
        self.campaign = campaign
        # The choices are read once (three queries) and serve the tables' names too.
        self.choices = selectors.filter_choices(campaign)
        self._offer("article", self.choices.item_types, ItemType, lambda item: item.name)
        self._offer(
            "departement",
            self.choices.departements,
            Departement,
            lambda departement: f"{departement.name} ({departement.code})",
        )
        self._offer("epci", self.choices.epcis, Epci, lambda epci: epci.name)

    def _offer(self, name: str, objects: list, model, label) -> None:
        """Offer these objects, without querying them again: the field's queryset is
        only used to look a submitted value up."""
        field = self.fields[name]
        field.queryset = model.objects.filter(pk__in=[obj.pk for obj in objects])
        field.choices = [("", field.empty_label)] + [
            (getattr(obj, field.to_field_name or "pk"), label(obj)) for obj in objects
        ]

    def clean(self):
        data = super().clean()
        departement, epci = data.get("departement"), data.get("epci")
        if (
            departement
            and epci
            and not Commune.objects.filter(departement=departement, epci=epci).exists()
        ):
            self.add_error(
                "epci",
                _("Cette intercommunalité n'a aucune commune dans le département choisi."),
            )
        return data

    def filters(self) -> selectors.FigureFilters:
        data = self.cleaned_data
        return selectors.FigureFilters(
            item_type=data.get("article"),
            departement=data.get("departement"),
            epci=data.get("epci"),
        )
