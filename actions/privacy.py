"""Privacy: "verwijder mijn gegevens" erases the conversation's stored data after a yes.

Every table with personal data is listed once, in `helpdesk.personal_data`; the erase itself is
`helpdesk.privacy.erase_conversation`. It runs in two steps, because sending the confirmation
and saving the tracker still need two kinds of rows:

1. The action erases everything at once except those rows: the intake records, the helpdesk
   records, the channels' rows. It leaves `channel_last_inbound` (WhatsApp refuses a free-form
   reply more than 24 hours after it: deleted first, the confirmation failed, Rasa never saved
   the tracker and the erase never finished) and the tracker rows: Rasa saves the tracker
   after the action and would write the old events back (SQLTrackerStore stores the in-memory
   events after the number already stored since the last session start). So the action
   returns `SessionStarted()`: Rasa then loads and counts only events from that new session on.
2. A background thread waits until Rasa has saved the new session start (after the confirmation
   was sent), then deletes every older tracker row of the sender and runs the whole erase again
   (the rows step 1 left, and any written while the confirmation went out). When no session
   start comes within WAIT_FOR_MARKER_SECONDS (Rasa failed to send or to save), it deletes
   them anyway: the erase never depends on delivering the confirmation.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Callable, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from helpdesk.privacy import erase_conversation, session_start_after, tracker_engine, tracker_store_url
from leerwijzer.redact import mask_id
from leerwijzer.settings import Settings, get_settings

logger = logging.getLogger(__name__)

WAIT_FOR_MARKER_SECONDS = 60.0
POLL_SECONDS = 0.2


def wait_for_session_start(
    sender_id: str,
    url: str,
    after: float,
    timeout: float = WAIT_FOR_MARKER_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> float | None:
    """Poll the tracker store until Rasa saved a session start at or after `after`; None on timeout."""
    deadline = time.monotonic() + timeout
    engine = tracker_engine(url)
    try:
        while True:
            try:
                marker = session_start_after(sender_id, engine, after)
            except Exception:  # noqa: BLE001 - the store may be busy or not made yet; keep trying
                logger.exception("Reading the session start of %s failed", mask_id(sender_id))
                marker = None
            if marker is not None or time.monotonic() > deadline:
                return marker
            sleep(POLL_SECONDS)
    finally:
        engine.dispose()


def erase_when_saved(
    sender_id: str,
    settings: Settings,
    marker_after: float,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Dict[str, int]:
    """Step 2: once Rasa saved the new session start (or after `timeout`), erase what is left.

    Returns:
        Rows deleted per table (empty when the erase failed; the failure is logged).
    """
    timeout = WAIT_FOR_MARKER_SECONDS if timeout is None else timeout
    marker = wait_for_session_start(sender_id, tracker_store_url(settings), marker_after, timeout, sleep)
    if marker is None:
        # Rasa did not save the tracker (the confirmation could not be sent, or Rasa is down):
        # nothing will write the old events back soon, so all rows go.
        logger.warning(
            "No new session start of %s saved within %.0f s; erasing all its rows anyway",
            mask_id(sender_id),
            timeout,
        )
    try:
        return erase_conversation(sender_id, settings, tracker_before=marker)
    except Exception:  # noqa: BLE001 - a background thread: log, the retention purge is the backstop
        logger.exception("Erasing the remaining rows of %s failed", mask_id(sender_id))
        return {}


def start_delayed_erase(sender_id: str, settings: Settings, marker_after: float) -> threading.Thread:
    """Run step 2 in a daemon thread (the action answers the user without waiting for it)."""
    thread = threading.Thread(
        target=erase_when_saved,
        args=(sender_id, settings, marker_after),
        daemon=True,
        name=f"erase-{mask_id(sender_id)}",
    )
    thread.start()
    return thread


class ActionDeleteMyData(Action):
    """Erases the conversation's data in two steps and starts a fresh session."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Erase all but what the confirmation needs now; the rest once Rasa saved the new session."""
        sender_id = tracker.sender_id
        settings = get_settings()
        started = time.time()
        try:
            await asyncio.to_thread(erase_conversation, sender_id, settings, keep_for_confirmation=True)
        except Exception:  # noqa: BLE001 - never leave the user without an answer; step 2 erases all
            logger.exception("Erase of %s failed; the delayed step erases everything", mask_id(sender_id))
        start_delayed_erase(sender_id, settings, started)
        dispatcher.utter_message(response="utter_data_deleted")
        language = tracker.get_slot("language") or "nl"
        return [SessionStarted(), SlotSet("language", language), FollowupAction("action_listen")]
