"""Covering indexes for "who could help" on PostgreSQL; nothing on SQLite.

The candidates of "who could help" are the visible actors in a latitude/longitude box
having one kind of resource. With these two indexes PostgreSQL answers from the indexes
alone (index-only scans, no visit of the table's pages), which at 200,000 actors takes
the worst case (a 50 km radius around Paris, 35,000 actors in the box) from ~80 ms to
~20 ms (bench/network.py):

- `network_actor (latitude, longitude) INCLUDE (id, status, kind, public_consent)`: the
  box and what the visibility filter reads;
- `network_resource (kind, actor_id) INCLUDE (quantity)`: who has the resource, and how
  many.

SQLite keeps the plain indexes of the models: the embedded database holds a region.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS network_actor_position_cover ON network_actor "
    "(latitude, longitude) INCLUDE (id, status, kind, public_consent)",
    "CREATE INDEX IF NOT EXISTS network_resource_kind_cover ON network_resource "
    "(kind, actor_id) INCLUDE (quantity)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS network_resource_kind_cover",
    "DROP INDEX IF EXISTS network_actor_position_cover",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("network", "0002_search_indexes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
