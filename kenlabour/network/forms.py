"""Forms of the network: they parse and check what people type, in French, field by field."""

import re

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kenlabour.network import columns, spreadsheet
from kenlabour.network.enums import (
    ActorKind,
    ModerationStatus,
    OrganisationKind,
    ResourceCategory,
    ResourceKind,
)
from kenlabour.network.models import Actor
from kenlabour.network.selectors import areas as area_selectors
from kenlabour.network.selectors import directory as directory_selectors
from kenlabour.network.selectors import duplicates as duplicate_selectors
from kenlabour.network.selectors import who_could_help as help_selectors
from kenlabour.network.validators import normalise_siret, validate_siret
from kenlabour.territories.forms import CommuneField, RadiusField
from kenlabour.territories.models import Departement, Epci

# --- registration, moderation, edition, import (contributions helper) -----------------

AREA_SPLIT_RE = re.compile(r"[,;\n]+")


class AreaField(forms.CharField):
    """Where a place-less collective acts: communes, EPCI names or SIREN numbers,
    département codes or names, separated by commas or new lines. Cleans to an
    `AreaOfAction`; each wrong entry is named in the message."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, area_selectors.AreaOfAction):
            return value.as_text()
        return super().prepare_value(value)

    def clean(self, value):
        text = super().clean(value) or ""
        entries = [entry.strip() for entry in AREA_SPLIT_RE.split(text) if entry.strip()]
        area, errors = area_selectors.AreaResolver().resolve_all(entries)
        if errors:
            raise ValidationError(errors, code="unknown_territory")
        return area


class ActorCategory(models.TextChoices):
    """What the registration form asks first: it decides kind and place."""

    ORGANISATION = "organisation", _("Une organisation (association, entreprise, administration…)")
    COLLECTIVE = "collective", _("Un collectif qui a un lieu")
    PLACE_LESS = "place_less", _("Un collectif sans lieu (groupe informel, réseau en ligne…)")


class ActorForm(forms.Form):
    """Registration and edition of an organisation or a collective (and edition of a
    person's page, with fewer fields)."""

    category = forms.ChoiceField(
        label=_("Vous inscrivez"),
        choices=ActorCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Dites si vous inscrivez une organisation ou un collectif.")},
    )
    organisation_kind = forms.ChoiceField(
        label=_("Type d'organisation"),
        help_text=_("Pour une organisation seulement."),
        choices=[("", _("— choisir —")), *OrganisationKind.choices],
        required=False,
    )
    name = forms.CharField(
        label=_("Nom"),
        max_length=200,
        error_messages={"required": _("Indiquez le nom.")},
    )
    description = forms.CharField(
        label=_("Présentation"),
        help_text=_("Ce que vous faites, en quelques phrases."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    skills = forms.CharField(
        label=_("Savoir-faire"),
        help_text=_("Par exemple : impression 3D, couture, animation d'ateliers."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    siret = forms.CharField(
        label=_("Numéro SIRET"),
        help_text=_("14 chiffres, pour une entreprise ou une association qui en a un."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    commune = CommuneField(
        label=_("Commune"),
        help_text=_(
            "Où se trouve le lieu : nom, nom et département — « Sainte-Marie (35) » — ou "
            "code postal. Pas pour un collectif sans lieu."
        ),
        required=False,
    )
    address = forms.CharField(
        label=_("Adresse"),
        help_text=_("Facultative. Pas pour un collectif sans lieu."),
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    area = AreaField(
        label=_("Zone d'action"),
        help_text=_(
            "Pour un collectif sans lieu : communes, intercommunalités ou départements "
            "(nom ou numéro), séparés par des virgules ou des retours à la ligne. Par "
            "exemple : « Finistère, Lannion-Trégor Communauté, Morlaix »."
        ),
        required=False,
        max_length=2000,
    )
    website = forms.URLField(
        label=_("Site web"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail de contact"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    accepts_introductions = forms.BooleanField(
        label=_("Accepter les demandes de mise en relation"),
        help_text=_(
            "Les personnes connectées vous écrivent par la plateforme sans voir votre "
            "adresse ; vous acceptez, refusez ou laissez la demande expirer."
        ),
        required=False,
        initial=True,
    )
    public_consent = forms.BooleanField(
        label=_("Ma page et mon nom sont visibles de tous"),
        help_text=_("Sans votre accord, seuls les animateurs du laboratoire vous voient."),
        required=False,
    )

    PERSON_FIELDS = (
        "name",
        "description",
        "skills",
        "commune",
        "website",
        "email",
        "accepts_introductions",
        "public_consent",
    )

    def __init__(self, *args, actor: Actor | None = None, **kwargs):
        self.actor = actor
        if actor is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_of(actor)
        super().__init__(*args, **kwargs)
        if self.is_person:
            for name in list(self.fields):
                if name not in self.PERSON_FIELDS:
                    del self.fields[name]
            self.fields["commune"].help_text = _(
                "Nom, nom et département — « Sainte-Marie (35) » — ou code postal."
            )
        else:
            del self.fields["public_consent"]

    @property
    def is_person(self) -> bool:
        return self.actor is not None and self.actor.kind == ActorKind.PERSON

    @staticmethod
    def initial_of(actor: Actor) -> dict:
        if actor.kind == ActorKind.ORGANISATION:
            category = ActorCategory.ORGANISATION
        elif actor.place_less:
            category = ActorCategory.PLACE_LESS
        else:
            category = ActorCategory.COLLECTIVE
        return {
            "category": category,
            "organisation_kind": actor.organisation_kind,
            "name": actor.name,
            "description": actor.description,
            "skills": actor.skills,
            "siret": actor.siret,
            "commune": actor.commune,
            "address": actor.address,
            "area": area_selectors.AreaOfAction.of(actor),
            "website": actor.website,
            "email": actor.email,
            "accepts_introductions": actor.accepts_introductions,
            "public_consent": actor.public_consent,
        }

    def clean_siret(self):
        siret = normalise_siret(self.cleaned_data.get("siret", ""))
        if siret:
            validate_siret(siret)
            holder = duplicate_selectors.siret_holder(
                siret, exclude_pk=self.actor.pk if self.actor is not None else None
            )
            if holder is not None:
                raise ValidationError(
                    _("Ce numéro SIRET est déjà celui de « %(name)s » dans l'annuaire."),
                    code="siret_taken",
                    params={"name": holder.name},
                )
        return siret

    def clean(self):
        data = super().clean()
        if self.is_person:
            if not data.get("commune") and "commune" not in self.errors:
                self.add_error("commune", _("Indiquez votre commune."))
            return data
        category = data.get("category")
        if category == ActorCategory.ORGANISATION:
            if not data.get("organisation_kind"):
                self.add_error("organisation_kind", _("Choisissez le type d'organisation."))
        elif category:
            if data.get("organisation_kind"):
                self.add_error(
                    "organisation_kind",
                    _("Seule une organisation a un type d'organisation : laissez ce champ vide."),
                )
            if data.get("siret"):
                self.add_error(
                    "siret",
                    _("Seule une organisation a un numéro SIRET : laissez ce champ vide."),
                )
        if category == ActorCategory.PLACE_LESS:
            if data.get("commune"):
                self.add_error(
                    "commune",
                    _(
                        "Un collectif sans lieu n'a pas de commune : laissez ce champ vide et "
                        "indiquez sa zone d'action."
                    ),
                )
            if data.get("address"):
                self.add_error(
                    "address",
                    _("Un collectif sans lieu n'a pas d'adresse : laissez ce champ vide."),
                )
            if "area" not in self.errors and not data.get("area"):
                self.add_error(
                    "area",
                    _(
                        "Indiquez où agit le collectif : des communes, des intercommunalités "
                        "ou des départements."
                    ),
                )
        elif category and not data.get("commune") and "commune" not in self.errors:
            self.add_error(
                "commune", _("Indiquez la commune où se trouve l'organisation ou le collectif.")
            )
        return data

    def actor_fields(self) -> dict:
        """The cleaned values as Actor fields (area and resources apart)."""
        data = self.cleaned_data
        if self.is_person:
            return {
                "kind": ActorKind.PERSON,
                "name": data["name"].strip(),
                "description": data["description"].strip(),
                "skills": data["skills"].strip(),
                "commune": data["commune"],
                "website": data["website"],
                "email": data["email"],
                "accepts_introductions": data["accepts_introductions"],
                "public_consent": data["public_consent"],
            }
        category = data["category"]
        organisation = category == ActorCategory.ORGANISATION
        place_less = category == ActorCategory.PLACE_LESS
        return {
            "kind": ActorKind.ORGANISATION if organisation else ActorKind.COLLECTIVE,
            "organisation_kind": data["organisation_kind"] if organisation else "",
            "name": data["name"].strip(),
            "description": data["description"].strip(),
            "skills": data["skills"].strip(),
            "siret": data["siret"] if organisation else "",
            "place_less": place_less,
            "commune": None if place_less else data["commune"],
            "address": "" if place_less else data["address"].strip(),
            "website": data["website"],
            "email": data["email"],
            "accepts_introductions": data["accepts_introductions"],
        }

    def area_of_action(self) -> area_selectors.AreaOfAction:
        return self.cleaned_data.get("area") or area_selectors.AreaOfAction()


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Ressource"),
        choices=[("", _("— aucune —")), *ResourceKind.choices],
        required=False,
    )
    quantity = forms.IntegerField(
        label=_("Nombre"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        initial=1,
        error_messages={
            "min_value": _("Le nombre doit être au moins 1."),
            "max_value": _("Le nombre ne peut dépasser 1 000 000."),
            "invalid": _("Saisissez un nombre entier, par exemple 3."),
        },
    )
    details = forms.CharField(
        label=_("Précisions"),
        help_text=_("Facultatives : modèle, taille, conditions de prêt…"),
        max_length=250,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not data.get("kind") and (data.get("details") or data.get("quantity") not in (None, 1)):
            self.add_error("kind", _("Choisissez la ressource, ou videz cette ligne."))
        return data


class BaseResourceFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            kind = form.cleaned_data.get("kind")
            if not kind:
                continue
            if kind in seen:
                raise ValidationError(
                    _(
                        "« %(label)s » figure deux fois : indiquez le nombre total sur une "
                        "seule ligne."
                    ),
                    code="duplicate_resource",
                    params={"label": ResourceKind(kind).label},
                )
            seen.add(kind)

    def resources(self) -> list[tuple[str, int, str]]:
        """(kind, quantity, details) of the filled rows."""
        return [
            (
                form.cleaned_data["kind"],
                form.cleaned_data.get("quantity") or 1,
                form.cleaned_data.get("details", "").strip(),
            )
            for form in self.forms
            if form.cleaned_data.get("kind")
        ]


ResourceFormSet = forms.formset_factory(
    ResourceForm,
    formset=BaseResourceFormSet,
    extra=3,
    max_num=len(ResourceKind),
    validate_max=True,
)


def resource_formset(data=None, *, actor: Actor | None = None) -> BaseResourceFormSet:
    initial = None
    if actor is not None:
        initial = [
            {"kind": r.kind, "quantity": r.quantity, "details": r.details}
            for r in actor.resources.all()
        ]
    return ResourceFormSet(data, initial=initial, prefix="ressources")


class ModerationDecision(models.TextChoices):
    PUBLISH = "publish", _("Publier")
    REJECT = "reject", _("Refuser")


class ModerationForm(forms.Form):
    actor = forms.ModelChoiceField(
        queryset=Actor.objects.filter(Q(status=ModerationStatus.PENDING) | ~Q(proposed_name="")),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _(
                "Cet acteur n'attend plus de modération : quelqu'un d'autre l'a peut-être "
                "déjà traité."
            ),
            "required": _("Choisissez l'acteur à modérer."),
        },
    )
    decision = forms.ChoiceField(choices=ModerationDecision.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Motif du refus"),
        help_text=_("Obligatoire pour refuser : la personne qui a fait l'inscription le lira."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == ModerationDecision.REJECT and not data.get("reason", "").strip():
            self.add_error(
                "reason",
                _("Indiquez le motif du refus : la personne qui a fait l'inscription le lira."),
            )
        return data


# The largest file the import reads. Checked on the upload's size, before reading it.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000

SPREADSHEET_MESSAGES = {
    "empty": _("Le fichier est vide."),
    "unknown_encoding": _(
        "Le texte de ce fichier ne se lit dans aucun des encodages reconnus (UTF-8, "
        "Windows-1252, Latin-1, Mac Roman) : dans votre tableur, enregistrez-le au format "
        "« CSV UTF-8 »."
    ),
    "old_excel": _(
        "Ce fichier est au format Excel 97-2003 (.xls) : dans votre tableur, enregistrez-le "
        "au format « Classeur Excel (.xlsx) » ou « CSV UTF-8 »."
    ),
    "not_a_table": _(
        "Ce fichier n'est ni un tableau CSV ni un classeur XLSX : dans votre tableur, "
        "enregistrez-le au format « CSV UTF-8 » ou « Classeur Excel (.xlsx) »."
    ),
    "damaged_xlsx": _(
        "Ce classeur XLSX est endommagé et ne peut pas être lu : ouvrez-le dans votre tableur "
        "et enregistrez-le de nouveau."
    ),
    "unreadable_line": _(
        "La ligne %(line)s ne peut pas être découpée en cellules : un guillemet n'y est "
        "peut-être pas refermé. Vérifiez-la dans votre tableur."
    ),
    "too_many_rows": _(
        "Le fichier compte plus de %(limit)s lignes : découpez-le en plusieurs fichiers."
    ),
    "no_header": _(
        "Le fichier ne contient aucune ligne : la première doit donner le nom des colonnes."
    ),
    "duplicate_header": _("La colonne « %(column)s » est nommée deux fois dans la ligne 1."),
    "missing_columns": _(
        "La ligne 1 doit nommer les colonnes ; il y manque : %(columns)s. Colonnes lues : "
        "%(found)s."
    ),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Un tableau dont la ligne 1 nomme les colonnes ; 5 Mo et 20 000 lignes au plus."
        ),
        error_messages={
            "required": _("Choisissez le fichier à importer."),
            "empty": _("Le fichier est vide."),
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size first: a file too big is refused without being read.
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _(
                    "Le fichier pèse %(size)s ; la limite est de %(limit)s. Découpez-le en "
                    "plusieurs fichiers."
                ),
                code="too_big",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(MAX_IMPORT_BYTES),
                },
            )
        data = upload.read(MAX_IMPORT_BYTES + 1)
        try:
            sheet = spreadsheet.read_sheet(data, max_rows=MAX_IMPORT_ROWS)
        except spreadsheet.SpreadsheetError as error:
            raise ValidationError(self.describe(error), code=error.code) from None
        if not sheet.records:
            raise ValidationError(
                _(
                    "Le fichier ne contient aucun acteur : sous la ligne 1, qui nomme les "
                    "colonnes, chaque ligne décrit un acteur."
                ),
                code="no_rows",
            )
        return upload.name or "", data, sheet

    @staticmethod
    def describe(error: spreadsheet.SpreadsheetError) -> str:
        params = dict(error.params)
        if error.code == "too_many_rows":
            params["limit"] = intcomma(params["limit"])
        if error.code == "missing_columns":
            params["columns"] = ", ".join(f"« {c} »" for c in params["columns"])
            params["found"] = ", ".join(f"« {c} »" for c in params["found"] if c) or "—"
        message = str(SPREADSHEET_MESSAGES[error.code]) % params
        if error.code == "unknown_encoding":
            message += " " + _("Premier caractère illisible : ligne %(line)s.") % params
        return message


ENCODING_LABELS = {
    spreadsheet.UTF8: _("UTF-8"),
    spreadsheet.UTF8_BOM: _("UTF-8 (avec marque d'ordre des octets)"),
    "cp1252": _("Windows-1252 (Excel sous Windows)"),
    "latin_1": _("Latin-1 (ISO-8859-1)"),
    "mac_roman": _("Mac Roman"),
}
DELIMITER_LABELS = {
    ";": _("point-virgule (;)"),
    ",": _("virgule (,)"),
    "\t": _("tabulation"),
}
IGNORE_COLUMN = ""


def sheet_description(sheet: spreadsheet.Sheet) -> dict:
    """What the import says of the file it read: format, encoding and separator."""
    return {
        "format": "XLSX" if sheet.format == "xlsx" else "CSV",
        "encoding": ENCODING_LABELS.get(sheet.encoding, sheet.encoding),
        "delimiter": DELIMITER_LABELS.get(sheet.delimiter, sheet.delimiter),
        "rows": len(sheet.records),
    }


def _header_label(title: str, position: int) -> str:
    letter = spreadsheet.column_letter(position)
    if title:
        return _("%(letter)s — « %(title)s »") % {"letter": letter, "title": title}
    return _("%(letter)s — (colonne sans titre)") % {"letter": letter}


class ImportColumnsForm(forms.Form):
    """One select per header of the file: which column of the platform it holds."""

    def __init__(self, data=None, *, headers: list[str], initial_columns: list[str]):
        super().__init__(data)
        self.headers = headers
        choices = [
            (IGNORE_COLUMN, _("— ignorer cette colonne —")),
            *((column, column) for column in columns.IMPORT_COLUMNS),
        ]
        for position, title in enumerate(headers):
            initial = initial_columns[position] if position < len(initial_columns) else ""
            self.fields[f"colonne_{position}"] = forms.ChoiceField(
                label=_header_label(title, position),
                choices=choices,
                required=False,
                initial=initial or IGNORE_COLUMN,
            )

    def clean(self):
        data = super().clean()
        chosen: dict[str, int] = {}
        for position in range(len(self.headers)):
            name = f"colonne_{position}"
            column = data.get(name) or IGNORE_COLUMN
            if column == IGNORE_COLUMN:
                continue
            if column in chosen:
                other = chosen[column]
                self.add_error(
                    name,
                    _("La colonne « %(column)s » est déjà choisie pour %(other)s.")
                    % {"column": column, "other": _header_label(self.headers[other], other)},
                )
                continue
            chosen[column] = position
        missing = [c for c in columns.REQUIRED if c not in chosen]
        if missing:
            raise ValidationError(
                _("Choisissez les colonnes obligatoires ; il y manque : %(columns)s.")
                % {"columns": ", ".join(f"« {c} »" for c in missing)},
                code="missing_columns",
            )
        return data

    def chosen_columns(self) -> list[str]:
        return [
            self.cleaned_data.get(f"colonne_{i}") or IGNORE_COLUMN for i in range(len(self.headers))
        ]

    def bound_fields(self):
        return [self[f"colonne_{i}"] for i in range(len(self.headers))]


def value_choices(column: str) -> list:
    """What a word unknown to the import may be read as, for its column."""
    from kenlabour.network import importing

    if column == columns.KIND:
        return [
            ("", _("— choisir —")),
            (
                _("Type d'acteur"),
                [(kind.value, kind.label) for kind in ActorKind],
            ),
            (
                _("Organisation, de type"),
                [
                    (f"{ActorKind.ORGANISATION}{importing.KIND_CHOICE_SEPARATOR}{k.value}", k.label)
                    for k in OrganisationKind
                ],
            ),
        ]
    if column == columns.ORGANISATION_KIND:
        return [("", _("— choisir —")), *OrganisationKind.choices]
    return [
        ("", _("— choisir —")),
        (importing.IGNORE, _("ignorer cette ressource")),
        *(
            (
                category.label,
                [
                    (k.value, k.label)
                    for k in ResourceKind
                    if ResourceKind.category_of(k) == category
                ],
            )
            for category in ResourceCategory
        ),
    ]


class ImportValuesForm(forms.Form):
    """For each word the import does not know (`importing.unknown_values`), what it means:
    one select per word, grouped by column."""

    def __init__(self, data=None, *, unknown: dict[str, list[str]], chosen: dict | None = None):
        from kenlabour.network import vocabulary

        super().__init__(data)
        chosen = chosen or {}
        self.groups = []
        self.words = {}
        for column, words in unknown.items():
            names = []
            for index, word in enumerate(words):
                name = f"valeur_{column}_{index}"
                word_key = vocabulary.key(word)
                self.fields[name] = forms.ChoiceField(
                    label=word,
                    choices=value_choices(column),
                    initial=chosen.get(column, {}).get(word_key, ""),
                    error_messages={
                        "required": _("Choisissez ce que « %(word)s » veut dire.") % {"word": word}
                    },
                )
                self.words[name] = (column, word_key)
                names.append(name)
            self.groups.append((column, [self[name] for name in names]))

    def chosen_values(self) -> dict[str, dict[str, str]]:
        values: dict[str, dict[str, str]] = {}
        for name, (column, word_key) in self.words.items():
            values.setdefault(column, {})[word_key] = self.cleaned_data[name]
        return values


# The vocabulary columns, as the per-value step names them.
COLUMN_NAMES = {
    columns.KIND: _("Type d'acteur"),
    columns.ORGANISATION_KIND: _("Type d'organisation"),
    columns.RESOURCES: _("Ressources"),
}


class ImportConfirmForm(forms.Form):
    """The preview's button: the rows shown are imported."""


# What the import page says of each column: (name, required, what to write).
IMPORT_COLUMNS_HELP = [
    (columns.NAME, True, _("Le nom de la personne, de l'organisation ou du collectif.")),
    (columns.KIND, True, _("« personne », « organisation » ou « collectif ».")),
    (
        columns.ORGANISATION_KIND,
        False,
        _(
            "Pour une organisation : « Fablab », « Association », « Entreprise », « SARL », "
            "« Mairie »… (ou dans la colonne « type » directement)."
        ),
    ),
    (columns.SIRET, False, _("Pour une organisation : 14 chiffres.")),
    (
        columns.COMMUNE,
        False,
        _(
            "Obligatoire sauf pour un collectif sans lieu : nom, « nom (département) », "
            "code postal ou code INSEE."
        ),
    ),
    (
        columns.POSTCODE,
        False,
        _(
            "Le code postal, qui distingue les communes de même nom ; un zéro perdu au "
            "début (« 1000 ») est remis."
        ),
    ),
    (columns.ADDRESS, False, _("L'adresse du lieu.")),
    (columns.PLACE_LESS, False, _("« oui » pour un collectif sans lieu, sinon « non » ou vide.")),
    (
        columns.AREA,
        False,
        _(
            "Pour un collectif sans lieu : communes, intercommunalités ou départements "
            "séparés par « | », par exemple « Finistère|Morlaix »."
        ),
    ),
    (columns.DESCRIPTION, False, _("Une présentation en quelques phrases.")),
    (columns.SKILLS, False, _("Les savoir-faire, en texte libre.")),
    (columns.WEBSITE, False, _("L'adresse du site web.")),
    (columns.EMAIL, False, _("L'adresse e-mail de contact.")),
    (
        columns.PHONE,
        False,
        _(
            "Le numéro de téléphone, vérifié mais pas enregistré : l'annuaire ne publie "
            "pas de numéro."
        ),
    ),
    (
        columns.RESOURCES,
        False,
        _("Ressource et nombre, séparées par des virgules : « Imprimante 3D:4, Couture:1 »."),
    ),
    (
        columns.PUBLIC_CONSENT,
        False,
        _("Pour une personne : « oui » si elle accepte que sa page soit publique."),
    ),
]


# --- who could help, territorial engagement (graph helper) -----------------------------

DEFAULT_RADIUS_KM = 30


def resource_choices() -> list:
    """The resources, grouped by category (équipement, matière, compétence, lieu)."""
    return [
        ("", _("— choisir —")),
        *(
            (
                category.label,
                [
                    (k.value, k.label)
                    for k in ResourceKind
                    if ResourceKind.category_of(k) == category
                ],
            )
            for category in ResourceCategory
        ),
    ]


class WhoCouldHelpForm(forms.Form):
    """« J'ai besoin de <ressource> près de <commune> dans un rayon de <km> »."""

    ressource = forms.ChoiceField(
        label=_("J'ai besoin de"),
        choices=resource_choices,
        error_messages={
            "required": _("Choisissez la ressource dont vous avez besoin."),
            "invalid_choice": _("Choisissez une ressource de la liste."),
        },
    )
    commune = CommuneField(
        label=_("près de"),
        help_text=_(
            "Une commune : nom, nom et département — « Sainte-Marie (35) » — ou code postal."
        ),
        required=False,
    )
    rayon = RadiusField(label=_("dans un rayon de (km)"), initial=DEFAULT_RADIUS_KM)
    acteur = forms.CharField(widget=forms.HiddenInput, required=False, max_length=220)

    def __init__(self, data=None, *, user, **kwargs):
        self.user = user
        self.seeker: Actor | None = None
        super().__init__(data, **kwargs)

    @staticmethod
    def submitted(data) -> bool:
        return "ressource" in data

    def clean(self):
        data = super().clean()
        slug = (data.get("acteur") or "").strip()
        if slug:
            self.seeker = help_selectors.seeker_for(self.user, slug)
            if self.seeker is None:
                raise ValidationError(
                    _("Cet acteur n'existe pas ou sa page n'est pas publique."),
                    code="unknown_seeker",
                )
        else:
            self.seeker = help_selectors.own_actor(self.user)
        if not data.get("commune") and "commune" not in self.errors:
            if self.seeker is not None and self.seeker.commune_id:
                data["commune"] = self.seeker.commune
            else:
                self.add_error("commune", _("Indiquez près de quelle commune vous cherchez."))
        if data.get("rayon") is None and "rayon" not in self.errors:
            data["rayon"] = DEFAULT_RADIUS_KM
        return data

    def query(self) -> dict:
        """The selector's arguments."""
        return {
            "resource_kind": self.cleaned_data["ressource"],
            "commune": self.cleaned_data["commune"],
            "radius_km": self.cleaned_data["rayon"],
            "seeker": self.seeker,
        }


class EngagementForm(forms.Form):
    departement = forms.ModelChoiceField(
        label=_("Voir les intercommunalités et les collectifs du département"),
        queryset=Departement.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("— choisir un département —"),
        error_messages={"invalid_choice": _("Choisissez un département de la liste.")},
    )
    tri = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def choice(self) -> tuple[Departement | None, str]:
        """The département chosen (None if none or a wrong one) and the sort asked."""
        if not self.is_valid():
            return None, str(self.data.get("tri", ""))[:20]
        return self.cleaned_data["departement"], self.cleaned_data["tri"]


# --- directory, map and exports (directory helper) ------------------------------------


class EpciField(forms.CharField):
    """An intercommunality by name ("Quimper Bretagne Occidentale", accents and case
    ignored) or SIREN number; cleans to an `Epci`, with a French message at the field."""

    def prepare_value(self, value):
        if isinstance(value, Epci):
            return value.name
        return super().prepare_value(value)

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return directory_selectors.resolve_epci(text)
        except directory_selectors.EpciLookupError as error:
            raise ValidationError(error.message, code="epci") from error


class DepartementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class ActorSearchForm(forms.Form):
    """The filters of the directory, the map and the exports: a GET form, so that every
    search has an address one can bookmark, share or export. Every field is optional."""

    q = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=200,
        help_text=_(
            "Un nom, une activité, un savoir-faire ou une ressource, par exemple "
            "« découpeuse laser » ; les accents et les majuscules sont ignorés."
        ),
    )
    type = forms.ChoiceField(
        label=_("Type d'acteur"),
        required=False,
        choices=[("", _("Tous les types")), *ActorKind.choices],
    )
    type_organisation = forms.ChoiceField(
        label=_("Type d'organisation"),
        required=False,
        choices=[("", _("Toutes les organisations")), *OrganisationKind.choices],
    )
    ressource = forms.ChoiceField(label=_("Ressource"), required=False, choices=())
    departement = DepartementChoiceField(
        label=_("Département"),
        queryset=Departement.objects.only("code", "name").order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Tous les départements"),
        error_messages={"invalid_choice": _("Choisissez un département de la liste.")},
    )
    epci = EpciField(
        label=_("Intercommunalité"),
        required=False,
        max_length=200,
        help_text=_("Son nom ou son numéro SIREN, par exemple « Quimper Bretagne Occidentale »."),
    )
    commune = CommuneField(
        label=_("Commune"),
        required=False,
        help_text=_("Nom, nom et département — « Sainte-Marie (35) » — ou code postal."),
    )
    rayon = RadiusField(help_text=_("Laissez vide pour ne chercher que dans la commune."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = resource_choices()
        self.fields["ressource"].choices = [("", _("Toutes les ressources")), *choices[1:]]

    def clean(self):
        data = super().clean()
        if data.get("rayon") and not data.get("commune") and "commune" not in self.errors:
            self.add_error(
                "commune", _("Indiquez la commune autour de laquelle chercher dans ce rayon.")
            )
        return data

    def filters(self) -> directory_selectors.ActorFilters:
        """The selector's filters (the form must be valid)."""
        data = self.cleaned_data
        return directory_selectors.ActorFilters(
            text=data["q"],
            kind=data["type"],
            organisation_kind=data["type_organisation"],
            resource_kind=data["ressource"],
            departement=data["departement"],
            epci=data["epci"],
            commune=data["commune"],
            radius_km=data["rayon"],
        )


# --- introductions (mises en relation) ---------------------------------------------------


class IntroductionRequestForm(forms.Form):
    """Who asks, what for, which resource, and the contact details the actor will see if it
    accepts; through the person who knows both, when there is one."""

    requester_actor = forms.ModelChoiceField(
        label=_("Vous écrivez au nom de"), queryset=Actor.objects.none(), empty_label=None
    )
    resource_kind = forms.ChoiceField(label=_("Ressource qui vous intéresse"), required=False)
    message = forms.CharField(
        label=_("Pourquoi souhaitez-vous entrer en contact ?"),
        help_text=_("Votre projet, ce que vous attendez ; 2 000 caractères au plus."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Dites pourquoi vous écrivez.")},
    )
    contact = forms.CharField(
        label=_("Vos coordonnées, transmises seulement si la demande est acceptée"),
        help_text=_("Une adresse e-mail, un téléphone : ce que vous voulez bien donner."),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        error_messages={"required": _("Indiquez comment vous joindre.")},
    )
    through_intermediary = forms.BooleanField(required=False)

    def __init__(self, *args, requesters, target: Actor, intermediary=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.intermediary = intermediary
        self.fields["requester_actor"].queryset = Actor.objects.filter(
            pk__in=[actor.pk for actor in requesters]
        ).order_by("kind", "name", "pk")
        if requesters:
            self.fields["requester_actor"].initial = requesters[0].pk
        kinds = sorted({resource.kind for resource in target.resources.all()})
        self.fields["resource_kind"].choices = [("", _("Aucune en particulier"))] + [
            (kind, ResourceKind(kind).label) for kind in kinds
        ]
        if intermediary is None:
            del self.fields["through_intermediary"]
        else:
            self.fields["through_intermediary"].label = _(
                "Demander à %(name)s de me présenter (a travaillé avec vous et avec %(target)s)"
            ) % {"name": intermediary.label, "target": target.name}

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 20:
            raise ValidationError(
                _("Dites en quelques mots (20 caractères au moins) pourquoi vous écrivez."),
                code="too_short",
            )
        return message


class IntroductionDecision(models.TextChoices):
    ACCEPT = "accept", _("Accepter")
    DECLINE = "decline", _("Refuser")
    PRESENT = "present", _("Présenter")


class IntroductionAnswerForm(forms.Form):
    """One of the answers to a request: accept (with the contact details to give), decline
    (with an optional word, and whether to block the requester), or, for an intermediary,
    present the requester."""

    decision = forms.ChoiceField(choices=IntroductionDecision.choices, widget=forms.HiddenInput)
    contact = forms.CharField(
        label=_("Vos coordonnées, transmises au demandeur"),
        help_text=_("Une adresse e-mail, un téléphone : ce que vous voulez bien donner."),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    message = forms.CharField(
        label=_("Un mot pour le demandeur (facultatif)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    block = forms.BooleanField(
        label=_("Ne plus recevoir de demande de cette personne"), required=False
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") == IntroductionDecision.ACCEPT
            and not data.get("contact", "").strip()
        ):
            self.add_error("contact", _("Indiquez les coordonnées à transmettre au demandeur."))
        return data


class IntroductionReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Ce qui ne va pas dans cette demande"),
        help_text=_("Insulte, démarchage, harcèlement… L'équipe du laboratoire lit ce motif."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Dites ce qui ne va pas.")},
    )
