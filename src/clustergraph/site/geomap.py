"""Maps drawn offline: Natural Earth outlines (world-atlas TopoJSON) in the Natural Earth I
projection, and cluster markers coloured by technology focus, as plain data for the templates.

No tile server, no CDN, no JavaScript: the world's outlines are one SVG file (assets/world.svg)
that every map shows as an image, and markers are circles drawn over it.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["MAP_HEIGHT", "MAP_WIDTH", "MapView", "Marker", "country_paths", "project", "vendor_file"]

MAP_SCALE = 175.0
MAP_WIDTH = 2 * 2.7353 * MAP_SCALE
MAP_HEIGHT = 2 * 1.4224 * MAP_SCALE

#: Colours of the top technology concepts on the maps, in the order the scheme lists them.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#bcbd22", "#f2c500", "#393b79", "#637939", "#843c39", "#5254a3")
NO_TECH = "#444444"


def project(lon: float, lat: float) -> tuple[float, float]:
    """Natural Earth I projection (Šavrič et al. 2011) to SVG coordinates of the world map.

    Longitudes beyond ±180 continue the same formula (used to draw rings that cross 180°).
    """
    lam, phi = math.radians(lon), math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return MAP_WIDTH / 2 + x * MAP_SCALE, MAP_HEIGHT / 2 - y * MAP_SCALE


def vendor_file(*parts: str) -> Any:
    """A file vendored under site_assets/vendor/ (an importlib.resources Traversable)."""
    return files("clustergraph").joinpath("site_assets", "vendor", *parts)


@cache
def country_paths() -> tuple[tuple[str, str], ...]:
    """(name, SVG path data) of every country of world-atlas's 1:110m outlines."""
    topo = json.loads(vendor_file("world-atlas", "countries-110m.json").read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        crosses = any(abs(a[0] - b[0]) > 180 for a, b in zip(points, points[1:]))
        if not crosses or min(lat for _, lat in points) < -60:  # Antarctica wraps the pole: as is
            shifts = [0.0]
        else:
            # a ring across the antimeridian (Russia, Fiji): unwrap it east of 180 degrees and draw
            # it twice, once on each side; the map's frame clips what falls outside
            points = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in points]
            shifts = [0.0, -360.0]
        return "".join(
            "M" + "L".join("{:.1f},{:.1f}".format(*project(lon + shift, lat)) for lon, lat in points) + "Z"
            for shift in shifts)

    out = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs") or []
        if geom["type"] == "Polygon":
            polys = [polys]
        elif geom["type"] != "MultiPolygon":
            continue
        d = "".join(ring(r) for poly in polys for r in poly)
        out.append((geom.get("properties", {}).get("name", ""), d))
    return tuple(out)


@dataclass(frozen=True)
class Marker:
    """One cluster on a map."""

    x: float
    y: float
    colour: str
    title: str
    href: str | None


@dataclass(frozen=True)
class MapView:
    """A map for a template: the part of the world shown, the outlines image, the markers."""

    box: tuple[float, float, float, float]
    world_href: str
    markers: tuple[Marker, ...]
    radius: float
    width: float = MAP_WIDTH
    height: float = MAP_HEIGHT

    @property
    def view_box(self) -> str:
        """The SVG `viewBox` of the part of the world shown ("x y width height")."""
        return "{:.1f} {:.1f} {:.1f} {:.1f}".format(*self.box)


def focus_box(points: Sequence[tuple[float, float]], *, min_width: float = 240.0) -> tuple[float, float, float, float]:
    """A view box (x, y, w, h) around projected points, at the map's aspect ratio, inside the map."""
    xs = [project(*p)[0] for p in points]
    ys = [project(*p)[1] for p in points]
    aspect = 150.0 / 240.0
    w = max(min_width, (max(xs) - min(xs)) * 1.3, (max(ys) - min(ys)) * 1.3 / aspect)
    w = min(w, MAP_WIDTH)
    h = min(w * aspect, MAP_HEIGHT)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    x = min(max(cx - w / 2, 0.0), MAP_WIDTH - w)
    y = min(max(cy - h / 2, 0.0), MAP_HEIGHT - h)
    return x, y, w, h


def legend_items(colours: dict[str, str], focus: dict[str, str], labels: dict[str, str],
                 unfocused: int) -> list[dict[str, Any]]:
    """The map legend: colour, technology label and number of clusters, for each colour in use."""
    used = Counter(focus.values())
    items = [{"colour": colour, "label": labels[t], "count": used[t]} for t, colour in colours.items() if used[t]]
    if unfocused:
        items.append({"colour": NO_TECH, "label": "no technology given", "count": unfocused})
    return items
