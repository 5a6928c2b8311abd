"""Changes of state in the network: one function per use case, permission checked here."""

import dataclasses
import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.accounts.perms import can, forget_roles, strictly
from kenlabour.audit import services as audit
from kenlabour.audit.enums import AuditAction
from kenlabour.network import columns, importing, spreadsheet
from kenlabour.network.enums import (
    ActorKind,
    ImportState,
    IntroductionStatus,
    LinkSourceKind,
    ModerationStatus,
    ResourceKind,
)
from kenlabour.network.models import (
    Actor,
    ImportMapping,
    Introduction,
    IntroductionBlock,
    Link,
    LinkSource,
    PendingImport,
    Resource,
)
from kenlabour.network.selectors.areas import AreaOfAction
from kenlabour.territories.geo import normalise


def place_actor(actor: Actor) -> None:
    """Copy position and territory from the actor's commune (never typed by hand)."""
    commune = actor.commune
    if commune is None:
        actor.departement_id = actor.epci_id = actor.latitude = actor.longitude = None
        return
    actor.departement_id = commune.departement_id
    actor.epci_id = commune.epci_id
    actor.latitude, actor.longitude = commune.latitude, commune.longitude


def search_text_of(actor: Actor, resource_labels: Iterable[str] = ()) -> str:
    """What directory search looks in, accent- and case-folded."""
    parts = [
        actor.name,
        actor.description,
        actor.skills,
        actor.get_organisation_kind_display() if actor.organisation_kind else "",
        actor.commune.name if actor.commune_id else "",
        *resource_labels,
    ]
    return normalise(" ".join(p for p in parts if p))


def refresh_search_text(actor: Actor) -> None:
    labels = [str(r.get_kind_display()) + " " + r.details for r in actor.resources.all()]
    actor.search_text = search_text_of(actor, labels)
    Actor.objects.filter(pk=actor.pk).update(search_text=actor.search_text)


def unique_slug(name: str, taken: set[str] | None = None) -> str:
    """A page address from the name, made unique with a number when needed."""
    base = slugify(name)[:200] or "acteur"
    candidate, n = base, 1
    while (taken is not None and candidate in taken) or Actor.objects.filter(
        slug=candidate
    ).exists():
        n += 1
        candidate = f"{base}-{n}"
    if taken is not None:
        taken.add(candidate)
    return candidate


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


@transaction.atomic
def record_cooperation(
    actor_ids: Iterable[int],
    *,
    kind: LinkSourceKind,
    reference: str,
    date: datetime.date,
    label: str = "",
    weight: int = 1,
) -> int:
    """Record that these actors worked together (a workshop, an experiment, a delivery…):
    every pair gets a link with this source. Idempotent per (kind, reference). This is the
    one door through which other apps feed the acquaintance graph. Returns the number of
    pairs recorded."""
    ids = sorted(set(actor_ids))
    pairs = [_pair(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    if not pairs:
        return 0
    Link.objects.bulk_create(
        [Link(actor_a_id=a, actor_b_id=b) for a, b in pairs], ignore_conflicts=True
    )
    link_ids = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for pk, a, b in Link.objects.filter(actor_a__in=chunk, actor_b__in=ids).values_list(
            "pk", "actor_a", "actor_b"
        ):
            link_ids[(a, b)] = pk
    LinkSource.objects.bulk_create(
        [
            LinkSource(
                link_id=link_ids[pair],
                kind=kind,
                reference=reference,
                label=label[:250],
                date=date,
                weight=weight,
            )
            for pair in pairs
        ],
        ignore_conflicts=True,
    )
    return len(pairs)


@transaction.atomic
def declare_partnership(
    user, actor: Actor, partner: Actor, *, date: datetime.date, label: str = ""
) -> None:
    """An actor's admin declares that the actor works with another one."""
    if not can(user, "network.declare_partnership", actor):
        raise PermissionDenied(
            "Seuls les administrateurs de cet acteur déclarent ses partenariats."
        )
    if actor.pk == partner.pk:
        raise ValueError("An actor cannot be its own partner.")
    record_cooperation(
        [actor.pk, partner.pk],
        kind=LinkSourceKind.PARTNERSHIP,
        reference=f"{min(actor.pk, partner.pk)}-{max(actor.pk, partner.pk)}",
        date=date,
        label=label,
    )


# --- registration, moderation, edition, import (contributions helper) -----------------


def _set_area(actor: Actor, area: AreaOfAction) -> None:
    actor.area_communes.set(area.communes)
    actor.area_epcis.set(area.epcis)
    actor.area_departements.set(area.departements)


def _set_resources(actor: Actor, resources: Iterable[tuple[str, int, str]]) -> None:
    """Make the actor's resources these (kind, quantity, details), keeping the rows of the
    kinds it already had (other apps may point at them)."""
    wanted = {kind: (quantity, details) for kind, quantity, details in resources}
    existing = {r.kind: r for r in actor.resources.all()}
    Resource.objects.filter(actor=actor).exclude(kind__in=wanted).delete()
    for kind, (quantity, details) in wanted.items():
        resource = existing.get(kind)
        if resource is None:
            Resource.objects.create(actor=actor, kind=kind, quantity=quantity, details=details)
        elif (resource.quantity, resource.details) != (quantity, details):
            resource.quantity, resource.details = quantity, details
            resource.save(update_fields=["quantity", "details"])
    # The resources a selector prefetched are out of date now.
    getattr(actor, "_prefetched_objects_cache", {}).pop("resources", None)


def _grant_actor_admin(user, actor: Actor) -> None:
    """The person who registers an actor administers it. Written directly: the accounts
    service `assign_role` is for platform admins handing out roles, not for this."""
    _assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=actor.pk,
    )
    forget_roles(user)
    if created:
        audit.record(
            AuditAction.ROLE_GRANTED,
            actor=user,
            subject=user,
            target=actor,
            summary=f"{Role.ORGANISATION_ADMIN.label} — {actor.name}",
        )


@transaction.atomic
def register_actor(
    user,
    *,
    fields: dict,
    area: AreaOfAction | None = None,
    resources: Iterable[tuple[str, int, str]] = (),
) -> Actor:
    """A logged-in person registers an organisation or a collective. It waits for a
    facilitator's moderation; the person becomes its admin."""
    if not can(user, "network.register_actor"):
        raise PermissionDenied("Connectez-vous pour inscrire un acteur.")
    if fields.get("kind") not in (ActorKind.ORGANISATION, ActorKind.COLLECTIVE):
        raise ValueError("Only organisations and collectives are registered here.")
    actor = Actor(**fields, status=ModerationStatus.PENDING, created_by=user)
    actor.slug = unique_slug(actor.name)
    place_actor(actor)
    actor.save()
    _set_area(actor, area or AreaOfAction())
    _set_resources(actor, resources)
    refresh_search_text(actor)
    _grant_actor_admin(user, actor)
    return actor


@transaction.atomic
def update_actor(
    user,
    actor: Actor,
    *,
    fields: dict,
    area: AreaOfAction | None = None,
    resources: Iterable[tuple[str, int, str]] = (),
) -> Actor:
    """An actor's admin, or a facilitator, edits its page.

    A published actor stays published: facilitators vouched for who it is, and holding
    every correction back until a new moderation would leave the directory out of date.
    But its name is who it is: renamed by someone who does not moderate it, it keeps its
    name until a facilitator accepts the new one (`proposed_name`, in the moderation
    queue). A refused actor, once edited, goes back to the moderation queue."""
    if not can(user, "network.edit_actor", actor):
        raise PermissionDenied("Seuls les administrateurs de cet acteur modifient sa page.")
    if (fields.get("kind", actor.kind) == ActorKind.PERSON) != (actor.kind == ActorKind.PERSON):
        raise ValueError("A person stays a person, and an organisation never becomes one.")
    consent_before = actor.public_consent
    new_name = (fields.get("name") or actor.name).strip()
    if (
        actor.status == ModerationStatus.PUBLISHED
        and new_name != actor.name
        and not can(user, "network.moderate_actor", actor)
    ):
        fields = {**fields, "name": actor.name}
        actor.proposed_name = new_name
    elif "name" in fields:
        actor.proposed_name = ""
    for name, value in fields.items():
        setattr(actor, name, value)
    place_actor(actor)
    if actor.public_consent != consent_before:
        record_consent_change(user, actor)
    if actor.status == ModerationStatus.REJECTED:
        actor.status = ModerationStatus.PENDING
    actor.save()
    _set_area(actor, area or AreaOfAction())
    _set_resources(actor, resources)
    refresh_search_text(actor)
    return actor


def record_consent_change(user, actor: Actor) -> None:
    """A person's consent to a public page, given or withdrawn, goes to the audit log."""
    audit.record(
        AuditAction.CONSENT_CHANGED,
        actor=user,
        subject=actor.user,
        target=actor,
        summary=(
            _("Page publique acceptée") if actor.public_consent else _("Page publique refusée")
        ),
    )


def _locked_for_moderation(user, actor: Actor) -> Actor:
    if not can(user, "network.moderate_actor", actor):
        raise PermissionDenied(
            "Seuls les animateurs du laboratoire de son territoire modèrent cet acteur."
        )
    return Actor.objects.select_for_update().get(pk=actor.pk)


@transaction.atomic
def publish_actor(user, actor: Actor) -> Actor:
    """A facilitator publishes a pending actor: it enters the directory and the map; or
    accepts the new name proposed for a published one."""
    locked = _locked_for_moderation(user, actor)
    locked.status = ModerationStatus.PUBLISHED
    locked.moderation_note = ""
    fields = ["status", "moderation_note", "updated_at"]
    if locked.proposed_name:
        locked.name, locked.proposed_name = locked.proposed_name, ""
        fields += ["name", "proposed_name"]
    locked.save(update_fields=fields)
    if "name" in fields:
        refresh_search_text(locked)
    audit.record(AuditAction.ACTOR_PUBLISHED, actor=user, target=locked, summary=locked.name)
    return locked


@transaction.atomic
def reject_actor(user, actor: Actor, reason: str) -> Actor:
    """A facilitator refuses an actor, saying why: its admins read the reason on its page."""
    locked = _locked_for_moderation(user, actor)
    reason = reason.strip()
    if not reason:
        raise ValueError("A refusal needs a reason.")
    if locked.proposed_name and locked.status == ModerationStatus.PUBLISHED:
        # Only the new name is refused: the actor stays published under its own.
        refused, locked.proposed_name = locked.proposed_name, ""
        locked.moderation_note = reason
        locked.save(update_fields=["proposed_name", "moderation_note", "updated_at"])
        audit.record(
            AuditAction.ACTOR_REJECTED,
            actor=user,
            target=locked,
            summary=f"{locked.name} → {refused} : {reason}",
        )
        return locked
    locked.status = ModerationStatus.REJECTED
    locked.moderation_note = reason
    locked.save(update_fields=["status", "moderation_note", "updated_at"])
    audit.record(
        AuditAction.ACTOR_REJECTED, actor=user, target=locked, summary=f"{locked.name} : {reason}"
    )
    return locked


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


@transaction.atomic
def attach_agent_by_siret(user, siret: str):
    """A public agent signed in through their identity provider, which named their
    organisation by its SIRET: when an organisation of the directory has that SIRET, the
    agent becomes one of its members, with a public-agent profile there, as the directory
    links people to organisations. Returns the organisation, or None when none matches.
    The agent's person record stays private (no public page without consent)."""
    from kenlabour.network.enums import ProfileKind
    from kenlabour.network.models import Membership, Profile

    siret = "".join(ch for ch in siret or "" if ch.isdigit())
    if len(siret) != 14:
        return None
    organisation = Actor.objects.filter(kind=ActorKind.ORGANISATION, siret=siret).first()
    if organisation is None:
        return None
    person = Actor.objects.filter(user=user).first()
    if person is None:
        name = user.display_name or user.email.split("@")[0]
        person = Actor(
            kind=ActorKind.PERSON,
            name=name[:200],
            slug=unique_slug(name),
            user=user,
            created_by=user,
            status=ModerationStatus.PUBLISHED,
            public_consent=False,
        )
        person.save()
        refresh_search_text(person)
    Profile.objects.get_or_create(
        person=person, kind=ProfileKind.PUBLIC_AGENT, organisation=organisation
    )
    Membership.objects.get_or_create(person=person, group=organisation)
    return organisation


def record_directory_export(user, file_format: str, filters: str) -> None:
    """A signed-in person exported the directory (which holds people's names, places and
    e-mails, as far as their roles let them read): kept in the audit log with the format and
    the filters. An anonymous export holds only what is public, and is not kept."""
    if not getattr(user, "is_authenticated", False):
        return
    summary = _("Annuaire des acteurs (%(format)s)") % {"format": file_format.upper()}
    if filters:
        summary += " — " + filters
    audit.record(AuditAction.PERSONAL_DATA_EXPORTED, actor=user, summary=summary)


# --- the steps of an import: file, columns, values, preview ----------------------------


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


# --- introductions (mises en relation) ---------------------------------------------------

# A person sends at most this many requests in 24 hours; a request waits this long.
INTRODUCTIONS_PER_DAY = 5
INTRODUCTION_LIFETIME = datetime.timedelta(days=30)


class IntroductionRefused(Exception):
    """A request the rules refuse, with the French sentence that says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _locked_introduction(introduction: Introduction) -> Introduction:
    return (
        Introduction.objects.select_for_update()
        .select_related("requester", "requester_actor", "target", "via")
        .get(pk=introduction.pk)
    )


@transaction.atomic
def request_introduction(
    user,
    target: Actor,
    *,
    requester_actor: Actor,
    message: str,
    contact: str,
    resource_kind: str = "",
    via: Actor | None = None,
    site_url: str,
) -> Introduction:
    """A signed-in person asks to be put in touch with an actor, on behalf of one of their
    pages, directly or through the person who knows both (`via`). The actor's people (or
    the intermediary's) are told by e-mail; nobody's address is shown before acceptance."""
    from kenlabour.network import notifications
    from kenlabour.network.selectors import introductions as selectors

    if not strictly(user, "network.request_introduction", target):
        raise PermissionDenied("Cet acteur ne reçoit pas de demande de mise en relation.")
    if requester_actor.pk not in {actor.pk for actor in selectors.requester_actors(user)}:
        raise PermissionDenied("On demande une mise en relation au nom de ses propres pages.")
    if requester_actor.pk == target.pk:
        raise IntroductionRefused(_("Une page ne demande pas à se rencontrer elle-même."))
    now = timezone.now()
    # One request at a time from a person: the count below holds under concurrency.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if selectors.is_blocked(target, user):
        raise IntroductionRefused(
            _("%(name)s ne reçoit plus vos demandes de mise en relation.") % {"name": target.name}
        )
    if not selectors.has_responders(target):
        raise IntroductionRefused(
            _(
                "Personne ne répond encore pour %(name)s sur la plateforme : l'équipe du "
                "laboratoire peut vous aider à le joindre."
            )
            % {"name": target.name}
        )
    if selectors.open_request(user, target, now) is not None:
        raise IntroductionRefused(
            _("Votre demande à %(name)s attend encore sa réponse.") % {"name": target.name}
        )
    if selectors.sent_since(user, now - datetime.timedelta(days=1)) >= INTRODUCTIONS_PER_DAY:
        raise IntroductionRefused(
            _(
                "Vous avez envoyé %(count)s demandes de mise en relation en 24 heures, le "
                "maximum : réessayez demain."
            )
            % {"count": INTRODUCTIONS_PER_DAY}
        )
    if via is not None:
        middle = selectors.intermediary(requester_actor, target)
        if middle is None or middle.actor.pk != via.pk:
            raise IntroductionRefused(
                _("Cette personne ne vous relie pas à %(name)s.") % {"name": target.name}
            )
        if selectors.is_blocked(via, user):
            raise IntroductionRefused(
                _("%(name)s ne reçoit plus vos demandes de mise en relation.")
                % {"name": middle.label}
            )
    introduction = Introduction.objects.create(
        requester=user,
        requester_actor=requester_actor,
        target=target,
        via=via,
        resource_kind=resource_kind,
        message=message.strip(),
        requester_contact=contact.strip(),
        status=(
            IntroductionStatus.AWAITING_INTERMEDIARY
            if via is not None
            else IntroductionStatus.PENDING
        ),
        expires_at=now + INTRODUCTION_LIFETIME,
    )
    notifications.introduction_requested(introduction, site_url)
    return introduction


def _open_or_refuse(introduction: Introduction, status: str) -> None:
    if introduction.state(timezone.now()) != status:
        raise IntroductionRefused(
            _("Cette demande n'attend plus de réponse (%(state)s).")
            % {"state": introduction.state_label(timezone.now()).lower()}
        )


@transaction.atomic
def present_introduction(user, introduction: Introduction, *, site_url: str) -> Introduction:
    """The intermediary agrees to present the requester: the actor asked now receives the
    request ("X vous présente Y"), with a new month to answer."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    if not strictly(user, "network.present_introduction", introduction):
        raise PermissionDenied("Seule la personne sollicitée présente le demandeur.")
    _open_or_refuse(introduction, IntroductionStatus.AWAITING_INTERMEDIARY)
    now = timezone.now()
    introduction.status = IntroductionStatus.PENDING
    introduction.introduced_at = now
    introduction.expires_at = now + INTRODUCTION_LIFETIME
    introduction.save(update_fields=["status", "introduced_at", "expires_at"])
    notifications.introduction_requested(introduction, site_url)
    return introduction


@transaction.atomic
def accept_introduction(
    user, introduction: Introduction, *, contact: str, site_url: str
) -> Introduction:
    """The actor's people accept: each side now sees the contact details the other chose
    to give, and the acquaintance graph gets the link (the one door, record_cooperation)."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    if not strictly(user, "network.answer_introduction", introduction):
        raise PermissionDenied("Seules les personnes de cet acteur répondent à sa place.")
    _open_or_refuse(introduction, IntroductionStatus.PENDING)
    if not contact.strip():
        raise IntroductionRefused(_("Indiquez les coordonnées à transmettre."))
    now = timezone.now()
    introduction.status = IntroductionStatus.ACCEPTED
    introduction.answer_contact = contact.strip()
    introduction.answered_by = user
    introduction.answered_at = now
    introduction.save(update_fields=["status", "answer_contact", "answered_by", "answered_at"])
    record_cooperation(
        [introduction.requester_actor_id, introduction.target_id],
        kind=LinkSourceKind.INTRODUCTION,
        reference=f"introduction-{introduction.pk}",
        date=timezone.localdate(now),
        label=_("Mise en relation : %(requester)s et %(target)s")
        % {"requester": introduction.requester_actor.name, "target": introduction.target.name},
    )
    notifications.introduction_answered(introduction, site_url)
    return introduction


def _block(user, actor: Actor, requester) -> None:
    IntroductionBlock.objects.get_or_create(
        actor=actor, user=requester, defaults={"blocked_by": user}
    )


def _answering_actor(user, introduction: Introduction) -> tuple[Actor, str]:
    """Whose answer this is: the actor asked, or the intermediary (then the open status
    it answers is the one awaiting the intermediary)."""
    if strictly(user, "network.answer_introduction", introduction):
        return introduction.target, IntroductionStatus.PENDING
    if strictly(user, "network.present_introduction", introduction):
        return introduction.via, IntroductionStatus.AWAITING_INTERMEDIARY
    raise PermissionDenied("Seules les personnes sollicitées répondent à cette demande.")


@transaction.atomic
def decline_introduction(
    user, introduction: Introduction, *, message: str = "", block: bool = False, site_url: str
) -> Introduction:
    """The actor asked, or the intermediary, declines, with an optional word to the
    requester; it may also stop receiving this person's requests."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    actor, status = _answering_actor(user, introduction)
    _open_or_refuse(introduction, status)
    introduction.status = IntroductionStatus.DECLINED
    introduction.answer_message = message.strip()
    introduction.answered_by = user
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["status", "answer_message", "answered_by", "answered_at"])
    if block:
        _block(user, actor, introduction.requester)
    notifications.introduction_answered(introduction, site_url)
    return introduction


@transaction.atomic
def report_introduction(
    user, introduction: Introduction, *, reason: str, site_url: str
) -> Introduction:
    """A request that is abuse (insult, canvassing, harassment): it is closed without a
    word to the requester, their requests to this actor are blocked, and the lab's
    facilitators are told, with the reason, to look at the account."""
    from kenlabour.network import notifications

    introduction = _locked_introduction(introduction)
    actor, status = _answering_actor(user, introduction)
    _open_or_refuse(introduction, status)
    introduction.status = IntroductionStatus.REPORTED
    introduction.answer_message = reason.strip()
    introduction.answered_by = user
    introduction.answered_at = timezone.now()
    introduction.save(update_fields=["status", "answer_message", "answered_by", "answered_at"])
    _block(user, actor, introduction.requester)
    audit.record(
        AuditAction.INTRODUCTION_REPORTED,
        actor=user,
        subject=introduction.requester,
        target=introduction,
        summary=_("Demande de mise en relation signalée"),
    )
    notifications.introduction_reported(introduction, site_url)
    return introduction


@transaction.atomic
def lift_block(user, block: IntroductionBlock) -> None:
    """The actor's people receive this person's requests again."""
    if not strictly(user, "network.block_requesters", block.actor):
        raise PermissionDenied("Seules les personnes de cet acteur lèvent ses blocages.")
    block.delete()
