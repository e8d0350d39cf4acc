"""After a search, one pinned event or campaign that fits the person's place and themes, once."""

from __future__ import annotations

import logging
from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.database import run_in_session
from actions.profile import known_themes
from helpdesk.pinned_events import event_for
from leerwijzer.redact import mask_id
from leerwijzer.settings import get_settings
from offer_catalogue.offer_card import format_date

logger = logging.getLogger(__name__)


async def mention_pinned_event(
    dispatcher: CollectingDispatcher, tracker: Tracker, language: str
) -> List[EventType]:
    """Utter the best fitting pinned event unless this conversation heard of one already.

    "Today" is the helpdesk zone's (Settings.local_today), not the server's.
    """
    if tracker.get_slot("pinned_event_shown"):
        return []
    municipality = tracker.get_slot("municipality")
    themes = known_themes(tracker.slots)

    def find(session) -> dict | None:  # noqa: ANN001 - a SQLAlchemy session
        event = event_for(session, municipality, themes, get_settings().local_today())
        if event is None:
            return None
        # The response ends the title with its own full stop: "Open dag!" is not "Open dag!."
        title = ((event.title_en if language == "en" else None) or event.title).rstrip(".!?")
        return {
            "title": title,
            "start": format_date(event.starts_on, language),
            "end": format_date(event.ends_on, language),
            "place": event.place,
            "link": event.link,
            "one_day": event.starts_on == event.ends_on,
        }

    try:
        found = await run_in_session(find)
    except Exception:  # noqa: BLE001 - a tip is not worth a failed search
        logger.exception("Looking for a pinned event for %s failed", mask_id(tracker.sender_id))
        return []
    if found is None:
        return []
    response = "utter_pinned_event" if found["one_day"] else "utter_pinned_event_days"
    dispatcher.utter_message(
        response=response, title=found["title"], start=found["start"], end=found["end"], place=found["place"]
    )
    if found["link"]:
        dispatcher.utter_message(response="utter_pinned_event_link", link=found["link"])
    return [SlotSet("pinned_event_shown", True)]
