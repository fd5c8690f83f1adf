"""Lexical matching in the database in use: SQLite FTS5, or a postings table with BM25 in SQL on PostgreSQL.

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
    tables = ()                 # FTS5 keeps its own statistics

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

    def holds(self, cursor, term: str, where: str, params: list) -> bool:
        """Whether any document the WHERE clause admits holds `term`: the first one found answers."""
        cursor.execute(f"SELECT 1 FROM search_fts JOIN search_document d ON d.id = search_fts.rowid "
                       f"WHERE search_fts MATCH %s AND {where} LIMIT 1", [f'"{term}"', *params])
        return cursor.fetchone() is not None


class PostgresLexical:
    """A narrow postings table, search_posting: one row per (term, document) with the term's weighted
    frequency in the document and the document's length, and BM25 computed in SQL over the postings
    of the query's terms, a set the engine bounds (POSTINGS_BUDGET). The same BM25 as FTS5's bm25():
    k1 = 1.2, b = 0.75, the frequency of a term summed over the weight classes times their weights,
    the length counted in terms; the IDF comes from search_term (the engine's, with `unseen` taken out).

    Measured at 200,000 generated documents (bench/bench_search_latency.py): the former tsvector on the
    wide search_document rows, ranked by ts_rank per term, read and detoasted every matching row; one
    term in 7,541 documents took 230 ms and 35,620 buffers (EXPLAIN ANALYZE, BUFFERS), far beyond the
    128 MB of shared buffers, and under load the searches waited on DataFileRead and BufferMapping.
    A term's postings sit together in the primary key, which covers frequency and length: with the
    table's visibility map set (autovacuum), a query reads a few index pages and no table rows."""

    create_sql = [
        "CREATE TABLE IF NOT EXISTS search_posting ("
        "term varchar(100) NOT NULL, document_id bigint NOT NULL, frequency real NOT NULL, length integer NOT NULL, "
        "CONSTRAINT search_posting_pkey PRIMARY KEY (term, document_id) INCLUDE (frequency, length))",
        "CREATE INDEX IF NOT EXISTS search_posting_document ON search_posting (document_id)",
    ]
    drop_sql = ["DROP TABLE IF EXISTS search_posting"]
    tables = ("search_posting",)
    # What 0002_lexical_index created on PostgreSQL before the postings table (0004 removes it).
    former_sql = ["DROP INDEX IF EXISTS search_document_vector",
                  "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector"]
    K1, B = 1.2, 0.75           # FTS5's bm25() constants (sqlite/ext/fts5/fts5_aux.c)
    TERM_LENGTH = 100           # SearchTerm.term: longer "words" are neither counted nor matched

    def write(self, cursor, rows: list[tuple[int, dict[str, list[str]]]]) -> None:
        self.delete(cursor, [doc_id for doc_id, _ in rows])
        terms, doc_ids, frequencies, lengths = [], [], [], []
        tokens = 0
        for doc_id, classes in rows:
            frequency: dict[str, float] = {}
            for weight in WEIGHT_CLASSES:
                for term in classes.get(weight, ()):
                    frequency[term] = frequency.get(term, 0.0) + WEIGHTS[weight]
            length = sum(len(classes.get(weight, ())) for weight in WEIGHT_CLASSES)
            tokens += length
            for term, value in frequency.items():
                if len(term) <= self.TERM_LENGTH:
                    terms.append(term)
                    doc_ids.append(doc_id)
                    frequencies.append(value)
                    lengths.append(length)
        if terms:
            cursor.execute(
                "INSERT INTO search_posting (term, document_id, frequency, length) "
                "SELECT * FROM unnest(%s::varchar[], %s::bigint[], %s::real[], %s::integer[])",
                [terms, doc_ids, frequencies, lengths])
        self._count_tokens(cursor, tokens)

    def delete(self, cursor, doc_ids: list[int]) -> None:
        if not doc_ids:
            return
        cursor.execute(
            "WITH gone AS (DELETE FROM search_posting WHERE document_id = ANY(%s) RETURNING document_id, length) "
            "SELECT COALESCE(SUM(length), 0) FROM (SELECT DISTINCT document_id, length FROM gone) AS documents",
            [list(doc_ids)])
        self._count_tokens(cursor, -int(cursor.fetchone()[0]))

    def _count_tokens(self, cursor, change: int) -> None:
        """Keeps the total length of live documents on the clock row (its writer already holds the row)."""
        if change:
            cursor.execute("UPDATE search_clock SET tokens = GREATEST(tokens + %s, 0) WHERE id = 1", [change])

    def clear(self, cursor) -> None:
        cursor.execute("TRUNCATE search_posting")

    def match(self, cursor, terms: list[str], where: str, params: list, limit: int,
              idf: dict[str, float] | None = None) -> list[tuple[int, float]]:
        idf = idf or {}
        join = "" if where == "1 = 1" else f"JOIN search_document d ON d.id = p.document_id AND {where} "
        # The average length of a live document; without a count (a flushed clock), every document is
        # taken to be of average length. Constants are float8: a bare 0.75 would make the sum numeric.
        average = "(SELECT tokens::float8 / NULLIF(documents, 0) FROM search_clock WHERE id = 1 AND tokens > 0)"
        k1, b = f"{self.K1}::float8", f"{self.B}::float8"
        bm25 = (f"q.idf * p.frequency * ({k1} + 1) / "
                f"(p.frequency + {k1} * (1 - {b} + {b} * p.length / COALESCE({average}, p.length)))")
        cursor.execute(
            f"SELECT p.document_id, SUM({bm25}) AS score FROM unnest(%s::varchar[], %s::float8[]) AS q (term, idf) "
            f"JOIN search_posting p ON p.term = q.term {join}"
            f"GROUP BY p.document_id ORDER BY score DESC, p.document_id LIMIT %s",
            [list(terms), [idf.get(term, 1.0) for term in terms], *params, limit])
        return cursor.fetchall()

    def holds(self, cursor, term: str, where: str, params: list) -> bool:
        """Whether any document the WHERE clause admits holds `term`: the first one found answers."""
        cursor.execute(f"SELECT 1 FROM search_posting p JOIN search_document d ON d.id = p.document_id "
                       f"WHERE p.term = %s AND {where} LIMIT 1", [term, *params])
        return cursor.fetchone() is not None


def backend():
    return PostgresLexical() if connection.vendor == "postgresql" else SqliteLexical()
