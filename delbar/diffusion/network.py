"""The learning network: which organizations learned from which — by adopting a case (learner →
the case's lead buyer) or asking a question on it (asker → lead buyer). The most central
organizations are candidates for the report's regional "super-user" role.

Buyer groups are not edges: a group and its members are seen only by the members' people and
curators (docs/permissions.md), and the network is a public figure.

Edges are aggregated in the database; centrality is computed by igraph (C) and cached until either
source changes (freshness.network_fingerprint).
"""

import igraph
from django.core.cache import cache
from django.db.models import Count, F
from django.utils.translation import gettext_lazy as _

from delbar.diffusion.figures import Column, Figure
from delbar.diffusion.freshness import network_fingerprint
from delbar.diffusion.models import Adoption
from delbar.orgs.models import Organization
from delbar.questions.models import Question

CACHE_SECONDS = 24 * 3600     # the fingerprint decides freshness; this only bounds memory
SHOWN = 10


def edges() -> dict[tuple[int, int], dict[str, int]]:
    """(learner, teacher) -> {adoptions, questions}: how many times, by which route."""
    found: dict[tuple[int, int], dict[str, int]] = {}
    sources = {
        "adoptions": Adoption.objects.counted().values(
            learner=F("organization_id"), teacher=F("case__lead_buyer_id")),
        "questions": Question.objects.exclude(organization=None).values(
            learner=F("organization_id"), teacher=F("case__lead_buyer_id")),
    }
    for route, rows in sources.items():
        for learner, teacher, n in rows.annotate(n=Count("pk")).order_by().values_list("learner", "teacher", "n"):
            if learner != teacher:
                found.setdefault((learner, teacher), dict.fromkeys(sources, 0))[route] += n
    return found


def centrality() -> list[dict]:
    """Every organization in the network with its measures, most central (PageRank) first."""
    # Its own, narrower fingerprint: a new case, need, notice or buyer group does not change who learned
    # from whom, so the most expensive figure stays cached through them.
    key = f"diffusion:network:{network_fingerprint()}"
    rows = cache.get(key)
    if rows is None:
        rows = _compute()
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def _compute() -> list[dict]:
    links = edges()
    if not links:
        return []
    nodes = sorted({org for pair in links for org in pair})
    index = {org: position for position, org in enumerate(nodes)}
    graph = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in links], directed=True)
    weights = [sum(routes.values()) for routes in links.values()]
    # PageRank along learner → teacher: an organization many learn from, and whose learners are
    # themselves learned from, ranks high. Betweenness (undirected) finds the bridges between regions.
    pagerank = graph.pagerank(weights=weights)
    betweenness = graph.betweenness(directed=False)
    taught = graph.indegree()
    learned = graph.outdegree()
    routes = {org: {"adoptions": 0, "questions": 0} for org in nodes}
    for (_learner, teacher), counts in links.items():
        for route, n in counts.items():
            routes[teacher][route] += n
    organizations = {org.pk: org for org in Organization.objects.filter(pk__in=nodes).select_related("county")}
    rows = []
    for org_id in nodes:
        org = organizations[org_id]
        position = index[org_id]
        rows.append({"id": org_id, "name": org.name, "kind": org.kind,
                     "county": org.county.name if org.county else "",
                     "taught": taught[position], "learned_from": learned[position],
                     "adopted_from_them": routes[org_id]["adoptions"], "questions_to_them": routes[org_id]["questions"],
                     "pagerank": round(pagerank[position], 4), "betweenness": round(betweenness[position], 1)})
    rows.sort(key=lambda row: (-row["pagerank"], -row["taught"], row["name"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def network(filters: dict | None = None, *, limit: int | None = SHOWN) -> Figure:
    rows = centrality()
    columns = [Column("rank", _("Rank"), "int"), Column("name", _("Organization")), Column("county", _("County")),
               Column("taught", _("Organizations that learned from them"), "int"),
               Column("learned_from", _("Organizations they learned from"), "int"),
               Column("adopted_from_them", _("Adoptions of their cases"), "int"),
               Column("questions_to_them", _("Questions to them"), "int"),
               Column("pagerank", _("Influence"), "number"),
               Column("betweenness", _("Bridging"), "number")]
    return Figure("network", _("The learning network: most central organizations"), columns,
                  rows[:limit] if limit else rows,
                  [_("All years and sectors: the network is drawn from every adoption and question."),
                   _("Influence: how much learning reaches others through the organization, directly or through "
                     "those who learned from it (PageRank). Bridging: how often it is the link between two "
                     "organizations that would otherwise not be connected (betweenness centrality).")])
