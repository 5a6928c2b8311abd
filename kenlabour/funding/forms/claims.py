"""Forms of the claims room: they parse what people type (amounts in euros into exact
cents); the services decide."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kenlabour.funding.bounds import MAX_DATE, MIN_DATE, cents_in_range, date_in_range
from kenlabour.funding.enums import ExpenseKind
from kenlabour.funding.services.claims import MAX_RECEIPT_SIZE
from kenlabour.funding.templatetags.funding_claims import format_euros

_AMOUNT = re.compile(r"^-?\d+(?:[.,]\d*)?$")


def parse_euros(text: str) -> int:
    """ "12,50", "12.5", "1 234,56 €" → cents, exactly (Decimal, never float). Raises
    ValidationError with a French message on anything else, on more than two decimals
    and on a negative amount."""
    cleaned = (text or "").strip().replace("€", "").replace("\u00a0", "").replace("\u202f", "")
    cleaned = cleaned.replace(" ", "")
    if not cleaned:
        raise ValidationError(_("Indiquez un montant en euros, par exemple 12,50."))
    if not _AMOUNT.match(cleaned):
        raise ValidationError(
            _("« %(text)s » n'est pas un montant en euros : écrivez par exemple 12,50.")
            % {"text": text.strip()}
        )
    try:
        amount = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("Indiquez un montant en euros, par exemple 12,50.")) from None
    if amount < 0:
        raise ValidationError(_("Un montant ne peut pas être négatif."))
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValidationError(_("Un montant a au plus deux chiffres après la virgule (centimes)."))
    cents_in_range(int(cents))  # at most one billion euros, far below the 64-bit limit
    return int(cents)


class EurosField(forms.CharField):
    """An amount typed in euros, cleaned into integer cents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def prepare_value(self, value):
        """Cents shown as the person types them: "1234,50" (French), "1234.50" (English)."""
        if isinstance(value, int):
            separator = "." if (get_language() or "fr").startswith("en") else ","
            return f"{value // 100}{separator}{value % 100:02d}"
        return value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return parse_euros(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        attrs = {
            "min": MIN_DATE.isoformat(),
            "max": MAX_DATE.isoformat(),
            **kwargs.pop("attrs", {}),
        }
        super().__init__(format="%Y-%m-%d", attrs=attrs, **kwargs)


class BoundedDateField(forms.DateField):
    """A date between 2000 and 2100 (kenlabour.funding.bounds), refused in French
    otherwise."""

    default_validators = [date_in_range]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)


class DeliveryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, delivery):
        need = delivery.need
        return _(
            "%(item)s : %(units)s unités reçues par %(requester)s (%(commune)s), le %(date)s"
        ) % {
            "item": need.item_type.name,
            "units": delivery.confirmed_units,
            "requester": need.requester_name,
            "commune": need.commune.name if need.commune_id else "",
            "date": delivery.declared_on.strftime("%d/%m/%Y") if delivery.declared_on else "?",
        }


class ClaimCreateForm(forms.Form):
    """Which deliveries a new claim rests on (all, by default)."""

    deliveries = DeliveryChoiceField(
        label=gettext_lazy("Livraisons à compenser"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Les livraisons dont l'établissement a confirmé la réception, comptées aux unités "
            "reçues. Vous pourrez ajouter des dépenses ensuite."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("Précisions pour le relais (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, deliveries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliveries"].queryset = deliveries
        if not self.is_bound:
            self.initial.setdefault("deliveries", [d.pk for d in deliveries])


class ExpenseForm(forms.Form):
    """An expense with its receipt. The file's content is checked by the service."""

    kind = forms.ChoiceField(label=gettext_lazy("Nature"), choices=ExpenseKind.choices)
    label = forms.CharField(
        label=gettext_lazy("Libellé"),
        max_length=200,
        help_text=gettext_lazy("Par exemple : 3 bobines de PETG, fournisseur, n° de facture."),
    )
    amount = EurosField(
        label=gettext_lazy("Montant en euros"),
        help_text=gettext_lazy("Toutes taxes comprises, par exemple 42,90."),
    )
    spent_on = BoundedDateField(label=gettext_lazy("Date de la dépense"))
    issuer = forms.CharField(
        label=gettext_lazy("Émetteur du justificatif"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Le fournisseur ou le magasin, par exemple : Leroy Merlin Rennes."),
    )
    receipt = forms.FileField(
        label=gettext_lazy("Justificatif (PDF ou image, 10 Mio au plus)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp,image/gif"}
        ),
    )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise ValidationError(_("Le montant d'une dépense est positif."))
        return amount

    def clean_spent_on(self):
        spent_on = self.cleaned_data["spent_on"]
        if spent_on and spent_on > timezone.localdate():
            raise ValidationError(_("La date de la dépense ne peut pas être dans le futur."))
        return spent_on

    def clean_receipt(self):
        receipt = self.cleaned_data["receipt"]
        if receipt is not None and receipt.size > MAX_RECEIPT_SIZE:
            raise ValidationError(_("Un justificatif fait au plus 10 Mio."))
        return receipt


class ReviewForm(forms.Form):
    """The treasurer's decision; rejecting or asking for changes needs a reason."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Décision"),
        choices=[
            ("approve", gettext_lazy("Approuver")),
            ("changes", gettext_lazy("Demander des modifications")),
            ("reject", gettext_lazy("Refuser")),
        ],
        widget=forms.RadioSelect,
    )
    validated_expenses = forms.MultipleChoiceField(
        label=gettext_lazy("Dépenses validées"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Cochez les dépenses dont le justificatif est recevable : seules celles-ci "
            "s'ajoutent au montant demandé."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif (lu par le bénéficiaire)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Obligatoire pour refuser ou demander des modifications."),
    )

    def __init__(self, *args, expenses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["validated_expenses"].choices = [
            (str(e.pk), f"{e.label} — {format_euros(e.amount_cents)}") for e in expenses
        ]
        if not expenses:
            del self.fields["validated_expenses"]

    def clean(self):
        data = super().clean()
        if data.get("decision") in {"reject", "changes"} and not data.get("reason", "").strip():
            self.add_error(
                "reason",
                _("Indiquez le motif : il est envoyé au bénéficiaire, qui le lit sur sa demande."),
            )
        return data
