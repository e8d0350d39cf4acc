"""Events and campaigns coordinators pin (open days, walk-in weeks), and the one a chat may hear of.

A pinned event is for one municipality or the whole region, and for some themes or any. After a
search, the bot mentions the first pinned event that fits the person's place and themes, once
per conversation (actions/search.py; the slot `pinned_event_shown`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.models import PinnedEvent, utcnow
from helpdesk.store import add_event, iso
from leerwijzer.settings import get_settings
from offer_catalogue import region
from offer_catalogue.themes import themes

MAX_TITLE, MAX_PLACE, MAX_LINK = 200, 200, 500
# How far ahead an event is worth mentioning.
MENTION_DAYS_AHEAD = 60


class EventError(ValueError):
    """A pinned event that cannot be saved (its message says why)."""


def options() -> Dict[str, Any]:
    """The municipalities and themes a coordinator can pin an event for (Dutch names)."""
    return {
        "municipalities": sorted(region.MUNICIPALITIES),
        "themes": sorted(({"id": t.id, "name": t.nl} for t in themes().values()), key=lambda t: t["name"]),
    }


def event_view(event: PinnedEvent) -> Dict[str, Any]:
    """JSON view for the console."""
    return {
        "id": event.id,
        "title": event.title,
        "title_en": event.title_en,
        "municipality": event.municipality,
        "themes": event.themes.split(",") if event.themes else [],
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "place": event.place,
        "link": event.link,
        "active": event.active,
        "created_at": iso(event.created_at),
    }


def _date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise EventError(f"{field} must be a date (YYYY-MM-DD)") from exc


def pin_event(
    session: Session, data: Dict[str, Any], advisor_id: int | None, today: dt.date | None = None
) -> Dict[str, Any]:
    """Pin a new event after checking every field; EventError says what is wrong."""
    title = str(data.get("title") or "").strip()
    place = str(data.get("place") or "").strip()
    if not title or not place:
        raise EventError("title and place are required")
    if len(title) > MAX_TITLE or len(place) > MAX_PLACE:
        raise EventError(f"at most {MAX_TITLE} characters for a title or a place")
    starts_on = _date(data.get("starts_on"), "starts_on")
    ends_on = _date(data.get("ends_on") or data.get("starts_on"), "ends_on")
    if ends_on < starts_on:
        raise EventError("the event cannot end before it starts")
    municipality = None
    if data.get("municipality"):
        municipality = region.canonical_municipality(str(data["municipality"]))
        if municipality is None:
            raise EventError("unknown municipality")
    given = data.get("themes") or []
    if not isinstance(given, list) or not all(isinstance(theme, str) for theme in given):
        raise EventError("themes is a list of theme ids")
    chosen = list(given)
    unknown = [theme for theme in chosen if theme not in themes()]
    if unknown:
        raise EventError(f"unknown themes: {', '.join(unknown)}")
    link = str(data.get("link") or "").strip() or None
    if link and (len(link) > MAX_LINK or not link.startswith("https://") or any(c.isspace() for c in link)):
        raise EventError("a link starts with https:// and has no spaces")
    if ends_on < (today or get_settings().local_today()):
        raise EventError("the event has ended already")
    event = PinnedEvent(
        title=title,
        title_en=str(data.get("title_en") or "").strip()[:MAX_TITLE] or None,
        municipality=municipality,
        themes=",".join(chosen) or None,
        starts_on=starts_on,
        ends_on=ends_on,
        place=place,
        link=link,
        active=True,
        created_by=advisor_id,
        created_at=utcnow(),
    )
    session.add(event)
    session.flush()
    add_event(session, "pinned", None, pinned_id=event.id)
    return event_view(event)


def list_events(session: Session, today: dt.date | None = None) -> List[Dict[str, Any]]:
    """Pinned events that have not ended, soonest first."""
    today = today or get_settings().local_today()
    rows = session.execute(
        select(PinnedEvent)
        .where(PinnedEvent.ends_on >= today)
        .order_by(PinnedEvent.starts_on, PinnedEvent.id)
    ).scalars()
    return [event_view(event) for event in rows]


def unpin(session: Session, event_id: int) -> bool:
    """Stop mentioning an event; False when there is no such event."""
    event = session.get(PinnedEvent, event_id)
    if event is None:
        return False
    event.active = False
    add_event(session, "pinned", None, pinned_id=event_id, change="unpinned")
    return True


def event_for(
    session: Session, municipality: str | None, theme_ids: Iterable[str], today: dt.date
) -> PinnedEvent | None:
    """The best active event that fits the place and themes and has not ended, or None.

    An event for the whole region fits every place; one without themes fits every wish. The one
    for this very place and these themes comes before a regional campaign for any wish, then the
    soonest. Events more than MENTION_DAYS_AHEAD away are not mentioned yet.
    """
    wanted = set(theme_ids)
    rows = session.execute(
        select(PinnedEvent)
        .where(
            PinnedEvent.active.is_(True),
            PinnedEvent.ends_on >= today,
            PinnedEvent.starts_on <= today + dt.timedelta(days=MENTION_DAYS_AHEAD),
        )
        .order_by(PinnedEvent.starts_on, PinnedEvent.id)
    ).scalars()
    fitting = [
        event
        for event in rows
        if (not event.municipality or event.municipality == municipality)
        and (not event.themes or wanted & set(event.themes.split(",")))
    ]
    # Python's sort is stable: within the same specificity the soonest (SQL order) stays first.
    fitting.sort(key=lambda event: (event.municipality is None, event.themes is None))
    return fitting[0] if fitting else None
