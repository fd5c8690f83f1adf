import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from delbar.needs import matching, presenting
from delbar.needs.models import Need
from delbar.needs.tasks import rematch


class Command(BaseCommand):
    help = ("Compute and print what matches a need, best first. NEED_ID is the import file's id or the "
            "database id; the matched ids are likewise the import files' ids where there are any.")

    def add_arguments(self, parser):
        parser.add_argument("need_id")
        parser.add_argument("--kind", choices=["case", "need", "solution"], help="only this kind of match")
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
        parser.add_argument("--limit", type=int, default=matching.MATCHES_PER_KIND,
                            help=f"at most this many per kind (default {matching.MATCHES_PER_KIND})")

    def handle(self, *args, need_id, kind=None, json=False, limit=matching.MATCHES_PER_KIND, **options):
        lookup = Q(external_id=need_id)
        if need_id.isdigit():
            lookup |= Q(pk=int(need_id))
        need = Need.objects.filter(lookup).select_related("organization").order_by("-external_id").first()
        if need is None:
            raise CommandError(f"no need with id {need_id}")
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        rematch(need)
        # What an administrator sees: every match, whatever its visibility.
        found = matching.find(need, kinds=[kind] if kind else None, limit=limit)
        decided = {(m.kind, m.object_id): m.state for m in need.matches.all()}
        rows = []
        for item in found:
            state = decided.get((item.kind, item.object_id), "suggested")
            if state == "dismissed":
                continue
            obj = presenting.MODELS[item.kind].objects.filter(pk=item.object_id).first()
            rows.append({"kind": item.kind, "id": getattr(obj, "external_id", None) or str(item.object_id),
                         "score": round(item.score, 6),
                         "similarity": None if item.similarity is None else round(item.similarity, 6),
                         "state": state, "reasons": item.reasons, "title": obj.title if obj else ""})
        rows.sort(key=lambda row: (presenting.KIND_ORDER.index(row["kind"]), -row["score"]))
        if json:
            self.stdout.write(_dumps(rows))
            return
        for row in rows:
            self.stdout.write(f"{row['kind']:8} {row['score']:.3f}  {row['id']:>14}  {row['title']}")


def _dumps(rows) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
