"""What the search action counts for the library's insight: the themes asked for, where, and what failed.

Counted when the search runs (helpdesk/counts.py): the purge of the conversation leaves the
count. The same question again in a conversation ("meer", a limit loosened with one tap) is not
counted twice.
"""

from __future__ import annotations

import logging
from typing import Iterable, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from sqlalchemy.orm import Session

from actions.database import run_in_session
from helpdesk import counts
from leerwijzer.redact import mask_id
from offer_catalogue import region

logger = logging.getLogger(__name__)

FITTED = "fitted"
# No single limit kept the offers out: the catalogue has nothing for the question at all.
NOTHING = "nothing"
# Questions remembered per conversation (a long chat about many subjects stays small).
MAX_REMEMBERED = 20


def insight_place(municipality: str | None) -> str:
    """The municipality as counted: a region municipality, "elsewhere", or "" (not said)."""
    if municipality in region.MUNICIPALITIES:
        return str(municipality)
    return "elsewhere" if municipality == "elsewhere" else ""


def question_key(themes: Iterable[str], municipality: str | None, topic: str | None = None) -> str:
    """What makes a question new in a conversation: its themes (else its own words) and its place.

    Two questions no theme fits ("pottenbakken", then "imkeren") are two questions.
    """
    about = ",".join(sorted(themes)) or " ".join(str(topic or "").lower().split())
    return about + "@" + insight_place(municipality)


async def count_search(
    tracker: Tracker,
    themes: List[str],
    municipality: str | None,
    language: str,
    result: str,
) -> List[EventType]:
    """Count a new question once (metric "search") and once per theme ("search_theme").

    `result`: FITTED, the limit that kept the offers out ("price", "time", ...), or NOTHING. The
    same themes and place again in this conversation (a limit loosened with one tap, "meer") are
    not a new question: the first search's result is what the person met. Returns the slot
    event that remembers the question; never fails the search.
    """
    place = insight_place(municipality)
    key = question_key(themes, municipality, tracker.get_slot("topic"))
    counted = list(tracker.get_slot("questions_counted") or [])
    if key in counted:
        return []
    channel = tracker.get_latest_input_channel()

    def work(session: Session) -> None:
        counts.count_question(
            session, themes, channel=channel, language=language, municipality=place, detail=result
        )

    try:
        await run_in_session(work, write=True)
    except Exception:  # noqa: BLE001 - a count is not worth a lost answer
        logger.exception("Counting the search of %s failed", mask_id(tracker.sender_id))
        return []
    return [SlotSet("questions_counted", [*counted, key][-MAX_REMEMBERED:])]
