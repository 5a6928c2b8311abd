"""Load the gazetteer shipped in kenlabour/territories/data/ into every database.

Frozen on purpose: it writes the columns of 0001's tables only, so it keeps working when
the models evolve. Rows go in through COPY on PostgreSQL and executemany on SQLite: some 70,000 rows, which
the ORM's bulk_create would first build as model instances, several times slower, on every
test database.
To refresh an existing database from regenerated files, run `manage.py load_territories`
(see docs/territories.md).
"""

from django.db import migrations

from kenlabour.territories import gazetteer
from kenlabour.territories.geo import normalise

def _insert(schema_editor, model, fields, rows):
    """Bulk-insert rows: COPY on PostgreSQL (psycopg 3), executemany elsewhere (SQLite)."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def load_gazetteer(apps, schema_editor):
    def model(name):
        return apps.get_model("territories", name)

    _insert(
        schema_editor,
        model("Region"),
        ["code", "name", "chef_lieu"],
        [(r["code"], r["name"], r["chef_lieu"]) for r in gazetteer.read_regions()],
    )
    departements = gazetteer.read_departements()
    _insert(
        schema_editor,
        model("Departement"),
        ["code", "name", "region", "chef_lieu"],
        [(d["code"], d["name"], d["region"], d["chef_lieu"]) for d in departements],
    )
    region_of = {d["code"]: d["region"] for d in departements}
    _insert(
        schema_editor,
        model("Epci"),
        ["code", "name", "kind"],
        [(e["code"], e["name"], e["kind"]) for e in gazetteer.read_epcis()],
    )
    # Cities before their municipal arrondissements.
    communes = sorted(gazetteer.read_communes(), key=lambda c: (c["parent"] is not None, c["code"]))
    _insert(
        schema_editor,
        model("Commune"),
        [
            "code",
            "name",
            "search_name",
            "kind",
            "departement",
            "region",
            "epci",
            "parent",
            "population",
            "latitude",
            "longitude",
            "coordinates_source",
        ],
        [
            (
                c["code"],
                c["name"],
                normalise(c["name"]),
                c["kind"],
                c["departement"],
                region_of[c["departement"]],
                c["epci"],
                c["parent"],
                c["population"],
                c["latitude"],
                c["longitude"],
                c["coordinates_source"],
            )
            for c in communes
        ],
    )
    _insert(
        schema_editor,
        model("CommunePostcode"),
        ["commune", "postcode"],
        [(c["code"], postcode) for c in communes for postcode in c["postcodes"]],
    )


def unload_gazetteer(apps, schema_editor):
    db = schema_editor.connection.alias
    for name in ("CommunePostcode", "Commune", "Epci", "Departement", "Region"):
        manager = apps.get_model("territories", name).objects.using(db)
        if name == "Commune":
            manager.filter(parent__isnull=False).delete()
        manager.all().delete()


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_initial")]

    operations = [migrations.RunPython(load_gazetteer, unload_gazetteer)]
