"""Validation of an imported table of actors, row by row, before anything is written.

`services.imports.import_actors` calls `validate_table`; nothing here writes. Each row is checked
by a Django form whose fields are the file's columns, so every message is in French and
tied to a line and a column; duplicates are then looked for within the file and against
the directory (same SIRET, or same name in the same commune), and rows repeated exactly.

Kinds of actors, of organisations and resources are read by `Vocabulary`: the choices'
values and labels, the usual words of vocabulary.py, and what the importing person chose
for the words still unknown (`unknown_values` lists them for that step). A postcode column
tells apart communes of the same name; phone numbers are checked with phonenumbers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenlabour.network import columns, vocabulary
from kenlabour.network.enums import ActorKind, OrganisationKind, ResourceKind
from kenlabour.network.selectors import areas as area_selectors
from kenlabour.network.selectors import duplicates as duplicate_selectors
from kenlabour.network.spreadsheet import Row, Table, parse_quantities, split_list
from kenlabour.network.validators import normalise_siret, validate_siret
from kenlabour.territories import selectors as territories
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Commune

YES_WORDS = {"oui", "o", "vrai", "1", "x", "yes", "y", "true"}
NO_WORDS = {"non", "n", "faux", "0", "", "no", "false"}


@dataclass(frozen=True)
class CellError:
    line: int
    column: str  # the column's name, as in columns.py
    letter: str  # the spreadsheet letter of the column, "" when the file lacks it
    value: str  # what the cell holds
    message: str


@dataclass
class ValidRow:
    line: int
    fields: dict  # Actor fields
    area: area_selectors.AreaOfAction = field(default_factory=area_selectors.AreaOfAction)
    resources: list[tuple[str, int]] = field(default_factory=list)
    phone: str = ""  # checked and shown in the preview; the directory keeps no phone


class Lookups:
    """The gazetteer lookups of one import: each distinct commune or area entry once,
    the usual forms in bulk (see area_selectors.CommuneResolver)."""

    def __init__(self):
        self.communes = area_selectors.CommuneResolver()
        self.areas = area_selectors.AreaResolver(self.communes)

    def prefetch(self, rows: list[Row]) -> None:
        self.communes.prefetch(commune_text(row.cells) for row in rows)
        self.areas.prefetch(
            entry
            for row in rows
            for entry in split_list(row.cells.get(columns.AREA, ""), columns.AREA_SEPARATOR)
        )

    def commune(self, text: str) -> Commune:
        try:
            return self.communes.resolve(text)
        except territories.CommuneLookupError as error:
            raise ValidationError(error.message, code="commune") from None


@functools.cache
def _index(choices_class, language: str) -> dict[str, str]:
    """normalised value, French label or label in `language` -> value."""
    index = {}
    for value, label in choices_class.choices:
        index[normalise(str(value))] = value
        with translation.override(language):
            index[normalise(str(label))] = value
    with translation.override("fr"):
        for value, label in choices_class.choices:
            index[normalise(str(label))] = value
    return index


def _choice_index(choices_class) -> dict[str, str]:
    """What a cell may say for one of these choices: its value (`fablab`) or its label,
    in French (what exports write) or in the importer's language."""
    return _index(choices_class, translation.get_language() or "fr")


# What the per-value step offers for a word of the `type` column: an actor kind, or an
# organisation of a kind ("organisation:fablab"), as the word "Fablab" in that column says.
KIND_CHOICE_SEPARATOR = ":"
# The choice "ignore this resource" of the per-value step.
IGNORE = "-"
VOCABULARY_COLUMNS = (columns.KIND, columns.ORGANISATION_KIND, columns.RESOURCES)


@functools.cache
def _words() -> dict[str, dict[str, str]]:
    return {
        "actor": vocabulary.index(
            {
                **{kind: (kind,) for kind in ActorKind.values},
                **{
                    kind: (word, *vocabulary.ACTOR_KIND_WORDS.get(kind, ()))
                    for word, kind in columns.KINDS.items()
                },
            }
        ),
        "organisation": vocabulary.index(vocabulary.ORGANISATION_KIND_WORDS),
        "resource": vocabulary.index(vocabulary.RESOURCE_KIND_WORDS),
    }


def _labels_index(choices_class) -> dict[str, str]:
    return {vocabulary.key(label): value for label, value in _choice_index(choices_class).items()}


class Vocabulary:
    """How one import reads the words of the kind, organisation kind and resources
    columns: the choices' values and labels (what exports write), the usual words
    (vocabulary.py), then what the person chose for the words unknown to both (`chosen`:
    {column: {vocabulary.key(word): value}})."""

    def __init__(self, chosen: dict | None = None):
        chosen = chosen or {}
        words = _words()
        organisation = {**words["organisation"], **_labels_index(OrganisationKind)}
        self.organisation = {**organisation, **chosen.get(columns.ORGANISATION_KIND, {})}
        self.resource = {
            **words["resource"],
            **_labels_index(ResourceKind),
            **chosen.get(columns.RESOURCES, {}),
        }
        kinds = {word: (kind, "") for word, kind in words["actor"].items()}
        kinds.update(
            {word: (ActorKind.ORGANISATION.value, kind) for word, kind in organisation.items()}
        )
        for word, choice in chosen.get(columns.KIND, {}).items():
            kind, _sep, organisation_kind = choice.partition(KIND_CHOICE_SEPARATOR)
            kinds[word] = (kind, organisation_kind)
        # An actor kind's own word wins over an organisation kind's ("collectif").
        kinds.update({word: (kind, "") for word, kind in words["actor"].items()})
        self.kind = kinds

    def kind_of(self, text: str) -> tuple[str, str] | None:
        """(ActorKind, OrganisationKind or "") of a `type` cell, or None."""
        return self.kind.get(vocabulary.key(text))

    def organisation_kind_of(self, text: str) -> str | None:
        return self.organisation.get(vocabulary.key(text))

    def resource_of(self, text: str) -> str | None:
        """The ResourceKind, IGNORE for a word the person chose to ignore, or None."""
        return self.resource.get(vocabulary.key(text))

    def is_known(self, column: str, text: str) -> bool:
        if column == columns.KIND:
            return self.kind_of(text) is not None
        if column == columns.ORGANISATION_KIND:
            return self.organisation_kind_of(text) is not None
        return self.resource_of(text) is not None


# The per-value step lists this many unknown words of a column at most (the others are
# reported as errors, and the person corrects them in the file).
MAX_UNKNOWN_VALUES = 40


def unknown_values(table: Table, vocabulary_: Vocabulary) -> dict[str, list[str]]:
    """{column: [words]}: the distinct words of the vocabulary columns that the import
    does not know, in the order of the file (each once, by its key)."""
    found: dict[str, dict[str, str]] = {c: {} for c in VOCABULARY_COLUMNS if c in table.columns}
    for row in table.rows:
        for column, words in found.items():
            text = row.cells.get(column, "")
            if column == columns.RESOURCES:
                items = [
                    label
                    for label, _quantity in parse_quantities(
                        text,
                        separator=columns.RESOURCE_SEPARATOR,
                        quantity_separator=columns.QUANTITY_SEPARATOR,
                    )
                ]
            else:
                items = [text] if text else []
            for item in items:
                word_key = vocabulary.key(item)
                if (
                    word_key
                    and word_key not in words
                    and len(words) < MAX_UNKNOWN_VALUES
                    and not vocabulary_.is_known(column, item)
                ):
                    words[word_key] = " ".join(item.split())
    return {column: list(words.values()) for column, words in found.items() if words}


class _KindField(forms.CharField):
    vocabulary: Vocabulary

    def clean(self, value):
        text = super().clean(value)
        kind = self.vocabulary.kind_of(text)
        if kind is None:
            raise ValidationError(
                _("Type « %(value)s » inconnu : écrivez %(words)s.")
                % {"value": text, "words": ", ".join(f"« {w} »" for w in columns.KINDS)},
                code="unknown_kind",
            )
        return kind


class _OrganisationKindField(forms.CharField):
    vocabulary: Vocabulary

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return ""
        kind = self.vocabulary.organisation_kind_of(text)
        if kind is None:
            raise ValidationError(
                _("Type d'organisation « %(value)s » inconnu. Types possibles : %(labels)s.")
                % {
                    "value": text,
                    "labels": ", ".join(f"« {label} »" for label in OrganisationKind.labels),
                },
                code="unknown_organisation_kind",
            )
        return kind


class _YesNoField(forms.CharField):
    def clean(self, value):
        text = normalise(super().clean(value))
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
        raise ValidationError(
            _("Écrivez « %(yes)s » ou « %(no)s ».") % {"yes": columns.YES, "no": columns.NO},
            code="yes_no",
        )


class _SiretField(forms.CharField):
    def clean(self, value):
        siret = normalise_siret(super().clean(value))
        if siret:
            validate_siret(siret)
        return siret


class _CommuneField(forms.CharField):
    lookups: Lookups

    def clean(self, value):
        text = super().clean(value)
        return self.lookups.commune(text) if text else None


class _AreaField(forms.CharField):
    lookups: Lookups

    def clean(self, value):
        entries = split_list(super().clean(value), columns.AREA_SEPARATOR)
        area, errors = self.lookups.areas.resolve_all(entries)
        if errors:
            raise ValidationError(errors, code="unknown_territory")
        return area


class _ResourcesField(forms.CharField):
    vocabulary: Vocabulary

    def clean(self, value):
        text = super().clean(value)
        found: dict[str, int] = {}
        errors = []
        for label, quantity_text in parse_quantities(
            text,
            separator=columns.RESOURCE_SEPARATOR,
            quantity_separator=columns.QUANTITY_SEPARATOR,
        ):
            kind = self.vocabulary.resource_of(label)
            if kind == IGNORE:
                continue
            if kind is None:
                errors.append(
                    _("Ressource « %(label)s » inconnue. Ressources possibles : %(labels)s.")
                    % {
                        "label": label,
                        "labels": ", ".join(f"« {lbl} »" for lbl in ResourceKind.labels),
                    }
                )
                continue
            quantity_text = quantity_text.replace(" ", "").replace("\u202f", "")
            if not quantity_text:
                quantity = 1
            elif quantity_text.isdigit() and int(quantity_text) >= 1:
                quantity = int(quantity_text)
            else:
                errors.append(
                    _(
                        "« %(label)s » : le nombre « %(quantity)s » doit être un entier d'au "
                        "moins 1, par exemple « %(label)s:2 »."
                    )
                    % {"label": label, "quantity": quantity_text}
                )
                continue
            if kind in found:
                errors.append(
                    _("« %(label)s » figure deux fois : indiquez le nombre total une fois.")
                    % {"label": label}
                )
                continue
            found[kind] = quantity
        if errors:
            raise ValidationError(errors, code="resources")
        return list(found.items())


POSTCODE_RE = re.compile(r"\d{5}")


def normalise_postcode(text: str) -> str:
    """A postcode as written: spaces dropped, and the leading zero a spreadsheet took
    for a number's put back ("1000" -> "01000", "1000.0" -> "01000")."""
    text = "".join(text.split())
    if text.endswith(".0"):
        text = text[:-2]
    if text.isdigit() and len(text) == 4:
        text = "0" + text
    return text


def commune_text(cells: dict) -> str:
    """What the commune is looked up by: the commune's cell, narrowed by a valid postcode
    ("Plouhinec (56680)"), or the postcode alone when the commune's cell is empty."""
    commune = cells.get(columns.COMMUNE, "")
    postcode = normalise_postcode(cells.get(columns.POSTCODE, ""))
    if not POSTCODE_RE.fullmatch(postcode):
        return commune
    return f"{commune} ({postcode})" if commune else postcode


class _PostcodeField(forms.CharField):
    def clean(self, value):
        text = normalise_postcode(super().clean(value))
        if text and not POSTCODE_RE.fullmatch(text):
            raise ValidationError(
                _("Un code postal a 5 chiffres, par exemple « 29000 »."), code="postcode"
            )
        return text


PHONE_REGION = "FR"


class _PhoneField(forms.CharField):
    """A phone number, French unless it says otherwise (+32…): returned in its national
    form ("02 98 00 00 00"), or in its international form for a foreign one."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return ""
        try:
            number = phonenumbers.parse(text, PHONE_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise ValidationError(
                _(
                    "Numéro de téléphone invalide : écrivez ses 10 chiffres, par exemple "
                    "« 02 98 00 00 00 », ou « +32 2 555 12 12 » hors de France."
                ),
                code="phone",
            )
        if phonenumbers.region_code_for_number(number) == PHONE_REGION:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _text(max_length: int | None = None, **kwargs) -> forms.CharField:
    return forms.CharField(required=False, max_length=max_length, **kwargs)


ROW_FIELDS = {
    columns.NAME: forms.CharField(
        max_length=200,
        error_messages={"required": gettext_lazy("Le nom est vide.")},
    ),
    columns.KIND: _KindField(
        error_messages={
            "required": gettext_lazy(
                "Le type est vide : écrivez « personne », « organisation » ou « collectif »."
            )
        }
    ),
    columns.ORGANISATION_KIND: _OrganisationKindField(required=False),
    columns.SIRET: _SiretField(required=False),
    columns.COMMUNE: _CommuneField(required=False, max_length=120),
    columns.POSTCODE: _PostcodeField(required=False),
    columns.ADDRESS: _text(250),
    columns.PLACE_LESS: _YesNoField(required=False),
    columns.AREA: _AreaField(required=False),
    columns.DESCRIPTION: _text(5000),
    columns.SKILLS: _text(2000),
    columns.WEBSITE: forms.URLField(required=False, assume_scheme="https"),
    columns.EMAIL: forms.EmailField(required=False),
    columns.PHONE: _PhoneField(required=False),
    columns.RESOURCES: _ResourcesField(required=False),
    columns.PUBLIC_CONSENT: _YesNoField(required=False),
}


class BaseRowForm(forms.Form):
    """A row of the file; its fields are named after the columns.

    One form checks every row of a file in turn (`check`): Django copies a form's fields
    each time it makes one, which for 20,000 rows costs more than checking them."""

    def __init__(self, *, lookups: Lookups, vocabulary: Vocabulary | None = None):
        super().__init__(data={})
        self.fields[columns.COMMUNE].lookups = lookups
        self.fields[columns.AREA].lookups = lookups
        vocabulary = vocabulary or Vocabulary()
        for column in VOCABULARY_COLUMNS:
            self.fields[column].vocabulary = vocabulary

    def check(self, cells: dict) -> bool:
        """Bind the form to this row's cells and validate them. A postcode narrows the
        commune ("Saint-Martin (35…)"), or stands for it when the commune is empty."""
        if columns.POSTCODE in cells:
            cells = {**cells, columns.COMMUNE: commune_text(cells)}
        self.data = cells
        self._errors = None
        self.cleaned_data = {}
        return self.is_valid()

    def clean(self):
        data = super().clean()
        kind_and_hint = data.get(columns.KIND)
        if kind_and_hint is None:
            return data
        kind, hint = kind_and_hint
        data[columns.KIND] = kind
        # "Fablab" in the type column says the organisation's kind, when its own column
        # (absent, or empty on this row) does not.
        if (
            hint
            and not data.get(columns.ORGANISATION_KIND)
            and (columns.ORGANISATION_KIND not in self.errors)
        ):
            data[columns.ORGANISATION_KIND] = hint
        organisation_kind = data.get(columns.ORGANISATION_KIND)
        if kind == ActorKind.ORGANISATION:
            if organisation_kind == "" and columns.ORGANISATION_KIND not in self.errors:
                self.add_error(
                    columns.ORGANISATION_KIND,
                    _("Indiquez le type d'organisation, par exemple « %(example)s ».")
                    % {"example": OrganisationKind.ASSOCIATION.label},
                )
        else:
            if organisation_kind:
                self.add_error(
                    columns.ORGANISATION_KIND,
                    _("Seule une organisation a un type d'organisation : videz cette case."),
                )
            if data.get(columns.SIRET):
                self.add_error(
                    columns.SIRET,
                    _("Seule une organisation a un numéro SIRET : videz cette case."),
                )
        place_less = data.get(columns.PLACE_LESS)
        if place_less and kind != ActorKind.COLLECTIVE:
            self.add_error(
                columns.PLACE_LESS, _("Seul un collectif peut être sans lieu : écrivez « non ».")
            )
        elif place_less:
            if data.get(columns.COMMUNE):
                self.add_error(
                    columns.COMMUNE,
                    _(
                        "Un collectif sans lieu n'a pas de commune : videz cette case et "
                        "remplissez la zone d'action."
                    ),
                )
            if data.get(columns.ADDRESS):
                self.add_error(
                    columns.ADDRESS,
                    _("Un collectif sans lieu n'a pas d'adresse : videz cette case."),
                )
            if columns.AREA not in self.errors and not data.get(columns.AREA):
                self.add_error(
                    columns.AREA,
                    _(
                        "Un collectif sans lieu a une zone d'action : communes, "
                        "intercommunalités ou départements séparés par « %(sep)s »."
                    )
                    % {"sep": columns.AREA_SEPARATOR},
                )
        elif (
            place_less is False
            and columns.COMMUNE not in self.errors
            and data.get(columns.COMMUNE) is None
        ):
            self.add_error(
                columns.COMMUNE,
                _(
                    "La commune est vide : écrivez son nom, son code postal ou son code INSEE "
                    "(ou « oui » dans la colonne « %(column)s » pour un collectif sans lieu)."
                )
                % {"column": columns.PLACE_LESS},
            )
        return data

    def valid_row(self, line: int) -> ValidRow:
        data = self.cleaned_data
        kind = data[columns.KIND]
        place_less = bool(data[columns.PLACE_LESS])
        return ValidRow(
            line=line,
            fields={
                "kind": kind,
                "name": " ".join(data[columns.NAME].split()),
                "organisation_kind": data[columns.ORGANISATION_KIND],
                "siret": data[columns.SIRET],
                "commune": data[columns.COMMUNE],
                "address": data[columns.ADDRESS],
                "place_less": place_less,
                "description": data[columns.DESCRIPTION],
                "skills": data[columns.SKILLS],
                "website": data[columns.WEBSITE],
                "email": data[columns.EMAIL],
                "public_consent": kind == ActorKind.PERSON and bool(data[columns.PUBLIC_CONSENT]),
            },
            area=data[columns.AREA],
            resources=data[columns.RESOURCES],
            phone=data[columns.PHONE],
        )


RowForm = type("RowForm", (BaseRowForm,), dict(ROW_FIELDS))


def _messages(error_list) -> list[str]:
    return [str(message) for message in error_list]


def _cell_error(table: Table, row: Row, column: str, message: str) -> CellError:
    return CellError(
        line=row.line,
        column=column,
        letter=table.letter(column) if column in table.columns else "",
        value=row.cells.get(column, ""),
        message=message,
    )


# A check in the background tells how far it went every so many rows.
PROGRESS_EVERY = 500


def validate_table(
    table: Table, vocabulary_: Vocabulary | None = None, progress=None
) -> tuple[list[ValidRow], list[CellError]]:
    """Check every row; return the valid rows and the errors (sorted by line, then
    column). The import may write only when there is no error at all. `progress`, when
    given, is called with the number of rows checked, every PROGRESS_EVERY rows."""
    lookups = Lookups()
    lookups.prefetch(table.rows)
    form = RowForm(lookups=lookups, vocabulary=vocabulary_)
    order = {column: index for index, column in enumerate(columns.IMPORT_COLUMNS)}
    valid: list[ValidRow] = []
    errors: list[CellError] = []
    rows_by_line = {}
    repeated = _repeated_rows(table)
    for checked, row in enumerate(table.rows):
        if progress is not None and checked and checked % PROGRESS_EVERY == 0:
            progress(checked)
        rows_by_line[row.line] = row
        if row.line in repeated:
            errors.append(
                _cell_error(
                    table,
                    row,
                    columns.NAME,
                    _("Cette ligne est identique à la ligne %(line)d : supprimez l'une des deux.")
                    % {"line": repeated[row.line]},
                )
            )
        if form.check(row.cells):
            valid.append(form.valid_row(row.line))
            continue
        for column, error_list in form.errors.items():
            column = columns.NAME if column == forms.forms.NON_FIELD_ERRORS else column
            errors.extend(
                _cell_error(table, row, column, message) for message in _messages(error_list)
            )

    errors.extend(_duplicates(table, [r for r in valid if r.line not in repeated], rows_by_line))
    errors.sort(key=lambda e: (e.line, order.get(e.column, 99)))
    return valid, errors


def _repeated_rows(table: Table) -> dict[int, int]:
    """{line: the earlier line it repeats exactly} (every cell the same, spaces around
    aside): a row pasted twice, said as such whatever else is wrong with it."""
    first: dict[tuple, int] = {}
    repeated = {}
    keys = sorted(table.columns)
    for row in table.rows:
        cells = tuple(row.cells.get(k, "") for k in keys)
        if cells in first:
            repeated[row.line] = first[cells]
        else:
            first[cells] = row.line
    return repeated


def _place_name(commune: Commune | None) -> str:
    return f"{commune.name} ({commune.departement_id})" if commune else _("sans lieu")


def _duplicates(table: Table, valid: list[ValidRow], rows_by_line) -> list[CellError]:
    """Same SIRET, or same name in the same commune (or both place-less): within the file,
    and against the directory."""
    errors = []
    by_siret: dict[str, int] = {}
    by_name: dict[tuple[str, str | None], int] = {}
    siret_taken = duplicate_selectors.siret_holders(
        r.fields["siret"] for r in valid if r.fields["siret"]
    )
    name_taken = duplicate_selectors.existing_actor_keys(
        (r.fields["commune"].pk for r in valid if r.fields["commune"]),
        (normalise(r.fields["name"]) for r in valid if r.fields["commune"] is None),
    )
    for row in valid:
        cells = rows_by_line[row.line]
        siret = row.fields["siret"]
        if siret:
            if siret in by_siret:
                errors.append(
                    _cell_error(
                        table,
                        cells,
                        columns.SIRET,
                        _("Ce numéro SIRET figure déjà ligne %(line)d du fichier.")
                        % {"line": by_siret[siret]},
                    )
                )
            elif siret in siret_taken:
                errors.append(
                    _cell_error(
                        table,
                        cells,
                        columns.SIRET,
                        _("Ce numéro SIRET est déjà celui de « %(name)s » dans l'annuaire.")
                        % {"name": siret_taken[siret]},
                    )
                )
            by_siret.setdefault(siret, row.line)
        commune = row.fields["commune"]
        key = (normalise(row.fields["name"]), commune.pk if commune else None)
        params = {"name": row.fields["name"], "place": _place_name(commune)}
        if key in by_name:
            errors.append(
                _cell_error(
                    table,
                    cells,
                    columns.NAME,
                    _("« %(name)s » (%(place)s) figure déjà ligne %(line)d du fichier.")
                    % {**params, "line": by_name[key]},
                )
            )
        elif key in name_taken:
            errors.append(
                _cell_error(
                    table,
                    cells,
                    columns.NAME,
                    _("« %(name)s » (%(place)s) existe déjà dans l'annuaire.") % params,
                )
            )
        by_name.setdefault(key, row.line)
    return errors


@dataclass(frozen=True)
class PreviewRow:
    line: int
    name: str
    kind: str  # "Organisation — Fablab"
    place: str  # "Quimper (29)", "sans lieu : Finistère"
    email: str
    phone: str
    resources: str  # "Imprimante 3D × 2, Couture × 1"
    errors: list[CellError]


def preview_rows(
    table: Table, valid: list[ValidRow], errors: list[CellError], count: int
) -> list[PreviewRow]:
    """The first `count` rows of the table as they will be imported, or with their errors."""
    valid_by_line = {row.line: row for row in valid}
    errors_by_line: dict[int, list[CellError]] = {}
    for error in errors:
        errors_by_line.setdefault(error.line, []).append(error)
    preview = []
    for row in table.rows[:count]:
        found = valid_by_line.get(row.line)
        line_errors = errors_by_line.get(row.line, [])
        if found is None:
            preview.append(
                PreviewRow(
                    row.line, row.cells.get(columns.NAME, ""), "", "", "", "", "", line_errors
                )
            )
            continue
        fields = found.fields
        kind = str(ActorKind(fields["kind"]).label)
        if fields["organisation_kind"]:
            kind += " — " + str(OrganisationKind(fields["organisation_kind"]).label)
        commune = fields["commune"]
        if commune is not None:
            place = _place_name(commune)
        else:
            area = [
                t.name for t in (*found.area.departements, *found.area.epcis, *found.area.communes)
            ]
            place = _("sans lieu : %(area)s") % {"area": ", ".join(area)}
        preview.append(
            PreviewRow(
                line=row.line,
                name=fields["name"],
                kind=kind,
                place=place,
                email=fields["email"],
                phone=found.phone,
                resources=", ".join(
                    f"{ResourceKind(kind_).label} × {quantity}"
                    for kind_, quantity in found.resources
                ),
                errors=line_errors,
            )
        )
    return preview
