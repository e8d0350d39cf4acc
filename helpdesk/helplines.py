"""Helplines for sensitive topics, read from helpdesk/data/helplines.yml (facts with dates)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

HELPLINES_FILE = Path(__file__).resolve().parent / "data" / "helplines.yml"


@lru_cache(maxsize=1)
def load_helplines(path: Path = HELPLINES_FILE) -> Dict[str, Any]:
    """The parsed helplines file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def helpline(kind: str) -> Dict[str, Any]:
    """One helpline entry (debt, crisis, emergency)."""
    return load_helplines()["helplines"][kind]


def _mentions(text: str, phrases: list) -> bool:
    lowered = (text or "").lower()
    return any(re.search(r"(?<!\w)" + re.escape(str(phrase).lower()), lowered) for phrase in phrases)


def classify(text: str) -> str | None:
    """Which sensitive topic a message is about: "crisis", "debt", or None."""
    keywords = load_helplines()["keywords"]
    for kind in ("crisis", "debt"):  # crisis first: it is the more urgent one
        if _mentions(text, keywords[kind]):
            return kind
    return None


def is_unmistakable_crisis(text: str) -> bool:
    """Whether the text holds one of the `always_crisis` phrases."""
    return _mentions(text, load_helplines()["always_crisis"])


def names_danger(text: str) -> bool:
    """Whether the text names violence or having no place to sleep (`danger` in the file)."""
    return _mentions(text, load_helplines()["danger"])


def stale_entries(today: dt.date | None = None) -> list:
    """Names of entries checked longer ago than max_age_days."""
    data = load_helplines()
    today = today or dt.date.today()
    limit = dt.timedelta(days=int(data["max_age_days"]))
    return [kind for kind, entry in data["helplines"].items() if today - entry["checked_on"] > limit]
