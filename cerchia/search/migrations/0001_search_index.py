"""The search index: an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL.

Neither is a Django model: each is the storage of one backend (``cerchia.search.backend``),
keyed by post id and joined to the posts at query time.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_post_fts USING fts5(title, body, tokenize = 'ascii')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_post_fts"]

POSTGRESQL = [
    "CREATE TABLE search_post_vector (post_id bigint PRIMARY KEY, vector tsvector NOT NULL)",
    "CREATE INDEX search_post_vector_gin ON search_post_vector USING gin (vector)",
]
POSTGRESQL_DROP = ["DROP TABLE IF EXISTS search_post_vector"]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    for statement in statements_by_vendor.get(vendor, []):
        schema_editor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRESQL})


def drop(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [("discussions", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
