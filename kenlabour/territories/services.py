"""Changes of the gazetteer: refreshing it from the shipped files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, router, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from kenlabour.territories import gazetteer
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Commune, CommunePostcode, Departement, Epci, Region

BATCH_SIZE = 1000


class GazetteerLoadError(Exception):
    """The files could not be loaded; the database is left as it was. Message in French."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # Codes in the database but no longer in the files (merged communes, dissolved EPCI…).
    obsolete: dict[str, list[str]] = field(default_factory=dict)
    pruned: bool = False


def _insert_rows(model, rows: list[dict]) -> None:
    """Plain INSERT of many rows (COPY on PostgreSQL), several times faster than
    bulk_create: used when the table is empty, as in a freshly flushed test database."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    names = list(rows[0])
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    values = [tuple(row[name] for name in names) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            # Table and column names come from the models, quoted; values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, values)


def _save(model, rows: list[dict], report: LoadReport) -> None:
    """Insert or update rows (dicts of field attnames) by primary key."""
    label = model._meta.model_name
    existing = set(model.objects.values_list("pk", flat=True))
    codes = {row["code"] for row in rows}
    if existing:
        update_fields = [model._meta.get_field(name).name for name in rows[0] if name != "code"]
        model.objects.bulk_create(
            [model(**row) for row in rows],
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=update_fields,
        )
    else:
        _insert_rows(model, rows)
    report.created[label] = len(codes - existing)
    report.updated[label] = len(codes & existing)
    report.obsolete[label] = sorted(existing - codes)


@transaction.atomic
def load_gazetteer(data_dir: Path = gazetteer.DATA_DIR, *, prune: bool = False) -> LoadReport:
    """Insert or update every région, département, EPCI and commune of the files, and replace
    the postcodes. Idempotent. Rows absent from the files are listed in the report, and
    deleted only with `prune` (it fails, changing nothing, if other records still use them).
    """
    try:
        regions = gazetteer.read_regions(data_dir)
        departements = gazetteer.read_departements(data_dir)
        epcis = gazetteer.read_epcis(data_dir)
        communes = gazetteer.read_communes(data_dir)
    except (OSError, ValueError, KeyError) as error:
        raise GazetteerLoadError(
            _("Les fichiers du référentiel sont illisibles (%(error)s).") % {"error": error}
        ) from error

    report = LoadReport(pruned=prune)
    _save(Region, regions, report)
    _save(
        Departement,
        [
            {
                "code": d["code"],
                "name": d["name"],
                "region_id": d["region"],
                "chef_lieu": d["chef_lieu"],
            }
            for d in departements
        ],
        report,
    )
    _save(Epci, epcis, report)
    region_of = {d["code"]: d["region"] for d in departements}
    # Cities before their municipal arrondissements.
    communes.sort(key=lambda c: (c["parent"] is not None, c["code"]))
    _save(
        Commune,
        [
            {
                "code": c["code"],
                "name": c["name"],
                "search_name": normalise(c["name"]),
                "kind": c["kind"],
                "departement_id": c["departement"],
                "region_id": region_of[c["departement"]],
                "epci_id": c["epci"],
                "parent_id": c["parent"],
                "population": c["population"],
                "latitude": c["latitude"],
                "longitude": c["longitude"],
                "coordinates_source": c["coordinates_source"],
            }
            for c in communes
        ],
        report,
    )
    CommunePostcode.objects.all().delete()
    _insert_rows(
        CommunePostcode,
        [
            {"commune_id": c["code"], "postcode": postcode}
            for c in communes
            for postcode in c["postcodes"]
        ],
    )
    if prune:
        _prune(report)
    return report


def _prune(report: LoadReport) -> None:
    # Children first: arrondissements before cities, communes before what they belong to.
    for model in (Commune, Epci, Departement, Region):
        codes = report.obsolete.get(model._meta.model_name, [])
        rows = model.objects.filter(pk__in=codes)
        if model is Commune:
            rows.filter(parent__isnull=False).delete()
        try:
            rows.delete()
        except ProtectedError as error:
            used = sorted({str(obj.pk) for obj in error.protected_objects})
            raise GazetteerLoadError(
                _(
                    "Impossible de supprimer %(model)s %(codes)s : d'autres données y font "
                    "encore référence. Rattachez-les d'abord aux nouveaux codes."
                )
                % {"model": model._meta.verbose_name, "codes": ", ".join(codes)}
                + (f" ({', '.join(used[:10])})" if used else "")
            ) from error
