"""PostgreSQL's lexical index moves from a tsvector column on the wide search_document rows to a narrow
postings table with BM25 in SQL (delbar/search/lexical.py says why, with the measurement). SQLite's FTS5
table is unchanged.

Existing documents get their postings from their objects, as `delbar reindex` would write them but
without embedding again. A document whose object cannot be loaded here (its kind is not registered)
is left without postings, and said so: run `delbar reindex`."""

from django.db import migrations, models

BATCH = 500


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from delbar.search.lexical import PostgresLexical

    backend = PostgresLexical()
    for statement in [*backend.former_sql, *backend.create_sql]:
        schema_editor.execute(statement)
    documents = apps.get_model("search", "SearchDocument")
    if not documents.objects.filter(removed=False).exists():
        return
    # The kinds' own code turns objects into terms: the app's current models, not historical ones.
    from delbar.search.indexing import _weighted_terms
    from delbar.search.kinds import KINDS

    missing = 0
    with schema_editor.connection.cursor() as cursor:
        for kind_name, doc_ids in _live_by_kind(documents).items():
            kind = KINDS.get(kind_name)
            if kind is None:
                missing += len(doc_ids)
                continue
            object_ids = list(doc_ids)
            for start in range(0, len(object_ids), BATCH):
                chunk = object_ids[start:start + BATCH]
                objects = kind.queryset().filter(pk__in=chunk)
                rows = [(doc_ids[obj.pk], _weighted_terms(kind, obj)) for obj in objects]
                missing += len(chunk) - len(rows)
                backend.write(cursor, rows)
    if missing:
        print(f"\n  {missing} search documents have no object to take their words from: run `delbar reindex`.")


def _live_by_kind(documents) -> dict[str, dict[int, int]]:
    by_kind: dict[str, dict[int, int]] = {}
    for doc_id, kind, object_id in documents.objects.filter(removed=False).values_list("id", "kind", "object_id"):
        by_kind.setdefault(kind, {})[object_id] = doc_id
    return by_kind


def backward(apps, schema_editor):
    """Back to the tsvector column, empty: run `delbar reindex` with the older code to fill it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from delbar.search.lexical import PostgresLexical

    for statement in PostgresLexical.drop_sql:
        schema_editor.execute(statement)
    schema_editor.execute("ALTER TABLE search_document ADD COLUMN IF NOT EXISTS search_vector tsvector")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS search_document_vector ON search_document "
                          "USING gin (search_vector)")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_searchdocument_cpv_searchdocument_family_and_more")]
    operations = [
        migrations.AddField(model_name="searchclock", name="tokens", field=models.BigIntegerField(default=0)),
        migrations.RunPython(forward, backward),
    ]
