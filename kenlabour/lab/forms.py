"""Forms of the lab: they parse and check what people type, in French, field by field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenlabour.lab.enums import FollowUp, HypothesisStatus, ParticipantKind, RegistrationMode
from kenlabour.lab.models import (
    EARLIEST_DAY,
    EARLIEST_MOMENT,
    LATEST_DAY,
    LATEST_MOMENT,
    MAX_CAPACITY,
    Experiment,
    Lab,
    Method,
    Public,
    Series,
    Theme,
)
from kenlabour.lab.selectors import impact as impact_selectors
from kenlabour.lab.selectors import labs as lab_selectors
from kenlabour.lab.selectors import organisations as organisation_selectors
from kenlabour.lab.selectors.workshops import WorkshopFormat
from kenlabour.territories.forms import CommuneField, RadiusField
from kenlabour.territories.models import Departement
from kenlabour.web.search import MAX_KEYWORD_LENGTH

# --- impact dashboard and exports (impact helper) ------------------------------------


class ImpactFilterForm(forms.Form):
    """The dashboard's filters, read from the address (GET): each is optional."""

    labo = forms.ModelChoiceField(
        label=_("Laboratoire"),
        queryset=Lab.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Tous les laboratoires"),
    )
    annee = forms.TypedChoiceField(label=_("Année"), coerce=int, empty_value=None, required=False)
    theme = forms.ModelChoiceField(
        label=_("Thème"),
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Tous les thèmes"),
    )
    departement = forms.ModelChoiceField(
        label=_("Département"),
        queryset=impact_selectors.departements_with_workshops(),
        to_field_name="code",
        required=False,
        empty_label=_("Tous les départements"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = impact_selectors.departements_with_workshops()
        self.fields["departement"].label_from_instance = lambda d: f"{d.name} ({d.code})"
        self.fields["annee"].choices = [("", _("Toutes les années"))] + [
            (year, str(year)) for year in impact_selectors.impact_years()
        ]

    def filters(self) -> impact_selectors.ImpactFilters:
        data = self.cleaned_data
        return impact_selectors.ImpactFilters(
            lab=data["labo"],
            year=data["annee"],
            theme=data["theme"],
            departement=data["departement"],
        )


# --- workshops, registration, attendance, series, methods, calendars (workshops helper)

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _out_of_bounds() -> forms.ValidationError:
    return forms.ValidationError(
        _("Indiquez une date entre %(first)s et %(last)s."),
        code="out_of_bounds",
        params={"first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
    )


class BoundedDateField(forms.DateField):
    """A date of the lab: years 2000 to 2099 (a year 1 typed by mistake is refused)."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not (EARLIEST_DAY <= value <= LATEST_DAY):
            raise _out_of_bounds()


class BoundedDateTimeField(forms.DateTimeField):
    def validate(self, value):
        super().validate(value)
        if value is not None and not (EARLIEST_MOMENT <= value < LATEST_MOMENT):
            raise _out_of_bounds()


def _datetime_field(label):
    return BoundedDateTimeField(
        label=label,
        widget=DateTimeLocalInput(),
        input_formats=DATETIME_INPUT_FORMATS,
        help_text=_("Heure de Paris, par exemple 14/03/2027 09:30."),
        error_messages={
            "required": _("Indiquez la date et l'heure."),
            "invalid": _("Écrivez une date et une heure, par exemple 14/03/2027 09:30."),
        },
    )


def _lab_choice(form, user) -> None:
    """The lab field offers the labs the user facilitates: their only lab is chosen for
    them; with several, nothing is chosen until they choose (never an arbitrary one)."""
    field = form.fields["lab"]
    field.queryset = lab_selectors.labs_facilitated_by(user)
    labs = list(field.queryset[:2])
    if len(labs) == 1:
        field.empty_label = None
        if not form.is_bound and not form.initial.get("lab"):
            form.initial["lab"] = labs[0].pk
    else:
        field.empty_label = _("— choisir —")


class WorkshopForm(forms.Form):
    """A workshop as its facilitators write it. The same invariants as the service (and the
    database) are checked here, so that each gets its message at its field."""

    lab = forms.ModelChoiceField(
        label=_("Laboratoire"),
        queryset=Lab.objects.none(),
        empty_label=_("— choisir —"),
        error_messages={"required": _("Choisissez le laboratoire.")},
    )
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        error_messages={"required": _("Donnez un titre à l'atelier.")},
    )
    purpose = forms.CharField(
        label=_("Objectif"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Dites en quelques mots à quoi servira l'atelier.")},
    )
    starts_at = _datetime_field(_("Début"))
    ends_at = _datetime_field(_("Fin"))
    commune = CommuneField(
        label=_("Commune"),
        required=False,
        help_text=_("Nom, nom et département — « Sainte-Marie (35) » — ou code postal."),
    )
    address = forms.CharField(label=_("Adresse"), max_length=250, required=False)
    online_url = forms.URLField(
        label=_("Lien de la visioconférence"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Écrivez une adresse web complète, https://…")},
    )
    method = forms.ModelChoiceField(
        label=_("Méthode d'animation"),
        queryset=Method.objects.order_by("name"),
        required=False,
        empty_label=_("Aucune en particulier"),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Thèmes"),
        queryset=Theme.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Animateurs"),
        queryset=lab_selectors.facilitator_users(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    experiment = forms.ModelChoiceField(
        label=_("Expérimentation liée"),
        queryset=Experiment.objects.order_by("title"),
        required=False,
        empty_label=_("Aucune"),
    )
    series = forms.ModelChoiceField(
        label=_("Série"),
        queryset=Series.objects.order_by("title"),
        required=False,
        empty_label=_("Aucune"),
    )
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        min_value=1,
        max_value=MAX_CAPACITY,
        error_messages={
            "required": _("Indiquez le nombre de places."),
            "invalid": _("Écrivez un nombre entier de places."),
            "min_value": _("Un atelier a au moins une place : indiquez 1 ou plus."),
            "max_value": _("Indiquez au plus %(limit_value)s places."),
        },
    )
    registration_mode = forms.ChoiceField(
        label=_("Inscription"),
        choices=RegistrationMode.choices,
        initial=RegistrationMode.PUBLIC,
        widget=forms.RadioSelect,
    )
    registration_closed = forms.BooleanField(label=_("Inscriptions closes"), required=False)
    published = forms.BooleanField(
        label=_("Publié"),
        required=False,
        initial=True,
        help_text=_("Un atelier non publié n'est visible que des animateurs."),
    )
    synthesis = forms.CharField(
        label=_("Synthèse"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("Ce que l'atelier a produit, publié avec lui."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _lab_choice(self, user)
        self.fields["facilitators"].queryset = lab_selectors.facilitator_users()
        self.fields["facilitators"].label_from_instance = lambda u: str(u)

    @classmethod
    def initial_of(cls, workshop) -> dict:
        initial = {name: getattr(workshop, name) for name in cls.base_fields}
        initial["themes"] = list(workshop.themes.all())
        initial["facilitators"] = list(workshop.facilitators.all())
        return initial

    def clean(self):
        from kenlabour.lab.services.workshops import workshop_problems

        data = super().clean()
        for field, message in workshop_problems(data).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def workshop_fields(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name] for name in self.base_fields if name not in ("themes", "facilitators")
        }


class RegistrationForm(forms.Form):
    """Someone without an account registers with a name and an e-mail address."""

    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=200,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Pour la confirmation, le rappel et le lien d'annulation."),
        error_messages={
            "required": _("Indiquez votre adresse e-mail."),
            "invalid": _("Écrivez une adresse e-mail complète, par exemple nom@exemple.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class InviteForm(RegistrationForm):
    """A facilitator registers someone (the way into an invitation-only workshop)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "invitation")
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Nom de la personne invitée")
        self.fields["name"].error_messages["required"] = _("Indiquez le nom de la personne.")
        self.fields["email"].label = _("Son adresse e-mail")
        self.fields["email"].help_text = _("Elle reçoit la confirmation et le lien d'annulation.")
        self.fields["email"].error_messages["required"] = _("Indiquez son adresse e-mail.")
        for field in self.fields.values():
            field.widget.attrs.pop("autocomplete", None)


class CameAsForm(forms.Form):
    """Who came as what: the kind, and for a public agent the organisation and directorate
    (typed, with the directory's names suggested)."""

    kind = forms.ChoiceField(
        label=_("À quel titre"),
        choices=[("", _("— choisir —")), *ParticipantKind.choices],
        error_messages={"required": _("Dites à quel titre la personne est venue.")},
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "organisations", "autocomplete": "off"}),
        help_text=_("Choisie dans la liste ou écrite en toutes lettres si elle n'y est pas."),
    )
    directorate = forms.CharField(
        label=_("Direction"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "directions", "autocomplete": "off"}),
    )

    def clean(self):
        """One rule: a public agent gives an organisation; a directorate goes with its
        organisation. A name of the directory is linked to its record; any other name is
        kept as typed (« CAF d'Ille-et-Vilaine »), so nobody is refused for a directory
        that is not complete. Only a name that the directory holds several times must be
        told apart."""
        data = super().clean()
        organisation_text = " ".join((data.get("organisation") or "").split())
        directorate_text = " ".join((data.get("directorate") or "").split())
        data["organisation"] = data["directorate"] = None
        data["organisation_name"] = data["directorate_name"] = ""
        if organisation_text:
            try:
                data["organisation"] = organisation_selectors.resolve_organisation(
                    organisation_text
                )
            except organisation_selectors.NotFoundByName as error:
                if error.code == "ambiguous":
                    self.add_error("organisation", error.message)
                else:
                    data["organisation_name"] = organisation_text
        if directorate_text and not organisation_text:
            self.add_error("directorate", _("Indiquez aussi l'organisation de cette direction."))
        elif directorate_text and data.get("organisation") is not None:
            try:
                data["directorate"] = organisation_selectors.resolve_directorate(
                    data["organisation"], directorate_text
                )
            except organisation_selectors.NotFoundByName:
                data["directorate_name"] = directorate_text
        elif directorate_text:
            data["directorate_name"] = directorate_text
        if data.get("kind") == ParticipantKind.PUBLIC_AGENT and not organisation_text:
            self.add_error("organisation", _("Pour un agent public, indiquez son organisation."))
        return data

    def came_as(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "organisation": data.get("organisation"),
            "directorate": data.get("directorate"),
            "organisation_name": data.get("organisation_name", ""),
            "directorate_name": data.get("directorate_name", ""),
        }


class WalkInForm(CameAsForm):
    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=200,
        error_messages={"required": _("Indiquez le nom de la personne.")},
    )
    field_order = ["name", "kind", "organisation", "directorate"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "sans-inscription")
        super().__init__(*args, **kwargs)


class CodeSignInForm(CameAsForm):
    """A participant signs in with the workshop's code."""

    code = forms.CharField(
        label=_("Code de l'atelier"),
        max_length=12,
        help_text=_("Le code que l'animateur affiche, par exemple K7PM3Q."),
        error_messages={"required": _("Indiquez le code que donne l'animateur.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=200,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail (si vous vous êtes inscrit)"),
        required=False,
        error_messages={
            "invalid": _("Écrivez une adresse e-mail complète, par exemple nom@exemple.fr.")
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["code", "name", "email", "kind", "organisation", "directorate"]


class WorkshopFileForm(forms.Form):
    title = forms.CharField(
        label=_("Titre du fichier"),
        max_length=200,
        error_messages={"required": _("Donnez un titre au fichier.")},
    )
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "PDF, image (PNG, JPEG, GIF, WebP), document OpenDocument ou Office ; 20 Mo au plus."
        ),
        error_messages={
            "required": _("Choisissez un fichier."),
            "empty": _("Ce fichier est vide."),
        },
    )


class LabThemeFilterForm(forms.Form):
    """The lab and theme filters that the workshop and experiment lists share (GET)."""

    labo = forms.ModelChoiceField(
        label=_("Laboratoire"),
        queryset=Lab.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Tous les laboratoires"),
    )
    theme = forms.ModelChoiceField(
        label=_("Thème"),
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Tous les thèmes"),
    )


WORKSHOP_RADIUS_KM = 20


def _keyword_field(help_text) -> forms.CharField:
    return forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=MAX_KEYWORD_LENGTH,
        help_text=help_text,
        error_messages={
            "max_length": _("Saisissez au plus %(limit_value)d caractères (%(show_value)d ici).")
        },
    )


def _search_day_field(label, help_text) -> BoundedDateField:
    return BoundedDateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(
            attrs={
                "type": "date",
                "min": EARLIEST_DAY.isoformat(),
                "max": LATEST_DAY.isoformat(),
            },
            format="%Y-%m-%d",
        ),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Écrivez une date, par exemple 14/03/2027.")},
    )


class WorkshopFilterForm(LabThemeFilterForm):
    """The workshop list's filters, read from the address (GET). A filter sent wrong is
    reported at its field and left out; the others still apply. The upcoming list starts
    today unless another day is asked."""

    q = _keyword_field(
        _(
            "Un mot du titre, de l'objectif, du laboratoire ou de la commune ; les accents et "
            "les majuscules sont ignorés."
        )
    )
    passes = forms.BooleanField(label=_("Ateliers passés"), required=False)
    du = _search_day_field(_("À partir du"), _("Par exemple 14/03/2027."))
    au = _search_day_field(_("Jusqu'au"), _("Inclus ; laissez vide pour ne pas borner."))
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("", _("Tous")),
            (WorkshopFormat.ON_SITE, _("Sur place")),
            (WorkshopFormat.ONLINE, _("En ligne")),
        ],
        error_messages={"invalid_choice": _("Choisissez « sur place » ou « en ligne ».")},
    )
    pres_de = CommuneField(
        label=_("Près de"),
        help_text=_(
            "Une commune : nom, nom et département — « Sainte-Marie (35) » — ou code postal."
        ),
        required=False,
    )
    rayon = RadiusField(initial=WORKSHOP_RADIUS_KM)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "du" not in data and not data.get("passes"):
            # The upcoming list starts today, and says so in its field.
            data = data.copy()
            data["du"] = timezone.localdate().isoformat()
        super().__init__(data, *args, **kwargs)

    def clean(self):
        data = super().clean()
        since, until = data.get("du"), data.get("au")
        if since and until and until < since:
            self.add_error("au", _("Cette date doit suivre la date de début."))
        return data

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        commune = data.get("pres_de")
        near = None
        if commune is not None and "rayon" not in self.errors:
            near = (commune, data.get("rayon") or WORKSHOP_RADIUS_KM)
        return {
            "past": bool(data.get("passes")),
            "lab": data.get("labo"),
            "theme": data.get("theme"),
            "near": near,
            "since": data.get("du"),
            "until": data.get("au"),
            "held": data.get("format") or "",
            "text": data.get("q") or "",
        }


# --- experiments and interconnections (experiments helper) ----------------------------


class ExperimentFilterForm(LabThemeFilterForm):
    """The filters of the experiments' list, read from the address (GET). A filter sent
    wrong is reported at its field and left out; the others still apply."""

    q = _keyword_field(
        _(
            "Un mot du titre, de la présentation ou du problème ; les accents et les "
            "majuscules sont ignorés."
        )
    )
    etape = forms.ChoiceField(label=_("Étape"), required=False)
    public = forms.ModelChoiceField(
        label=_("Public"),
        queryset=Public.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Tous les publics"),
    )
    territoire = forms.ModelChoiceField(
        label=_("Territoire"),
        queryset=Departement.objects.only("code", "name").order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Tous les départements"),
        error_messages={"invalid_choice": _("Choisissez un département de la liste.")},
    )

    def __init__(self, *args, **kwargs):
        from kenlabour.lab.enums import Phase

        super().__init__(*args, **kwargs)
        self.fields["etape"].choices = [("", _("Toutes les étapes")), *Phase.choices]
        self.fields["territoire"].label_from_instance = lambda d: f"{d.code} — {d.name}"

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "lab": data.get("labo"),
            "theme": data.get("theme"),
            "phase": data.get("etape") or "",
            "public": data.get("public"),
            "departement": data.get("territoire"),
            "text": data.get("q") or "",
        }


class PartnerNamesField(forms.CharField):
    """Partner organisations, one name per line, as they appear in the directory."""

    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value):
        value = super().clean(value)
        partners, unknown = [], []
        for line in (value or "").splitlines():
            if not line.strip():
                continue
            try:
                partners.append(organisation_selectors.resolve_organisation(line))
            except organisation_selectors.NotFoundByName:
                unknown.append(line.strip())
        if unknown:
            raise forms.ValidationError(
                _("Organisations absentes de l'annuaire : %(names)s.")
                % {"names": ", ".join(f"« {name} »" for name in unknown)}
            )
        return partners


class ExperimentForm(forms.ModelForm):
    started_on = BoundedDateField(
        label=_("Commencée le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
        error_messages={
            "required": _("Indiquez la date de début."),
            "invalid": _("Écrivez une date, par exemple 14/03/2027."),
        },
    )
    partners = PartnerNamesField(
        label=_("Organisations partenaires"),
        required=False,
        max_length=5000,
        help_text=_("Une organisation par ligne, telle qu'elle figure dans l'annuaire."),
    )

    class Meta:
        model = Experiment
        fields = [
            "lab",
            "title",
            "problem",
            "reframed_problem",
            "summary",
            "themes",
            "publics",
            "departements",
            "started_on",
            "published",
            "private_notes",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4}),
            "reframed_problem": forms.Textarea(attrs={"rows": 4}),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "private_notes": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "publics": forms.CheckboxSelectMultiple,
            "departements": forms.SelectMultiple(attrs={"size": 8}),
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"departements": _("Départements concernés")}
        help_texts = {
            "reframed_problem": _("Le problème tel que l'équipe le pose après l'exploration."),
            "summary": _("Ce que tout le monde lit sur la page publique."),
            "private_notes": _("Lues seulement par l'équipe et les animateurs du laboratoire."),
            "departements": _("Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        _lab_choice(self, user)
        self.fields["lab"].error_messages["required"] = _("Choisissez le laboratoire.")
        self.fields["departements"].queryset = self.fields["departements"].queryset.order_by("code")
        self.fields["departements"].required = False
        if self.instance.pk:
            self.initial["partners"] = "\n".join(p.name for p in self.instance.partners.all())

    def fields_for_service(self) -> dict:
        return dict(self.cleaned_data)


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Nouvelle étape"))
    date = BoundedDateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
        error_messages={
            "required": _("Indiquez la date."),
            "invalid": _("Écrivez une date, par exemple 14/03/2027."),
        },
    )
    note = forms.CharField(
        label=_("Commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    incubator = forms.CharField(
        label=_("Incubateur"),
        required=False,
        max_length=200,
        help_text=_("Pour une expérimentation confiée à l'incubateur."),
    )
    resulting_service = forms.CharField(
        label=_("Service qui en est né"),
        required=False,
        max_length=200,
        help_text=_("Pour une expérimentation confiée à l'incubateur."),
    )
    stop_reason = forms.CharField(
        label=_("Raison de l'arrêt"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pour une expérimentation arrêtée."),
    )

    def __init__(self, *args, experiment=None, **kwargs):
        from kenlabour.lab import phases
        from kenlabour.lab.enums import Phase

        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [
            (value, Phase(value).label) for value in phases.next_phases(experiment.phase)
        ]

    def clean(self):
        from kenlabour.lab.enums import Phase

        data = super().clean()
        phase = data.get("phase")
        if phase == Phase.INCUBATOR:
            if not (data.get("incubator") or "").strip():
                self.add_error(
                    "incubator", _("Nommez l'incubateur à qui l'expérimentation est confiée.")
                )
            if not (data.get("resulting_service") or "").strip():
                self.add_error("resulting_service", _("Nommez le service qui en est né."))
        if phase == Phase.STOPPED and not (data.get("stop_reason") or "").strip():
            self.add_error("stop_reason", _("Dites pourquoi l'expérimentation est arrêtée."))
        return data


class MeasurementForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicateur"), queryset=None, empty_label=None)
    date = BoundedDateField(
        label=_("Date de la mesure"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
        error_messages={
            "required": _("Indiquez la date."),
            "invalid": _("Écrivez une date, par exemple 14/03/2027."),
        },
    )
    value = forms.DecimalField(
        label=_("Valeur"),
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _("Indiquez la valeur mesurée."),
            "invalid": _("Écrivez un nombre, par exemple 12 ou 12,5."),
            "max_digits": _("Indiquez un nombre de moins de 13 chiffres avant la virgule."),
            "max_whole_digits": _("Indiquez un nombre de moins de 13 chiffres avant la virgule."),
            "max_decimal_places": _("Indiquez au plus deux décimales."),
        },
    )

    def __init__(self, *args, experiment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = experiment.indicators.order_by("pk")


class InterconnectionDecisionForm(forms.Form):
    other = forms.SlugField()
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("dismiss", "dismiss")])


# Follow-up of an experiment: hypotheses, indicators, results, recommendations.


def _date_field(label):
    return BoundedDateField(
        label=label,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez la date."),
            "invalid": _("Écrivez une date, par exemple 14/03/2027."),
        },
    )


class OrganisationField(forms.CharField):
    """A published organisation of the directory, typed by its name; the page suggests the
    names in the datalist `organisations` (organisation_selectors.organisation_names)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 250)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "organisations", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return organisation_selectors.resolve_organisation(value)
        except organisation_selectors.NotFoundByName as error:
            if error.code == "unknown":
                raise forms.ValidationError(
                    _(
                        "« %(text)s » n'est pas une organisation de l'annuaire : choisissez-la "
                        "dans la liste proposée (une organisation doit y être inscrite et "
                        "publiée pour recevoir une préconisation)."
                    )
                    % {"text": value.strip()},
                    code="unknown",
                ) from error
            raise forms.ValidationError(error.message, code=error.code) from error


class HypothesisForm(forms.Form):
    text = forms.CharField(
        label=_("Hypothèse"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ce que l'expérimentation doit vérifier, par exemple « Un permis financé "
            "par la mission locale lève le frein à l'embauche »."
        ),
        error_messages={"required": _("Écrivez l'hypothèse.")},
    )


class HypothesisStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut"),
        choices=HypothesisStatus.choices,
        error_messages={
            "required": _("Choisissez un statut de la liste."),
            "invalid_choice": _("Choisissez un statut de la liste."),
        },
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de l'indicateur"),
        max_length=200,
        help_text=_("Par exemple « Jeunes ayant obtenu le permis »."),
        error_messages={"required": _("Nommez l'indicateur.")},
    )
    unit = forms.CharField(
        label=_("Unité"),
        max_length=50,
        required=False,
        help_text=_("Facultative : %, jours, personnes…"),
    )
    baseline = forms.DecimalField(
        label=_("Valeur de départ"),
        max_digits=14,
        decimal_places=2,
        localize=True,  # 12,5 as well as 12.5
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _("Indiquez la valeur de départ."),
            "invalid": _("Écrivez un nombre, par exemple 12 ou 12,5."),
            "max_digits": _("Indiquez un nombre de moins de 13 chiffres avant la virgule."),
            "max_whole_digits": _("Indiquez un nombre de moins de 13 chiffres avant la virgule."),
            "max_decimal_places": _("Indiquez au plus deux décimales."),
        },
    )
    target = forms.DecimalField(
        label=_("Cible"),
        max_digits=14,
        decimal_places=2,
        localize=True,  # 12,5 as well as 12.5
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("La valeur visée ; elle peut être inférieure au départ (moins de délais…)."),
        error_messages={
            "required": _("Indiquez la cible."),
            "invalid": _("Écrivez un nombre, par exemple 12 ou 12,5."),
            "max_digits": _("Indiquez un nombre de moins de 13 chiffres avant la virgule."),
            "max_whole_digits": _("Indiquez un nombre de moins de 13 chiffres avant la virgule."),
            "max_decimal_places": _("Indiquez au plus deux décimales."),
        },
    )

    def clean(self):
        from kenlabour.lab.services.follow_up import indicator_problems

        data = super().clean()
        for field, message in indicator_problems(data).items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class ResultForm(forms.Form):
    text = forms.CharField(
        label=_("Résultat"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Décrivez le résultat.")},
    )
    date = _date_field(_("Date du résultat"))


class RecommendationForm(forms.Form):
    addressed_to = OrganisationField(
        label=_("Organisation destinataire"),
        help_text=_("Telle qu'elle figure dans l'annuaire du réseau : commencez à taper son nom."),
        error_messages={"required": _("Indiquez l'organisation à qui la préconisation s'adresse.")},
    )
    text = forms.CharField(
        label=_("Préconisation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Écrivez la préconisation.")},
    )


class FollowUpForm(forms.Form):
    follow_up = forms.ChoiceField(
        label=_("Suite donnée"),
        choices=FollowUp.choices,
        error_messages={
            "required": _("Choisissez une suite de la liste."),
            "invalid_choice": _("Choisissez une suite de la liste."),
        },
    )
    note = forms.CharField(
        label=_("Précisions (publiques)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
