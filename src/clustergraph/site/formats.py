"""Dates and quantities as a reader writes them: "22 January 2025", "January 2025", "832 million t"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["date_text", "date_value", "quantity_text", "when"]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def date_text(lexical: str | None) -> str:
    """A date of any precision (xsd:date, xsd:gYearMonth, xsd:gYear) in words; as given if unknown."""
    if not lexical:
        return ""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", lexical.strip())
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        return lexical
    year, month, day = m.groups()
    if day:
        return f"{int(day)} {_MONTHS[int(month) - 1]} {year}"
    if month:
        return f"{_MONTHS[int(month) - 1]} {year}"
    return year


def when(lexical: str | None) -> dict[str, str] | None:
    """A date for a template's `<time>`: {"iso": as stated, "text": in words}; None for no date."""
    return {"iso": lexical, "text": date_text(lexical)} if lexical else None


def date_value(lexical: str | None) -> float | None:
    """A date of any precision as a fractional year (the middle of its month or year), for charts."""
    if not lexical:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", lexical.strip())
    if not m:
        return None
    year, month, day = m.groups()
    if not month:
        return int(year) + 0.5
    if not day:
        return int(year) + (int(month) - 0.5) / 12
    return int(year) + (int(month) - 1) / 12 + (int(day) - 0.5) / 365


def quantity_text(lexical: str, unit: str = "", qualifier: str = "") -> str:
    """A number at full magnitude in words ("832 million"), with its qualifier and unit."""
    try:
        value = Decimal(lexical)
    except InvalidOperation:
        return " ".join(p for p in (qualifier, lexical, unit) if p)
    for size, word in ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(value) >= size:
            number = f"{_plain(value / size)} {word}"
            break
    else:
        number = f"{value.normalize():,f}" if value == value.to_integral() else _plain(value)
    return " ".join(p for p in (qualifier, number, unit) if p)


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
