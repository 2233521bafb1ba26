"""Spoken forms: turn written text into what a newsreader would say.

This module owns every text rewrite made for the ear; the script stage calls
:func:`spoken` once per sentence.
"""

from __future__ import annotations

import re

__all__ = ["spoken", "spoken_date"]

_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()

_PUNCT = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "…": "..."})
_DASH_CLAUSE = re.compile(r"\s+[—–]\s+|(?<=\w)—(?=\w)")


def spoken(text: str, language: str = "en") -> str:
    """The form of ``text`` handed to the engine."""
    out = text.translate(_PUNCT)
    out = _DASH_CLAUSE.sub(", ", out)
    out = out.replace(" & ", " and ")
    return re.sub(r"\s+", " ", out).strip()


def spoken_date(iso: str, language: str = "en") -> str | None:
    """An ISO 8601 date (or date-time) as it is said: "October 28, 2026" or "28 October 2026"."""
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    name = _MONTH_NAMES[month - 1]
    if language.lower().startswith("en-us") or language.lower() == "en":
        return f"{name} {day}, {year}"
    return f"{day} {name} {year}"
