"""What search stores: one row per searchable object, the document frequency of each term, a clock.

The lexical index lives beside these tables in the database's own full-text machinery (lexical.py)
and is written in the same transaction as the row; the vector is stored here, as the source of
truth for the in-process nearest-neighbour index (vectors.py).
"""

import uuid

from django.db import models


class SearchDocument(models.Model):
    """An object as search sees it: display text, filter values, vector, visibility."""

    kind = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    external_id = models.CharField(max_length=100, blank=True)
    # A monotonically increasing change number (SearchClock), so a process's vector index can catch
    # up with exactly the rows changed since it last looked. Removed objects stay as tombstones
    # (removed=True) until `delbar reindex`, so the catch-up sees removals too.
    version = models.BigIntegerField(db_index=True)
    removed = models.BooleanField(default=False)

    # Who may find it: everyone when public, otherwise the owning organization's editors, curators
    # (for what they review) and admins; see engine.visibility().
    public = models.BooleanField(default=False)
    organization_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=20, blank=True)

    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    date = models.DateTimeField(null=True)

    # Filter and facet values. `sectors` holds every sector, main first, space-padded (" a b ").
    sector = models.CharField(max_length=40, blank=True)
    sectors = models.CharField(max_length=400, blank=True)
    county = models.CharField(max_length=2, blank=True)
    size_class = models.CharField(max_length=10, blank=True)
    procedure = models.CharField(max_length=30, blank=True)
    category = models.CharField(max_length=3, blank=True)
    outcome = models.CharField(max_length=10, blank=True)
    year = models.PositiveSmallIntegerField(null=True)
    language = models.CharField(max_length=5, blank=True)
    # Notices: the kind of notice (eForms form type), the innovation signal, CPV divisions (" 45 71 ").
    family = models.CharField(max_length=20, blank=True)
    signal = models.CharField(max_length=10, blank=True)
    cpv = models.CharField(max_length=300, blank=True)

    terms = models.TextField(blank=True)            # its distinct terms, for SearchTerm bookkeeping
    embedded_text_hash = models.CharField(max_length=32, blank=True)   # of the text `embedding` is of
    embedding = models.BinaryField(null=True)       # float32 × Embedder.dimensions
    # The hash of a text waiting for the worker to embed it (indexing.embed_pending), "" when none waits.
    # Until then `embedding` stays the vector of the earlier text, or None for a new document.
    wanted_text_hash = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        db_table = "search_document"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_object")]
        # Only the date: an index leading with kind/removed/public would tempt SQLite, without table
        # statistics, away from the primary key when candidates are checked by id (bench: 34 ms → 5 ms).
        # The filter columns together: filtered searches read the matching ids from this covering index
        # instead of scanning the wide rows (county + outcome at 200k documents: 303 ms → 13 ms).
        indexes = [models.Index(fields=["-date"], name="search_listing"),
                   models.Index(fields=["county", "sector", "year", "outcome", "procedure", "category", "size_class",
                                        "kind", "removed", "public", "organization_id", "status", "sectors"],
                                name="search_filters"),
                   # The few documents waiting for a vector, so the worker (and each of the many queued runs
                   # that find nothing) reads them without scanning every wide row.
                   models.Index(fields=["id"], condition=~models.Q(wanted_text_hash=""), name="search_waiting")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class SearchTerm(models.Model):
    """How many live documents contain a term: lets a query drop words too common to rank by."""

    term = models.CharField(max_length=100, primary_key=True)
    documents = models.IntegerField(default=0)

    class Meta:
        db_table = "search_term"

    def __str__(self) -> str:
        return f"{self.term} ({self.documents})"


def new_instance() -> str:
    return uuid.uuid4().hex


class SearchClock(models.Model):
    """A single row counting changes. Taking a number locks the row until commit, so numbers
    become visible in order; it is at least the current time in microseconds, so numbers never
    repeat even after a rollback."""

    value = models.BigIntegerField(default=0)
    documents = models.IntegerField(default=0)      # live documents, for inverse document frequency
    # Terms in live documents, for BM25's average document length on PostgreSQL (lexical.py keeps it;
    # SQLite's FTS5 keeps its own).
    tokens = models.BigIntegerField(default=0)
    # Names this life of the index: a new database, a flush or `delbar reindex` gives a new one, and
    # processes then rebuild their vector index instead of catching up.
    instance = models.CharField(max_length=32, default=new_instance)

    class Meta:
        db_table = "search_clock"

    def __str__(self) -> str:
        return str(self.value)
