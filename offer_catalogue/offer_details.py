"""The details of one offer a person asked about ("de tweede", "Meer over 2").

The offer card (offer_card.py) is short on purpose; the details add what someone needs to
decide: what the offer is about (its description, cut at a sentence), every date and place
that can still be joined, the teaching language and where to sign up. Words from the catalogue
stay in its language (most descriptions exist in Dutch only; an English chat is told so).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from offer_catalogue import offer_card
from offer_catalogue.models import Offer, Offering
from offer_catalogue.search import format_amount, open_offering_condition

MAX_DESCRIPTION = 420
MAX_DATES = 3
LANGUAGE_NAMES = {
    "nl": {"nl": "Nederlands", "en": "Engels"},
    "en": {"nl": "Dutch", "en": "English"},
}
IN_DUTCH_ONLY = " (in Dutch)"
NO_DATE_OPEN = {
    "nl": "Er is nu geen datum open. Vraag het de aanbieder.",
    "en": "No date is open now. Ask the provider.",
}


@dataclass
class OfferDetails:
    """What the details message says about one offer, in the user's language."""

    title: str
    provider: str
    description: str
    dates: list[str] = field(default_factory=list)
    languages: str = ""
    link: str = ""


def short_description(text: str | None, limit: int = MAX_DESCRIPTION) -> str:
    """The description up to `limit` characters, cut after a whole sentence where one fits."""
    clean = re.sub(r"\s+", " ", text or "").strip()
    if len(clean) <= limit:
        return clean
    cut = clean[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + " ..."


def _price(offering: Offering, language: str) -> str:
    """The price as on the offer card; "not listed" in words that fit a details message."""
    if offering.price_eur is None:
        return "price not listed" if language == "en" else "prijs staat er niet bij"
    return format_amount(offering.price_eur, language)


def _when(offering: Offering, kind: str, language: str, today: dt.date) -> str:
    lang = "en" if language == "en" else "nl"
    times = offer_card.schedule_phrase(offering.days_mask, offering.day_parts, language)
    if offering.start_date and offering.start_date >= today:
        start = offer_card.format_date(offering.start_date, language)
        return f"{start}, {times}" if times else start
    if lang == "nl" and offering.schedule_text:
        return offering.schedule_text
    if times:
        return ("every " if lang == "en" else "elke ") + times
    return offer_card.ONGOING[lang]


def _place(offering: Offering) -> str:
    if offering.mode == "online":
        return "online"
    location = offering.location
    if location is not None and location.street:
        street = " ".join(part for part in (location.street, location.street_number) if part)
        return ", ".join(part for part in (location.name, street, location.city) if part)
    return offering.place_text or offering.municipality or ""


def offer_details(session: Session, offer_id: int, language: str, today: dt.date) -> OfferDetails | None:
    """The details of an offer, or None when it is gone from the catalogue."""
    offer = session.execute(
        select(Offer).options(selectinload(Offer.provider)).where(Offer.id == offer_id)
    ).scalar_one_or_none()
    if offer is None:
        return None
    english = language == "en"
    open_now = (
        session.execute(
            select(Offering)
            .join(Offer, Offer.id == Offering.offer_id)
            .options(selectinload(Offering.location))
            .where(Offering.offer_id == offer_id, open_offering_condition(today))
            .order_by(Offering.start_date.is_(None), Offering.start_date, Offering.id)
        )
        .scalars()
        .all()
    )
    description = (offer.description_en if english else None) or offer.description_nl or ""
    lang = "en" if english else "nl"
    dates = [
        " · ".join(
            part
            for part in (
                _place(item),
                _when(item, offer.kind, language, today),
                _price(item, lang),
            )
            if part
        )
        for item in open_now[:MAX_DATES]
    ]
    taught = dict.fromkeys(item.teaching_language for item in open_now if item.teaching_language)
    languages = ", ".join(LANGUAGE_NAMES[lang].get(code, code) for code in taught)
    link = next((item.url for item in open_now if item.url), None) or offer.url
    return OfferDetails(
        title=(offer.title_en if english else None) or offer.title_nl,
        provider=offer.provider.name,
        description=short_description(description)
        + (IN_DUTCH_ONLY if english and description and not offer.description_en else ""),
        dates=dates,
        languages=languages,
        link=link or offer_card.NO_LINK[lang],
    )
