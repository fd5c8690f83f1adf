"""The observatory's figures by name: the page, the CSV and JSON downloads and the API all look them
up here, so each number comes from one query function.

Figures are cached until the data they are drawn from changes: the key holds a fingerprint of a few
indexed aggregates (freshness.py), the filters and the language, so an adoption declared a second
ago is in the next page view. CACHE_SECONDS bounds what the fingerprint cannot see (an organization's
new size class).
"""

import hashlib
import json

from django.core.cache import cache
from django.utils.translation import get_language

from delbar.diffusion import challengefigures, network, observatory
from delbar.diffusion.freshness import fingerprint

CACHE_SECONDS = 3600

PUBLIC = {
    "activity": observatory.activity,
    "breakdown": observatory.breakdown,
    "reach-by-size": observatory.reach_by_size,
    "reach-by-county": observatory.reach_by_county,
    "map": observatory.municipality_map,
    "spread": observatory.spread,
    "speed": observatory.speed,
    "network": lambda filters: network.network(filters, limit=None),
    "challenges": challengefigures.challenge_summary,
    "challenges-by-year": challengefigures.challenges_by_year,
    "challenges-by-sector": challengefigures.challenges_by_sector,
}
# Curators' view: whom to call next.
CURATORS = {
    "unreached": observatory.unreached,
}
NAMES = [*PUBLIC, *CURATORS]
# Figures that keep their own cache under a narrower fingerprint: the learning network (the costliest
# figure) depends on adoptions and questions only, so new cases, needs and notices leave it cached
# (network.centrality).
SELF_CACHED = {"network"}


def _key(name: str, filters: dict, stamp: str) -> str:
    params = json.dumps(filters.get("params", {}), sort_keys=True)
    return "diffusion:figure:" + hashlib.sha256(f"{name}|{params}|{get_language()}|{stamp}".encode()).hexdigest()


def figures(names: list[str], filters: dict, *, curator: bool) -> dict:
    """{name: Figure} for the names this user may see; unknown names are left out."""
    stamp = fingerprint()
    found = {}
    for name in names:
        function = PUBLIC.get(name) or (CURATORS.get(name) if curator else None)
        if function is None:
            continue
        if name in SELF_CACHED:
            found[name] = function(filters)
            continue
        key = _key(name, filters, stamp)
        figure = cache.get(key)
        if figure is None:
            # The speed summary is drawn from the spread table: reuse it when it was just made.
            figure = observatory.speed(filters, found["spread"]) if name == "speed" and "spread" in found else (
                function(filters))
            cache.set(key, figure, CACHE_SECONDS)
        found[name] = figure
    return found


def figure(name: str, filters: dict, *, curator: bool):
    """The figure called `name`, or None when there is none (for this user)."""
    return figures([name], filters, curator=curator).get(name)
