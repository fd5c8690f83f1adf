"""The observatory's figures by name: the page, the CSV and JSON downloads and the API all look them
up here, so each number comes from one query function."""

from delbar.diffusion import network, observatory

PUBLIC = {
    "activity": observatory.activity,
    "breakdown": observatory.breakdown,
    "reach-by-size": observatory.reach_by_size,
    "reach-by-county": observatory.reach_by_county,
    "map": observatory.municipality_map,
    "spread": observatory.spread,
    "speed": observatory.speed,
    "network": lambda filters: network.network(filters, limit=None),
}
# Curators' view: whom to call next.
CURATORS = {
    "unreached": observatory.unreached,
}
NAMES = [*PUBLIC, *CURATORS]


def figure(name: str, filters: dict, *, curator: bool):
    """The figure called `name`, or None when there is none (for this user)."""
    function = PUBLIC.get(name) or (CURATORS.get(name) if curator else None)
    return function(filters) if function else None
