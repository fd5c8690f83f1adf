import time

from django.core.management.base import BaseCommand

from delbar.search import indexing
from delbar.search.embedders import get_embedder
from delbar.search.vectors import vector_index


class Command(BaseCommand):
    help = ("Rebuilds the search index (lexical terms, vectors, nearest-neighbour graph) in place: search "
            "keeps finding everything while it runs. --fresh empties it first (for an embedder whose vectors "
            "have another size).")

    def add_arguments(self, parser):
        parser.add_argument("--fresh", action="store_true",
                            help="empty the index first; search finds nothing until it is done")

    def handle(self, *args, **options):
        embedder = get_embedder()
        started = time.perf_counter()

        def progress(kind, done):
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{kind}: {done} indexed ({done / elapsed:.1f}/s)")

        total = indexing.reindex(progress=progress if options["verbosity"] > 1 else None, fresh=options["fresh"])
        index = vector_index(embedder.dimensions)
        saved = index.save()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Indexed {total} documents in {elapsed:.1f} s with {embedder.name}"
                          + (f"; graph saved to {saved}." if saved else "."))
