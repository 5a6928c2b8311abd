"""The directory's exports: every result, row by row, in chunks of actors."""

from collections import defaultdict
from collections.abc import Callable, Iterator

from django.utils import translation

from kenlabour.network import columns
from kenlabour.network.enums import ActorKind, OrganisationKind, ResourceKind
from kenlabour.network.models import Actor, Resource
from kenlabour.network.selectors.areas import AreaCommune, AreaDepartement, AreaEpci
from kenlabour.network.selectors.directory import ActorResults

# Rows read at once when an export walks every result (a few queries per chunk).
CHUNK_SIZE = 500


EXPORT_FIELDS = (
    "pk",
    "name",
    "slug",
    "kind",
    "organisation_kind",
    "siret",
    "address",
    "place_less",
    "description",
    "skills",
    "website",
    "email",
    "public_consent",
    "latitude",
    "longitude",
    "commune_id",
    "commune__name",
    "commune__departement_id",
    "departement__name",
)


def _area_texts(ids: list[int]) -> dict[int, str]:
    """{id: area of action as the import reads it, "Finistère|CA Quimper…|Brest (29)"}:
    départements, EPCI, then communes (the order of `AreaOfAction.as_text`); 3 queries."""
    parts: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, name in (
        AreaDepartement.objects.filter(actor_id__in=ids)
        .order_by("departement_id")
        .values_list("actor_id", "departement__name")
    ):
        parts[pk].append(name)
    for pk, name in (
        AreaEpci.objects.filter(actor_id__in=ids)
        .order_by("epci__name")
        .values_list("actor_id", "epci__name")
    ):
        parts[pk].append(name)
    for pk, name, dep in (
        AreaCommune.objects.filter(actor_id__in=ids)
        .order_by("commune__name", "commune_id")
        .values_list("actor_id", "commune__name", "commune__departement_id")
    ):
        parts[pk].append(f"{name} ({dep})")
    return {pk: columns.AREA_SEPARATOR.join(texts) for pk, texts in parts.items()}


def export_rows(results: ActorResults, page_url: Callable[[str], str]) -> Iterator[list]:
    """The rows of a directory export, in `columns.EXPORT_COLUMNS` order, values in
    French whatever the reader's language (a file exported can be imported again).

    Plain values: text, numbers (floats) or None; the writers format them. Read with
    `.values()` by chunks of `CHUNK_SIZE` ids (no model instances, no OFFSET): two
    queries per chunk, and three more when it holds place-less collectives."""
    with translation.override("fr"):
        kinds = {value: label for label, value in columns.KINDS.items()}
        organisation_kinds = {value: str(label) for value, label in OrganisationKind.choices}
        resource_kinds = {value: str(label) for value, label in ResourceKind.choices}
    distances = results.distances or {}
    ids = results.ids()
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk = ids[start : start + CHUNK_SIZE]
        rows = {row["pk"]: row for row in Actor.objects.filter(pk__in=chunk).values(*EXPORT_FIELDS)}
        resources: dict[int, list[str]] = defaultdict(list)
        for pk, kind, quantity in (
            Resource.objects.filter(actor_id__in=chunk)
            .order_by("actor_id", "kind")
            .values_list("actor_id", "kind", "quantity")
        ):
            resources[pk].append(f"{resource_kinds[kind]}{columns.QUANTITY_SEPARATOR}{quantity}")
        place_less = [pk for pk in chunk if pk in rows and rows[pk]["place_less"]]
        areas = _area_texts(place_less) if place_less else {}
        for pk in chunk:
            row = rows.get(pk)
            if row is None:  # deleted since the search
                continue
            consent = ""
            if row["kind"] == ActorKind.PERSON:
                consent = columns.YES if row["public_consent"] else columns.NO
            distance = distances.get(pk)
            yield [
                row["name"],
                kinds[row["kind"]],
                organisation_kinds.get(row["organisation_kind"], ""),
                row["siret"],
                f"{row['commune__name']} ({row['commune__departement_id']})"
                if row["commune_id"]
                else "",
                row["address"],
                columns.YES if row["place_less"] else columns.NO,
                areas.get(pk, ""),
                row["description"],
                row["skills"],
                row["website"],
                row["email"],
                (columns.RESOURCE_SEPARATOR + " ").join(resources.get(pk, ())),
                consent,
                row["commune_id"] or "",
                row["departement__name"] or "",
                None if row["latitude"] is None else round(row["latitude"], 5),
                None if row["longitude"] is None else round(row["longitude"], 5),
                None if distance is None else round(distance, 1),
                page_url(row["slug"]),
            ]
