import json

from django.core.management.base import BaseCommand, CommandError

from delbar.search.engine import CANDIDATES, search
from delbar.search.kinds import KINDS

MAX_QUERY = 500  # as the search form and the API allow


class Command(BaseCommand):
    help = ("Searches what the public may see and prints the ranked results (id, kind, title, score): "
            "only what clears the relevance floor, so a query about nothing prints none.")

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--json", action="store_true", help="print the hits as a JSON array")
        parser.add_argument("--limit", type=int, default=10, help=f"how many hits (1–{CANDIDATES}, default 10)")
        parser.add_argument("--kind", action="append", choices=sorted(KINDS), help="only this kind (repeatable)")

    def handle(self, *args, query, limit, kind, **options):
        if not query.strip():
            raise CommandError("Give words to search for.")
        if len(query) > MAX_QUERY:
            raise CommandError(f"The query is longer than {MAX_QUERY} characters.")
        if not 1 <= limit <= CANDIDATES:
            raise CommandError(f"--limit must be between 1 and {CANDIDATES}.")
        result = search(query, kinds=kind, limit=limit, suggest=True)
        hits = [{"id": hit.id, "kind": hit.kind, "title": hit.document.title, "score": round(hit.score, 4)}
                for hit in result.shown(0, limit)]
        if options["json"]:
            self.stdout.write(json.dumps(hits, ensure_ascii=False, indent=2))
            return
        if result.suggestion:
            self.stdout.write(f"Did you mean: {result.suggestion}?")
        if not hits:
            self.stdout.write(f"Nothing matches “{query}” well. Try other or fewer words.")
        for rank, hit in enumerate(hits, 1):
            self.stdout.write(f"{rank:3}  {hit['score']:.3f}  {hit['kind']:6} {hit['id']:>14}  {hit['title']}")
