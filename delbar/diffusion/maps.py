"""The municipality map, drawn once per process as SVG paths and coloured per request.

Boundaries: Kartverket's municipalities (2024 structure, simplified; © Kartverket, CC BY 4.0), see
data/ATTRIBUTION.md. They are projected with a Lambert conformal conic projection (standard parallels
60° and 68° N), as Norwegian overview maps are, so the north is not stretched as in Web Mercator.
"""

import json
import math
from functools import cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BOUNDARIES = Path(__file__).resolve().parent / "data" / "kommuner.geojson"
WIDTH = 520
MIN_STEP = 0.8     # pixels, at WIDTH
PARALLELS = (math.radians(60), math.radians(68))
ORIGIN = (math.radians(15), math.radians(64))
# A sequential blue scale (light to dark); the lightest still differs from "nothing" (grey).
CLASS_COLOURS = ["#f0f0f0", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
BINARY_COLOURS = ["#f0f0f0", "#2171b5"]
ATTRIBUTION = "© Kartverket (CC BY 4.0)"


def _projector():
    phi1, phi2 = PARALLELS
    n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(
        math.tan(math.pi / 4 + phi2 / 2) / math.tan(math.pi / 4 + phi1 / 2))
    f = math.cos(phi1) * math.tan(math.pi / 4 + phi1 / 2) ** n / n
    rho0 = f / math.tan(math.pi / 4 + ORIGIN[1] / 2) ** n

    def project(lon: float, lat: float) -> tuple[float, float]:
        rho = f / math.tan(math.pi / 4 + math.radians(lat) / 2) ** n
        theta = n * (math.radians(lon) - ORIGIN[0])
        return rho * math.sin(theta), rho0 - rho * math.cos(theta)

    return project


@cache
def shapes() -> tuple[dict[str, tuple[str, str]], int]:
    """{municipality number: (name, SVG path)}, and the map's height for WIDTH."""
    features = json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
    project = _projector()
    projected = {}
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = [[project(lon, lat) for lon, lat in ring] for polygon in polygons for ring in polygon]
        projected[feature["properties"]["kommunenummer"]] = (feature["properties"]["kommunenavn"], rings)
    xs = [x for _name, rings in projected.values() for ring in rings for x, _y in ring]
    ys = [y for _name, rings in projected.values() for ring in rings for _x, y in ring]
    left, top = min(xs), max(ys)
    scale = (WIDTH - 8) / (max(xs) - left)
    height = round((top - min(ys)) * scale) + 8
    paths = {}
    for number, (name, rings) in projected.items():
        parts = []
        for ring in rings:
            points = []
            for x, y in ring:
                point = (round((x - left) * scale + 4, 1), round((top - y) * scale + 4, 1))
                # Points within MIN_STEP of the last one kept add bytes, not shape, at this size.
                if not points or abs(point[0] - points[-1][0]) + abs(point[1] - points[-1][1]) >= MIN_STEP:
                    points.append(point)
            if len(points) >= 3:
                # Relative steps after the first point: about half the characters of absolute ones.
                steps = [f"{b[0] - a[0]:.1f},{b[1] - a[1]:.1f}".replace(".0,", ",").removesuffix(".0")
                         for a, b in zip(points, points[1:], strict=False)]
                parts.append(f"M{points[0][0]:g},{points[0][1]:g}l" + " ".join(steps) + "z")
        paths[number] = (name, "".join(parts))
    return paths, height


def breaks(values: list[int]) -> list[int]:
    """Upper bounds of up to four classes of positive values (quartiles of the distinct values), so a
    few very active municipalities do not leave everyone else in the lightest class."""
    positive = sorted({value for value in values if value and value > 0})
    if not positive:
        return []
    if len(positive) <= 4:
        return positive
    return sorted({positive[min(len(positive) - 1, math.ceil(len(positive) * q / 4) - 1)] for q in (1, 2, 3, 4)})


def class_of(value, bounds: list[int]) -> int:
    if not value:
        return 0
    for number, bound in enumerate(bounds, start=1):
        if value <= bound:
            return number
    return len(bounds)


def legend_items(bounds: list[int], zero_label: str) -> list[tuple[str, str]]:
    """(colour, label) per class, for the HTML legend beside the map."""
    items, previous = [(CLASS_COLOURS[0], zero_label)], 0
    for number, bound in enumerate(bounds, start=1):
        label = str(bound) if bound == previous + 1 else f"{previous + 1}–{bound}"
        items.append((CLASS_COLOURS[number], label))
        previous = bound
    return items


def choropleth(map_id: str, *, title: str, description: str, values: dict[str, int], value_label: str,
               bounds: list[int] | None = None, binary: bool = False) -> SafeString:
    """Every municipality coloured by its value's class (`binary`: any value against none)."""
    paths, height = shapes()
    bounds = [1] if binary else breaks(list(values.values())) if bounds is None else bounds
    palette = BINARY_COLOURS if binary else CLASS_COLOURS
    body = []
    for number, (name, path) in paths.items():
        value = values.get(number, 0)
        colour = palette[class_of(value, bounds)]
        body.append(f'<path d="{path}" fill="{colour}" data-municipality="{number}" data-value="{value}">'
                    f'<title>{escape(name)}: {escape(value_label)} {value}</title></path>')
    return mark_safe(
        f'<svg class="map" id="{map_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{map_id}-title {map_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{map_id}-title">{escape(title)}</title><desc id="{map_id}-desc">{escape(description)}</desc>'
        f'<g class="municipalities">{"".join(body)}</g>'
        f'<text class="attribution" x="{WIDTH - 6}" y="{height - 6}" text-anchor="end">{ATTRIBUTION}</text></svg>')
