"""Format places for the user's language (offer dates: offer_catalogue/offer_card.py)."""

from __future__ import annotations

ONLINE = "online"
REGION = {"nl": "in de regio", "en": "in the region"}


def place_phrase(municipality: str | None, language: str) -> str:
    """Say where we searched: "in Helmond", "online", or the whole region when unknown."""
    if municipality == ONLINE:
        return ONLINE
    if not municipality:
        return REGION["en" if language == "en" else "nl"]
    return f"in {municipality}"
