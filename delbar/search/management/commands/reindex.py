import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from delbar.search import indexing
from delbar.search.embedders import get_embedder
from delbar.search.vectors import rewrite_snapshot, vector_index


class Command(BaseCommand):
    help = ("Rebuilds the search index (lexical terms, vectors) in place and writes the vector snapshot every "
            "process on this machine maps: search keeps finding everything while it runs. --fresh empties it "
            "first (for an embedder whose vectors have another size); --processes N embeds in N processes; "
            "--snapshot-only writes the snapshot alone, from the vectors in the database (after a restore).")

    def add_arguments(self, parser):
        parser.add_argument("--fresh", action="store_true",
                            help="empty the index first; search finds nothing until it is done")
        parser.add_argument("--processes", type=int, default=1, metavar="N",
                            help="embed in N processes, each loading the embedder, while this one writes "
                                 "(default 1: embed here); bench/results/reindex-*.md has the rate per N")
        parser.add_argument("--snapshot-only", action="store_true",
                            help="rebuild nothing: write this machine's vector snapshot from the vectors stored "
                                 "in the database, replacing any snapshot file there (run on each machine after "
                                 "a restore)")

    def handle(self, *args, **options):
        if options["processes"] < 1:
            raise CommandError(f"--processes must be at least 1, not {options['processes']}")
        if options["snapshot_only"]:
            self.write_snapshot(fresh=options["fresh"], processes=options["processes"])
            return
        embedder = get_embedder()
        started = time.perf_counter()

        def progress(kind, done):
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{kind}: {done} indexed ({done / elapsed:.1f}/s)")

        total = indexing.reindex(progress=progress if options["verbosity"] > 1 else None, fresh=options["fresh"],
                                 processes=options["processes"])
        index = vector_index(embedder.dimensions)
        saved = index.save()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Indexed {total} documents in {elapsed:.1f} s with {embedder.name}"
                          + (f"; vector snapshot written to {saved}." if saved else "."))

    def write_snapshot(self, *, fresh: bool, processes: int):
        if fresh or processes != 1:
            raise CommandError("--snapshot-only rebuilds nothing: it cannot go with --fresh or --processes")
        if not settings.SEARCH_INDEX_DIR:
            raise CommandError("No snapshot to write: DELBAR_SEARCH_INDEX_DIR is empty, so each process reads the "
                               "vectors from the database")
        started = time.perf_counter()
        saved, vectors = rewrite_snapshot(get_embedder().dimensions)
        if saved is None:
            raise CommandError("No snapshot to write: this database's search index was never built; "
                               "`delbar reindex` builds it and writes the snapshot")
        self.stdout.write(f"Vector snapshot of {vectors} documents written to {saved} in "
                          f"{time.perf_counter() - started:.1f} s.")
