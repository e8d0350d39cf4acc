"""Offer text an advisor sends from the catalogue, in the user's language.

The same facts as the chat's "Meer over 2" (offer_catalogue/offer_details.py): what the offer is
about, every date and place that can still be joined (never a past start), the teaching language
and where to sign up, so a person gets one offer the same way from the bot and from an advisor.
The labels mirror `utter_offer_details` in bot/domain/search.yml (Rasa renders the bot's; the
console has no Rasa).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from offer_catalogue.offer_details import NO_DATE_OPEN, offer_details

LABELS = {
    "nl": {"by": "Door", "when": "Waar en wanneer", "language": "Taal", "link": "Meer info en aanmelden"},
    "en": {"by": "By", "when": "Where and when", "language": "Language", "link": "More info and sign up"},
}


def offer_message(
    session: Any, offer_id: int, language: str = "nl", today: dt.date | None = None
) -> str | None:
    """The offer as plain text for the user's channel, or None when it does not exist."""
    lang = "en" if language == "en" else "nl"
    details = offer_details(session, offer_id, lang, today or dt.date.today())
    if details is None:
        return None
    labels = LABELS[lang]
    lines = [details.title, f"{labels['by']}: {details.provider}"]
    if details.description:
        lines.append(details.description)
    lines.append(f"{labels['when']}:")
    lines.extend([f"- {line}" for line in details.dates] or [NO_DATE_OPEN[lang]])
    if details.languages:
        lines.append(f"{labels['language']}: {details.languages}")
    lines.append(f"{labels['link']}: {details.link}")
    return "\n".join(lines)
