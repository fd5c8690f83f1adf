"""`Scope`: a set of documents to search among, said in the search layer's own terms.

Matching and adoption proposals do not search as a person: they weigh everything that may be matched
or proposed (published cases, other buyers' open needs, later notices), and each viewer is checked
when the result is shown. They describe that set with a Scope rather than reading search's tables.
"""

import datetime as dt
from dataclasses import dataclass

from delbar.search.models import SearchDocument


@dataclass(frozen=True)
class Scope:
    kinds: tuple[str, ...]
    public: bool | None = None            # True: only what the public may see
    status: str | None = None             # the document's status (a need's "open")
    buyers: object = None                 # only these organizations: ids, or a subquery of ids
    not_buyers: tuple[int, ...] = ()      # leave these organizations out
    not_objects: tuple[tuple[str, int], ...] = ()  # leave these out, as (kind, object id)
    since: dt.date | None = None          # dated on or after
    # True when the set is a small part of the index (open needs among 200k documents): it is scored
    # exactly. False (every published case) lets the graph find candidates, as for a search.
    narrow: bool = False
    # A document whose own words must not count as evidence the corpus holds them (a need searching
    # with its own text), as (kind, object id).
    unseen: tuple[str, int] | None = None

    def documents(self):
        documents = SearchDocument.objects.filter(kind__in=self.kinds, removed=False)
        if self.public is not None:
            documents = documents.filter(public=self.public)
        if self.status is not None:
            documents = documents.filter(status=self.status)
        if self.buyers is not None:
            documents = documents.filter(organization_id__in=self.buyers)
        if self.not_buyers:
            documents = documents.exclude(organization_id__in=self.not_buyers)
        for kind, object_id in self.not_objects:
            documents = documents.exclude(kind=kind, object_id=object_id)
        if self.since is not None:
            documents = documents.filter(date__date__gte=self.since)
        return documents

    def unseen_document(self) -> SearchDocument | None:
        if self.unseen is None:
            return None
        kind, object_id = self.unseen
        return SearchDocument.objects.filter(kind=kind, object_id=object_id).only("terms", "removed").first()
