"""Format dates and places for the user's language."""

from __future__ import annotations

from datetime import date

from offer_catalogue.search import MONTHS  # one list of month names for reasons and start dates

NO_DATE = {"nl": "wanneer je wilt", "en": "any time"}
ONLINE = "online"


def format_start(start: date | None, language: str) -> str:
    """Say when an offer starts, e.g. "3 maart 2027"; offers without a date run any time."""
    lang = language if language in MONTHS else "nl"
    if start is None:
        return NO_DATE[lang]
    month = MONTHS[lang][start.month - 1]
    if lang == "en":
        return f"{month} {start.day}, {start.year}"
    return f"{start.day} {month} {start.year}"


REGION = {"nl": "in de regio", "en": "in the region"}


def place_phrase(municipality: str | None, language: str) -> str:
    """Say where we searched: "in Helmond", "online", or the whole region when unknown."""
    if municipality == ONLINE:
        return ONLINE
    if not municipality:
        return REGION["en" if language == "en" else "nl"]
    return f"in {municipality}"
