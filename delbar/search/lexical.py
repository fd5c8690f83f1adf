"""Lexical matching in the database in use: SQLite FTS5 or PostgreSQL full text ('norwegian').

Both are fed the same stemmed terms (text.py), per weight class A–D (kinds.py declares which field is
which), and both return (document id, score) best first, higher is better. Scores are only compared
within one query (engine.py divides by the best), so the two backends need not share a scale.
"""

from django.db import connection

WEIGHT_CLASSES = ("A", "B", "C", "D")
# Relative field weights: title (A) > summary (B) > need and solution (C) > the rest (D). Measured on
# the dev evaluation set (bench/bench_search_quality.py); flatter or steeper weights scored lower.
WEIGHTS = {"A": 4.0, "B": 2.0, "C": 1.5, "D": 1.0}


class SqliteLexical:
    """An FTS5 table beside search_document, rowid = document id, one column per weight class.
    FTS5 has no Norwegian stemmer, so it stores terms stemmed in Python (PyStemmer's Snowball)."""

    create_sql = [
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
        "a, b, c, d, tokenize='unicode61 remove_diacritics 0')",
    ]
    drop_sql = ["DROP TABLE IF EXISTS search_fts"]

    def write(self, cursor, rows: list[tuple[int, dict[str, list[str]]]]) -> None:
        self.delete(cursor, [doc_id for doc_id, _ in rows])
        cursor.executemany(
            "INSERT INTO search_fts (rowid, a, b, c, d) VALUES (%s, %s, %s, %s, %s)",
            [(doc_id, *(" ".join(classes.get(w, ())) for w in WEIGHT_CLASSES)) for doc_id, classes in rows])

    def delete(self, cursor, doc_ids: list[int]) -> None:
        if doc_ids:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(doc_id,) for doc_id in doc_ids])

    def clear(self, cursor) -> None:
        cursor.execute("DELETE FROM search_fts")

    def match(self, cursor, terms: list[str], where: str, params: list, limit: int) -> list[tuple[int, float]]:
        expression = " OR ".join(f'"{term}"' for term in terms)
        weights = ", ".join(str(WEIGHTS[w]) for w in WEIGHT_CLASSES)
        join = "" if where == "1 = 1" else "JOIN search_document d ON d.id = search_fts.rowid "
        cursor.execute(
            f"SELECT search_fts.rowid, -bm25(search_fts, {weights}) AS score FROM search_fts {join}"
            f"WHERE search_fts MATCH %s AND {where} ORDER BY bm25(search_fts, {weights}) LIMIT %s",
            [expression, *params, limit])
        return cursor.fetchall()


class PostgresLexical:
    """A stored tsvector column on search_document with a GIN index, built with the 'norwegian'
    configuration when the document is written: queries never compute vectors per row.

    PostgreSQL's ts_rank knows no inverse document frequency, so each term is ranked on its own and
    weighted by its IDF from search_term: the same BM25-like preference for rare words as FTS5.
    Normalization 32 (rank / (rank + 1)) saturates repeated words as BM25 does; of 0, 1, 2 and 32 it
    ranked best on the dev set."""

    create_sql = [
        "ALTER TABLE search_document ADD COLUMN IF NOT EXISTS search_vector tsvector",
        "CREATE INDEX IF NOT EXISTS search_document_vector ON search_document USING gin (search_vector)",
    ]
    drop_sql = ["DROP INDEX IF EXISTS search_document_vector",
                "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector"]

    def write(self, cursor, rows: list[tuple[int, dict[str, list[str]]]]) -> None:
        vector = " || ".join(f"setweight(to_tsvector('norwegian', %s), '{w}')" for w in WEIGHT_CLASSES)
        cursor.executemany(
            f"UPDATE search_document SET search_vector = {vector} WHERE id = %s",
            [(*(" ".join(classes.get(w, ())) for w in WEIGHT_CLASSES), doc_id) for doc_id, classes in rows])

    def delete(self, cursor, doc_ids: list[int]) -> None:
        if doc_ids:
            cursor.execute("UPDATE search_document SET search_vector = NULL WHERE id = ANY(%s)", [list(doc_ids)])

    def clear(self, cursor) -> None:
        cursor.execute("UPDATE search_document SET search_vector = NULL WHERE search_vector IS NOT NULL")

    def match(self, cursor, terms: list[str], where: str, params: list, limit: int,
              idf: dict[str, float] | None = None) -> list[tuple[int, float]]:
        idf = idf or {}
        # ts_rank's weight array runs D, C, B, A.
        weights = "'{" + ",".join(str(WEIGHTS[w] / WEIGHTS["A"]) for w in reversed(WEIGHT_CLASSES)) + "}'"
        ranks = " + ".join(f"%s * ts_rank({weights}, d.search_vector, to_tsquery('norwegian', %s), 32)"
                           for _ in terms)
        rank_params = [value for term in terms for value in (idf.get(term, 1.0), term)]
        cursor.execute(
            f"SELECT d.id, {ranks} AS score FROM search_document d "
            f"WHERE d.search_vector @@ to_tsquery('norwegian', %s) AND {where} ORDER BY score DESC, d.id LIMIT %s",
            [*rank_params, " | ".join(terms), *params, limit])
        return cursor.fetchall()


def backend():
    return PostgresLexical() if connection.vendor == "postgresql" else SqliteLexical()
