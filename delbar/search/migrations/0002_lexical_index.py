"""The lexical index in the database's own full-text machinery: an FTS5 table on SQLite, a stored,
GIN-indexed tsvector column on PostgreSQL (delbar/search/lexical.py holds the SQL)."""

from django.db import migrations


def backend_for(schema_editor):
    from delbar.search.lexical import PostgresLexical, SqliteLexical

    return PostgresLexical() if schema_editor.connection.vendor == "postgresql" else SqliteLexical()


def create(apps, schema_editor):
    for statement in backend_for(schema_editor).create_sql:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in backend_for(schema_editor).drop_sql:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
