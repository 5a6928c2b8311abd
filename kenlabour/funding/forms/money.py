"""Forms of the money room: they parse what people type (euros into exact cents, dates);
the services decide. Field names match the keys of the services' ValidationErrors."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenlabour.funding.forms.claims import BoundedDateField, EurosField
from kenlabour.funding.selectors import money as selectors
from kenlabour.funding.templatetags.funding_claims import format_euros
from kenlabour.territories.models import Departement


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, actor):
        return actor.name


class EnvelopeForm(forms.Form):
    """A new envelope for one campaign (chosen before, in the address); one rate field
    per item type of the campaign, `rate_<item pk>`, preset to the item's unit cost."""

    funder = ActorChoiceField(
        label=gettext_lazy("Financeur"),
        queryset=None,
        empty_label=gettext_lazy("Choisissez le financeur"),
        help_text=gettext_lazy("Seuls les financeurs dont vous faites partie."),
    )
    name = forms.CharField(label=gettext_lazy("Nom de l'enveloppe"), max_length=200)
    total = EurosField(label=gettext_lazy("Montant total en euros"))
    cap = EurosField(
        label=gettext_lazy("Plafond par bénéficiaire en euros"),
        required=False,
        help_text=gettext_lazy("Laissez vide pour ne pas plafonner."),
    )
    double_approval_above = EurosField(
        label=gettext_lazy("Seconde validation au-delà de, en euros"),
        required=False,
        help_text=gettext_lazy(
            "Au-delà de ce montant retenu, une demande est validée par deux personnes "
            "différentes du relais. Laissez vide pour une seule validation."
        ),
    )
    payout_confirmation_above = EurosField(
        label=gettext_lazy("Confirmation du virement au-delà de, en euros"),
        required=False,
        help_text=gettext_lazy(
            "Au-delà de ce montant, le virement enregistré par une personne du relais est "
            "confirmé par une autre avant d'entrer au registre. Laissez vide pour ne pas "
            "demander de confirmation."
        ),
    )
    opens_on = BoundedDateField(label=gettext_lazy("Ouverture des demandes"))
    closes_on = BoundedDateField(label=gettext_lazy("Clôture des demandes"))
    decision_reference = forms.CharField(
        label=gettext_lazy("Référence de la décision"),
        max_length=100,
        help_text=gettext_lazy("Par exemple le numéro de la délibération de la commission."),
    )
    convention_date = BoundedDateField(label=gettext_lazy("Date de la convention"))

    conflict_relay = ActorChoiceField(
        label=gettext_lazy("Relais des demandes des relais"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Aucun"),
        help_text=gettext_lazy(
            "Un relais n'instruit jamais sa propre demande ni celle de l'une de ses "
            "personnes : ces demandes vont à ce relais-ci. Sans lui, elles sont refusées au "
            "dépôt."
        ),
    )

    def __init__(self, *args, user, campaign, envelope=None, **kwargs):
        if envelope is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": envelope.name,
                    "total": envelope.total_cents,
                    "cap": envelope.cap_cents,
                    "double_approval_above": envelope.double_approval_above_cents,
                    "payout_confirmation_above": envelope.payout_confirmation_above_cents,
                    "opens_on": envelope.opens_on,
                    "closes_on": envelope.closes_on,
                    "decision_reference": envelope.decision_reference,
                    "convention_date": envelope.convention_date,
                    "conflict_relay": envelope.conflict_relay_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if envelope is not None:  # the funder and the campaign stay
            del self.fields["funder"]
        else:
            funders = selectors.funders_for(user)
            self.fields["funder"].queryset = funders
            if len(funders) == 1 and not self.is_bound:
                self.initial.setdefault("funder", funders[0].pk)
        self.fields["conflict_relay"].queryset = selectors.relays()
        rates = (
            dict(envelope.rates.values_list("item_type_id", "cents_per_unit")) if envelope else {}
        )
        self.items = list(campaign.item_types.all()) if campaign else []
        for item in self.items:
            self.fields[f"rate_{item.pk}"] = EurosField(
                label=_("Compensation pour « %(item)s », en euros par unité") % {"item": item.name},
                initial=rates.get(item.pk, item.unit_cost_cents),
                help_text=_("Coût unitaire indiqué par la campagne : %(cost)s.")
                % {"cost": format_euros(item.unit_cost_cents)},
            )

    def rate_fields(self):
        return [self[f"rate_{item.pk}"] for item in self.items]

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("La clôture ne peut pas précéder l'ouverture."))
        return data

    def rates(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"rate_{item.pk}"] for item in self.items}


class RefusePayoutForm(forms.Form):
    """The second person finds a recorded payout wrong: why, for whoever recorded it."""

    prefix = "refus"

    reason = forms.CharField(
        label=gettext_lazy("Ce qui ne va pas (lu par la personne qui l'a enregistré)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Indiquez ce qui ne va pas dans ce virement.")},
    )


class TransferForm(forms.Form):
    prefix = "virement"

    relay = ActorChoiceField(label=gettext_lazy("Relais"), queryset=None)
    amount = EurosField(label=gettext_lazy("Montant en euros"))
    date = BoundedDateField(label=gettext_lazy("Date du virement"))
    bank_reference = forms.CharField(label=gettext_lazy("Référence bancaire"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relay"].queryset = selectors.relays()


class PayForm(forms.Form):
    date = BoundedDateField(
        label=gettext_lazy("Date du virement"),
        initial=timezone.localdate,
    )
    bank_reference = forms.CharField(
        label=gettext_lazy("Référence bancaire"),
        max_length=100,
        help_text=gettext_lazy("Telle qu'elle figure sur le relevé du compte du relais."),
    )


class CoverageForm(forms.Form):
    relay = ActorChoiceField(label=gettext_lazy("Relais"), queryset=None)
    departement = forms.ModelChoiceField(
        label=gettext_lazy("Département"), queryset=Departement.objects.order_by("code")
    )
    valid_from = BoundedDateField(label=gettext_lazy("À partir du"))
    valid_until = BoundedDateField(
        label=gettext_lazy("Jusqu'au"),
        required=False,
        help_text=gettext_lazy("Laissez vide pour une couverture sans date de fin."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relay"].queryset = selectors.coverage_relay_choices()
        self.fields["departement"].label_from_instance = lambda d: f"{d.code} — {d.name}"


class LedgerHeadForm(forms.Form):
    """A head of the ledger a reader kept ("POSITION:HASH", as published on the
    transparency page, a statement or an export's file name), to check it is still there."""

    tete = forms.CharField(
        label=gettext_lazy("Tête du registre que vous avez conservée"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "La position et l'empreinte séparées par deux-points, par exemple "
            "« 1234:9f86d0… » (64 caractères hexadécimaux)."
        ),
    )

    def clean_tete(self):
        from kenlabour.funding import ledger_chain

        text = self.cleaned_data["tete"].strip()
        if not text:
            return None
        try:
            return ledger_chain.parse_head(text)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "Écrivez la position, deux-points, puis l'empreinte de 64 caractères "
                    "hexadécimaux (0 à 9, a à f)."
                )
            ) from None
