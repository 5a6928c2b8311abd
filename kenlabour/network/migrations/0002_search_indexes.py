"""Indexes for the directory's search on PostgreSQL; nothing on SQLite.

- `pg_trgm` and a GIN trigram index on `network_actor.search_text`: each word typed is a
  `LIKE '%word%'` on the normalised text, which a B-tree cannot serve and a trigram
  index can, at 200,000 actors.
- `(name, id)`: the directory's order, so that a page of results sorted by name is read
  from the index instead of sorting every matching actor.

SQLite keeps its plain LIKE: the embedded database holds a region, not a nation.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS network_actor_search_trgm "
    "ON network_actor USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS network_actor_name_id ON network_actor (name, id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS network_actor_name_id",
    "DROP INDEX IF EXISTS network_actor_search_trgm",
    # The extension stays: other tables may use it.
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
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
