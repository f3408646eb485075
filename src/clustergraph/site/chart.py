"""The growth of an initiative as small line charts (drawn as inline SVG by a template).

One panel per measure (members, countries, claimed emission cuts), the same time axis for all:
each value the sources state at an announcement is a dot (with its date, value and source in a
tooltip); the line joins the largest value of each date. A panel may add a second series (the
members this graph names by each date) drawn dashed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Panel", "Point", "Series", "nice_ticks", "panel"]

WIDTH = 320.0
HEIGHT = 170.0
LEFT, RIGHT, TOP, BOTTOM = 48.0, 12.0, 26.0, 24.0


@dataclass(frozen=True)
class Point:
    """One value at one date: `when` as a fractional year, `title` for the tooltip."""

    when: float
    value: float
    title: str


@dataclass
class Series:
    """One line of a panel: its label, colour and points; `panel` fills in the dots and path."""

    label: str
    colour: str
    points: list[Point]
    dashed: bool = False
    # filled by `panel`
    dots: list[dict[str, object]] = field(default_factory=list)
    path: str = ""


@dataclass
class Panel:
    """One chart: its title, axes (ticks in SVG coordinates) and series ready to draw."""

    title: str
    unit: str
    series: list[Series]
    x_ticks: list[dict[str, object]]
    y_ticks: list[dict[str, object]]
    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    right: float = WIDTH - RIGHT
    top: float = TOP
    bottom: float = HEIGHT - BOTTOM


def nice_ticks(high: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least `high` (1, 2 or 5 times a power of ten apart)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(math.ceil(high / step - 1e-9)) + 1)]


def _tick_text(value: float, scale: float, suffix: str) -> str:
    shown = value / scale
    return (f"{shown:g}" if shown != int(shown) else f"{int(shown)}") + suffix


def panel(title: str, unit: str, series: Sequence[Series], span: tuple[float, float]) -> Panel | None:
    """Lay out one panel over the years `span`; None if no series has a point."""
    values = [p.value for s in series for p in s.points]
    if not values:
        return None
    ticks = nice_ticks(max(values))
    top_value = ticks[-1]
    scale, suffix = ((1e9, " bn") if top_value >= 1e9 else (1e6, " M") if top_value >= 1e6 else (1.0, ""))
    first, last = span
    if last - first < 1:
        first, last = first - 0.5, last + 0.5
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM, TOP

    def x(when: float) -> float:
        return round(x0 + (when - first) / (last - first) * (x1 - x0), 1)

    def y(value: float) -> float:
        return round(y0 - value / top_value * (y0 - y1), 1)

    laid = []
    for s in series:
        dots = [{"x": x(p.when), "y": y(p.value), "title": p.title} for p in sorted(s.points, key=lambda p: (p.when, p.value))]
        best: dict[float, float] = {}
        for p in s.points:
            best[p.when] = max(best.get(p.when, p.value), p.value)
        path = "M" + "L".join(f"{x(w)},{y(v)}" for w, v in sorted(best.items())) if best else ""
        laid.append(Series(label=s.label, colour=s.colour, points=list(s.points), dashed=s.dashed, dots=dots, path=path))
    years = range(math.ceil(first), math.floor(last) + 1)
    x_ticks = [{"x": x(year), "text": str(year)} for year in years]
    y_ticks = [{"y": y(t), "text": _tick_text(t, scale, suffix)} for t in ticks]
    return Panel(title=title, unit=unit, series=laid, x_ticks=x_ticks, y_ticks=y_ticks)
