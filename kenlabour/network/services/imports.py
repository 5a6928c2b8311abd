"""Importing a table of actors: its steps (file, columns, words, preview) and the check of
a big file in the background."""

import dataclasses
import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenlabour.accounts.perms import can
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction
from kenlabour.network import columns, importing, spreadsheet
from kenlabour.network.enums import (
    ImportState,
    ModerationStatus,
    ResourceKind,
)
from kenlabour.network.models import (
    Actor,
    ImportMapping,
    PendingImport,
    Resource,
)
from kenlabour.network.services.actors import place_actor, search_text_of


class ImportRejected(Exception):
    """The file has errors (`errors`: importing.CellError, by line and column), or could
    not be written (`message`): nothing was written."""

    def __init__(self, errors=(), message: str = ""):
        super().__init__(message or f"{len(errors)} errors")
        self.errors = list(errors)
        self.message = message


@dataclass(frozen=True)
class ImportResult:
    created: dict[str, int]  # ActorKind value -> number of actors created

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _unique_slugs(names: list[str]) -> list[str]:
    """Page addresses for many names at once, unique among themselves and in the
    database, as `unique_slug` makes them ("name", then "name-2"…): one query per 500
    distinct names, plus one per 200 names already taken or repeated in the file."""
    bases = [slugify(name)[:200] or "acteur" for name in names]
    distinct = sorted(set(bases))
    taken: set[str] = set()
    for start in range(0, len(distinct), 500):
        taken.update(
            Actor.objects.filter(slug__in=distinct[start : start + 500]).values_list(
                "slug", flat=True
            )
        )
    repeated = {base for base, count in Counter(bases).items() if count > 1}
    numbered = sorted((taken & set(distinct)) | repeated)
    for start in range(0, len(numbered), 200):
        query = Q()
        for base in numbered[start : start + 200]:
            query |= Q(slug__startswith=f"{base}-")
        taken.update(Actor.objects.filter(query).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        slugs.append(candidate)
    return slugs


@transaction.atomic
def import_actors(user, table, vocabulary: importing.Vocabulary | None = None) -> ImportResult:
    """A facilitator imports a table of actors (see columns.py). Every row is checked
    first; if any is wrong, `ImportRejected` lists the errors and nothing is written.
    Imported actors are published: the facilitator vouches for them."""
    if not can(user, "network.import_actors"):
        raise PermissionDenied("Seuls les animateurs du laboratoire importent des acteurs.")
    rows, errors = importing.validate_table(table, vocabulary)
    if errors:
        raise ImportRejected(errors)
    return _create_actors(user, rows)


@transaction.atomic
def _create_actors(user, rows: list[importing.ValidRow]) -> ImportResult:
    """Write the checked rows, all of them or none (one transaction)."""
    actors = []
    for row, slug in zip(rows, _unique_slugs([r.fields["name"] for r in rows]), strict=True):
        actor = Actor(**row.fields, slug=slug, status=ModerationStatus.PUBLISHED, created_by=user)
        place_actor(actor)
        actor.search_text = search_text_of(
            actor, [str(ResourceKind(kind).label) for kind, _quantity in row.resources]
        )
        actors.append(actor)
    try:
        with transaction.atomic():
            Actor.objects.bulk_create(actors, batch_size=500)
            Resource.objects.bulk_create(
                [
                    Resource(actor=actor, kind=kind, quantity=quantity)
                    for actor, row in zip(actors, rows, strict=True)
                    for kind, quantity in row.resources
                ],
                batch_size=1000,
            )
            for relation, attribute in (
                (Actor.area_communes, "communes"),
                (Actor.area_epcis, "epcis"),
                (Actor.area_departements, "departements"),
            ):
                through = relation.through
                target = relation.field.m2m_reverse_field_name()
                through.objects.bulk_create(
                    [
                        through(actor_id=actor.pk, **{f"{target}_id": territory.pk})
                        for actor, row in zip(actors, rows, strict=True)
                        for territory in getattr(row.area, attribute)
                    ],
                    batch_size=1000,
                )
    except IntegrityError:
        # Another import or registration took a SIRET or an address meanwhile.
        raise ImportRejected(
            message=_(
                "Le fichier n'a pas pu être enregistré : l'annuaire a changé pendant "
                "l'import. Envoyez-le de nouveau."
            )
        ) from None
    audit.record(
        AuditAction.ACTORS_IMPORTED,
        actor=user,
        summary=_("%(count)s acteurs importés") % {"count": len(actors)},
    )
    return ImportResult(created=dict(Counter(str(actor.kind) for actor in actors)))


def _require_importer(user) -> None:
    if not can(user, "network.import_actors"):
        raise PermissionDenied("Seuls les animateurs du laboratoire importent des acteurs.")


# A file sent and neither imported nor abandoned is deleted after this many days.
PENDING_IMPORT_DAYS = 7


def start_import(user, filename: str, data: bytes, sheet: spreadsheet.Sheet) -> PendingImport:
    """Keep the file for the next steps, with the columns proposed: those chosen last time
    for a file with the same headers, else those the headers name (columns.HEADER_SYNONYMS).
    A person has one import under way; a new file replaces the previous one. Files left
    unimported for PENDING_IMPORT_DAYS are deleted then (they hold names and addresses)."""
    _require_importer(user)
    PendingImport.objects.filter(
        created_at__lt=timezone.now() - datetime.timedelta(days=PENDING_IMPORT_DAYS)
    ).delete()
    saved = ImportMapping.objects.filter(
        user=user, signature=spreadsheet.headers_signature(sheet.headers)
    ).first()
    if saved is not None and len(saved.columns) == len(sheet.headers):
        proposed, values = saved.columns, saved.values
    else:
        synonyms = {c: columns.HEADER_SYNONYMS.get(c, ()) for c in columns.IMPORT_COLUMNS}
        proposed = [c or "" for c in spreadsheet.propose_mapping(sheet.headers, synonyms)]
        values = saved.values if saved is not None else {}
    pending, _created = PendingImport.objects.update_or_create(
        user=user,
        defaults={
            "filename": filename[:255],
            "data": data,
            "columns": proposed,
            "values": values,
            "state": ImportState.READY,
            "checked_rows": 0,
            "total_rows": len(sheet.records),
            "outcome": {},
        },
    )
    return pending


def _remember(user, pending: PendingImport, headers: list[str]) -> None:
    ImportMapping.objects.update_or_create(
        user=user,
        signature=spreadsheet.headers_signature(headers),
        defaults={"columns": pending.columns, "values": pending.values},
    )


@transaction.atomic
def choose_import_columns(
    user, pending: PendingImport, headers: list[str], chosen: list[str]
) -> None:
    """The person's columns, kept for this import and for their next file with the same
    headers."""
    _require_importer(user)
    pending.columns = list(chosen)
    pending.state = ImportState.READY  # after a refusal, the person tries other choices
    pending.save(update_fields=["columns", "state"])
    _remember(user, pending, headers)


@transaction.atomic
def choose_import_values(
    user, pending: PendingImport, headers: list[str], chosen: dict[str, dict[str, str]]
) -> None:
    """What the unknown words mean, added to those chosen before (and remembered)."""
    _require_importer(user)
    values = {column: dict(words) for column, words in pending.values.items()}
    for column, words in chosen.items():
        values.setdefault(column, {}).update(words)
    pending.values = values
    pending.state = ImportState.READY
    pending.save(update_fields=["values", "state"])
    _remember(user, pending, headers)


def cancel_import(user) -> None:
    """Abandon the import under way: its file is deleted."""
    _require_importer(user)
    PendingImport.objects.filter(user=user).delete()


# Above this many rows, a file is checked and imported by a task, with a progress page.
BACKGROUND_ROWS = 2_000


# The errors a failed import in the background keeps for its page (their count is kept).
KEPT_ERRORS = 500


def queue_import(user, pending: PendingImport, *, max_rows: int) -> None:
    """Hand a big file to a task that checks every row, telling how far it went, then
    imports it in one transaction (`run_import`). The steps are closed meanwhile."""
    from kenlabour.network.tasks import run_import as task

    _require_importer(user)
    queued = PendingImport.objects.filter(
        pk=pending.pk, user=user, state__in=[ImportState.READY, ImportState.FAILED]
    ).update(state=ImportState.QUEUED, checked_rows=0, outcome={})
    if queued:
        task.enqueue(pending.pk, max_rows)


def _finish(pending_pk: int, state: str, outcome: dict, **fields) -> None:
    PendingImport.objects.filter(pk=pending_pk).update(state=state, outcome=outcome, **fields)


def run_import(pending_pk: int, max_rows: int) -> None:
    """The task's work: read the file with the columns and words chosen, check every row
    (recording how many are checked, outside the import's transaction, so that the
    progress page sees it), then write all the rows in one transaction, or nothing and
    the errors by line and column."""
    pending = (
        PendingImport.objects.select_related("user")
        .filter(pk=pending_pk, state=ImportState.QUEUED)
        .first()
    )
    if pending is None:
        return
    PendingImport.objects.filter(pk=pending.pk).update(state=ImportState.RUNNING)
    user = pending.user
    try:
        _require_importer(user)
        sheet = spreadsheet.read_sheet(bytes(pending.data), max_rows=max_rows)
        table = sheet.table(pending.columns, columns.REQUIRED)
        rows, errors = importing.validate_table(
            table,
            importing.Vocabulary(pending.values),
            progress=lambda checked: PendingImport.objects.filter(pk=pending.pk).update(
                checked_rows=checked
            ),
        )
        if errors:
            raise ImportRejected(errors)
        result = _create_actors(user, rows)
    except ImportRejected as rejection:
        _finish(
            pending.pk,
            ImportState.FAILED,
            {
                "message": str(rejection.message or ""),
                "errors": [dataclasses.asdict(e) for e in rejection.errors[:KEPT_ERRORS]],
                "count": len(rejection.errors),
            },
        )
    except (PermissionDenied, spreadsheet.SpreadsheetError):
        _finish(
            pending.pk,
            ImportState.FAILED,
            {"message": _("Le fichier n'a pas pu être importé : envoyez-le de nouveau.")},
        )
    else:
        _finish(
            pending.pk,
            ImportState.DONE,
            {"created": result.created, "ignored_columns": table.ignored_columns},
            checked_rows=len(table.rows),
            data=b"",
        )


def confirm_import(user, pending: PendingImport, table) -> ImportResult:
    """Import the table of the import under way (see `import_actors`), then delete its
    file; on any error nothing is written and the file is kept for a new try."""
    _require_importer(user)
    with transaction.atomic():
        result = import_actors(user, table, importing.Vocabulary(pending.values))
        PendingImport.objects.filter(pk=pending.pk).delete()
    return result
