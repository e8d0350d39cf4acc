"""The greeting, and the count of how far a chat from a learning ambassador came.

A chat opened from an ambassador's link or code starts with the server's own greeting payload
carrying the ambassador's name and place (channels/referrals.py): the bot then welcomes the
person for them first. Later stages of such a chat (intake done, offer shown, handed to an
advisor) are counted for the ambassador with `count_stage`, without anything about the person.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.database import run_in_session
from helpdesk import ambassadors
from leerwijzer.redact import mask_id

logger = logging.getLogger(__name__)


def _entity(message: Dict[str, Any], name: str) -> str | None:
    for entity in message.get("entities") or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return entity["value"].strip() or None
    return None


class ActionGreet(Action):
    """Greets; a chat from an ambassador's link is welcomed for that ambassador first."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Utter the welcome for the ambassador (when referred), then the greeting."""
        message = tracker.latest_message or {}
        name, place = _entity(message, "ambassador_name"), _entity(message, "ambassador_place")
        events: List[EventType] = []
        # Only the server's greeting payload carries these: typed text never becomes a payload.
        if name and place and (message.get("text") or "").startswith("/greet"):
            dispatcher.utter_message(
                response="utter_welcome_referral", ambassador_name=name, ambassador_place=place
            )
            events.append(SlotSet("referred", True))
        dispatcher.utter_message(response="utter_greet")
        return events


async def count_stage(tracker: Tracker, stage: str) -> None:
    """Count a stage of a referred chat for its ambassador (once); never fails the action.

    Chats that did not come through an ambassador cost no database work.
    """
    if tracker.get_slot("referred") is not True:
        return
    if stage == "handed_off" and tracker.get_slot("sensitive_kind"):
        # A crisis or worry is nobody's statistic, not even as a count (live, call-back, walk-in).
        return
    try:
        await run_in_session(
            lambda session: ambassadors.mark_stage(session, tracker.sender_id, stage), write=True
        )
    except Exception:  # noqa: BLE001 - a count is not worth a failed answer
        logger.exception("Counting %s for %s failed", stage, mask_id(tracker.sender_id))
