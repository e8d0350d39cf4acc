"""Offer text an advisor sends from the catalogue, in the user's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from offer_catalogue.models import Offer, Offering, Provider


def _price(cents: int | None, language: str) -> str:
    if cents is None:
        return "price unknown" if language == "en" else "prijs onbekend"
    if cents == 0:
        return "free" if language == "en" else "gratis"
    euros = f"{cents / 100:.2f}".replace(".00", "")
    return f"€{euros}" if language == "en" else f"€ {euros.replace('.', ',')}"


def offer_message(session: Any, offer_id: int, language: str = "nl") -> str | None:
    """A short plain-text description of one offer, or None when it does not exist."""
    row = session.execute(
        select(Offer, Provider.name)
        .join(Provider, Provider.id == Offer.provider_id)
        .where(Offer.id == offer_id)
    ).first()
    if row is None:
        return None
    offer, provider = row
    offering = session.execute(
        select(Offering)
        .where(Offering.offer_id == offer.id)
        .order_by(Offering.start_date, Offering.id)
        .limit(1)
    ).scalar_one_or_none()
    english = language == "en"
    title = (offer.title_en if english else None) or offer.title_nl
    lines = [title, f"{'By' if english else 'Door'}: {provider}"]
    if offering is not None:
        place = (
            "online" if offering.mode == "online" else (offering.place_text or offering.municipality or "")
        )
        if place:
            lines.append(f"{'Where' if english else 'Waar'}: {place}")
        lines.append(f"{'Price' if english else 'Prijs'}: {_price(offering.price_cents, language)}")
        if offering.start_date:
            lines.append(f"{'Starts' if english else 'Start'}: {offering.start_date.isoformat()}")
        elif offering.schedule_text:
            lines.append(f"{'When' if english else 'Wanneer'}: {offering.schedule_text}")
    url = (offering.url if offering is not None else None) or offer.url
    if url:
        lines.append(url)
    return "\n".join(lines)
