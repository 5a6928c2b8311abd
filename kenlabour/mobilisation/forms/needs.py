"""Forms of needs: they parse what was typed; the rules (quantity, deadline, campaign
open, received ≤ declared…) are the services', whose refusals the views show at the
fields."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenlabour.mobilisation import bounds
from kenlabour.mobilisation.enums import NeedStatus, RequesterKind, Urgency
from kenlabour.mobilisation.forms.fields import BoundedDateField, BoundedIntegerField
from kenlabour.mobilisation.models import ItemType
from kenlabour.mobilisation.selectors import needs as selectors
from kenlabour.mobilisation.services.needs import need_problems
from kenlabour.territories.forms import CommuneField
from kenlabour.web.search import MAX_KEYWORD_LENGTH


def _integer(label, limits, **kwargs):
    return BoundedIntegerField(
        label=label,
        limits=limits,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Indiquez un nombre."),
            "invalid": _("Écrivez un nombre entier, en chiffres (par exemple 200)."),
        },
        **kwargs,
    )


class ItemTypeField(forms.ModelChoiceField):
    """An item of the campaign, named with its approved model or standard category."""

    def label_from_instance(self, obj):
        details = [obj.approved_model, obj.model_version and f"v{obj.model_version}"]
        details = " ".join(d for d in details if d) or obj.standard_category
        return f"{obj.name} ({details})" if details else obj.name


class NeedForm(forms.Form):
    """The public form of a carers' organisation (no account). Built for a phone: one
    column, the right keyboard for each field, what the browser can fill in."""

    item_type = ItemTypeField(
        label=_("Article demandé"),
        queryset=ItemType.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez l'article dont vous avez besoin."),
            "invalid_choice": _("Choisissez un des articles de cette mobilisation."),
        },
    )
    quantity = _integer(
        _("Quantité"),
        bounds.NEED_QUANTITY,
        help_text=_("Le nombre d'unités, par exemple 200 visières."),
    )
    deadline = BoundedDateField(
        label=_("Date limite de livraison"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Le jour où, au plus tard, il vous les faut."),
        error_messages={
            "required": _("Indiquez la date limite de livraison."),
            "invalid": _("Écrivez une date, par exemple 14/04/2020."),
        },
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgence"),
        choices=Urgency.choices,
        coerce=int,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez le degré d'urgence."),
            "invalid_choice": _("Choisissez le degré d'urgence."),
        },
    )
    requester_name = forms.CharField(
        label=_("Nom de l'établissement ou du service"),
        max_length=200,
        help_text=_("Par exemple : EHPAD Les Glycines, Centre hospitalier de Quimper."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": _("Indiquez le nom de l'établissement.")},
    )
    requester_kind = forms.ChoiceField(
        label=_("Type d'établissement"),
        choices=RequesterKind.choices,
        error_messages={"required": _("Choisissez le type d'établissement.")},
    )
    contact_name = forms.CharField(
        label=_("Personne à contacter"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Indiquez le nom de la personne à contacter.")},
    )
    contact_email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Vous y recevrez le lien pour suivre ce besoin. Elle n'est pas publiée."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Indiquez une adresse e-mail : le lien de suivi y sera envoyé."),
            "invalid": _("Écrivez une adresse e-mail complète, par exemple nom@exemple.fr."),
        },
    )
    contact_phone = forms.CharField(
        label=_("Téléphone (facultatif)"),
        max_length=30,
        required=False,
        help_text=_("Pour le producteur qui vous livre. Il n'est pas publié."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    commune = CommuneField(
        label=_("Commune de livraison"),
        help_text=_("Nom ou code postal, par exemple « Quimper » ou « 29000 »."),
    )
    address = forms.CharField(
        label=_("Adresse de livraison (facultatif)"),
        max_length=250,
        required=False,
        help_text=_("Rue, bâtiment, accueil où déposer les colis."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    note = forms.CharField(
        label=_("Précisions (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tailles, horaires de réception, modèle souhaité…"),
    )
    # A honeypot: hidden by the style sheet, left empty by people; robots fill it in.
    site_web = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["item_type"].queryset = campaign.item_types.all()
        items = list(campaign.item_types.all())
        if len(items) == 1:
            self.fields["item_type"].initial = items[0].pk

    def clean_site_web(self):
        if self.cleaned_data.get("site_web"):
            raise forms.ValidationError(
                _("Ce champ doit rester vide : effacez-le, puis envoyez de nouveau."),
                code="honeypot",
            )
        return ""

    def clean(self):
        """Tell every problem at once: the service's rules on the fields that could be
        read, next to the errors of the fields that could not (the service checks again
        when it saves)."""
        data = super().clean()
        for field, message in need_problems(self.campaign, data, timezone.localdate()).items():
            if field in data:
                self.add_error(field, message)
        return data

    def need_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.cleaned_data if name != "site_web"}


class DeliveryConfirmForm(forms.Form):
    """The requester's confirmation of one declared delivery."""

    received_units = _integer(_("Unités reçues"), bounds.RECEIVED_UNITS)
    name = forms.CharField(
        label=_("Votre nom"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Indiquez votre nom : il est gardé avec la confirmation.")},
    )
    note = forms.CharField(
        label=_("Note, si vous avez reçu moins"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Colis incomplet, articles abîmés… L'équipe de coordination la lira."),
    )

    @staticmethod
    def prefix_for(delivery_pk: int) -> str:
        return f"livraison-{delivery_pk}"


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi retirez-vous ce besoin ? (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NeedFilterForm(forms.Form):
    """The coordinators' search of a campaign's needs, read from the address (GET). A
    filter sent wrong is reported at its field and left out; the others still apply."""

    q = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=MAX_KEYWORD_LENGTH,
        help_text=_(
            "L'établissement, la personne à contacter, la commune, l'article ou les "
            "précisions ; les accents et les majuscules sont ignorés."
        ),
        error_messages={
            "max_length": _("Saisissez au plus %(limit_value)d caractères (%(show_value)d ici).")
        },
    )
    statut = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        error_messages={"invalid_choice": _("Choisissez un statut de la liste.")},
    )
    article = forms.ModelChoiceField(
        label=_("Article"),
        queryset=ItemType.objects.none(),
        required=False,
        empty_label=_("Tous les articles"),
        error_messages={"invalid_choice": _("Choisissez un article de cette mobilisation.")},
    )
    departement = forms.ChoiceField(
        label=_("Département"),
        required=False,
        error_messages={
            "invalid_choice": _("Choisissez un département où la mobilisation a des besoins.")
        },
    )
    urgence = forms.TypedChoiceField(
        label=_("Urgence"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choisissez un degré d'urgence de la liste.")},
    )

    def __init__(self, *args, campaign, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [("", _("Tous les statuts")), *NeedStatus.choices]
        self.fields["article"].queryset = campaign.item_types.all()
        self.fields["departement"].choices = [
            ("", _("Tous les départements")),
            *[(d.code, f"{d.code} — {d.name}") for d in departements],
        ]
        self.fields["urgence"].choices = [("", _("Toutes")), *Urgency.choices]

    def filters(self) -> selectors.NeedFilters:
        """The filters that are valid (an invalid one is shown as an error and ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        article = data.get("article")
        return selectors.NeedFilters(
            status=data.get("statut") or "",
            item_type_id=article.pk if article else None,
            departement_code=data.get("departement") or "",
            urgency=data.get("urgence") or None,
            text=data.get("q") or "",
        )


class ValidateNeedForm(forms.Form):
    LINK, CREATE = "link", "create"
    requester = forms.ChoiceField(
        label=_("Établissement dans l'annuaire"),
        choices=[
            (LINK, _("Rattacher à une organisation déjà dans l'annuaire")),
            (CREATE, _("Créer l'établissement dans l'annuaire (nom et commune du besoin)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez de rattacher ou de créer l'établissement.")},
    )
    organisation = forms.CharField(
        label=_("Organisation de l'annuaire"),
        max_length=250,
        required=False,
        help_text=_("Son nom, tel que la liste le propose, avec sa commune entre parenthèses."),
        widget=forms.TextInput(attrs={"list": "organisations", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        data["actor"] = None
        if data.get("requester") == self.LINK:
            text = (data.get("organisation") or "").strip()
            if not text:
                self.add_error(
                    "organisation", _("Indiquez l'organisation à laquelle rattacher le besoin.")
                )
            else:
                try:
                    data["actor"] = selectors.resolve_organisation(text)
                except selectors.OrganisationNotFound as error:
                    self.add_error("organisation", error.message)
        return data


class CancelNeedForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Il est envoyé au demandeur et figure sur la page du besoin."),
        error_messages={
            "required": _("Indiquez le motif de l'annulation : il est envoyé au demandeur.")
        },
    )


class ResolveDiscrepancyForm(forms.Form):
    note = forms.CharField(
        label=_("Suite donnée à l'écart"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Indiquez la suite donnée à l'écart : elle reste dans l'historique.")
        },
    )

    @staticmethod
    def prefix_for(delivery_pk: int) -> str:
        return f"ecart-{delivery_pk}"
