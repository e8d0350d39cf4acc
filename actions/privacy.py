"""Privacy: "verwijder mijn gegevens" erases the conversation's stored data after a yes.

What is erased:
1. The development questions this conversation stored (actions.records).
2. Helpdesk records, through `helpdesk.privacy.erase_conversation(sender_id)` when that
   module exists.
3. The tracker rows in Rasa's tracker store. The action cannot simply delete them: Rasa saves
   the tracker after the action and would write the old events back (SQLTrackerStore stores
   the in-memory events after the number already stored since the last session start). So the
   action returns `SessionStarted()`: Rasa then loads and counts only events from that new
   session on. Once Rasa has saved the new session marker, a background thread deletes every
   older row of the sender (SQLite with `secure_delete`, so the text is overwritten in the file).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from typing import Any, Callable, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from actions.database import run_in_session
from actions.records import erase_questions
from leerwijzer.settings import get_settings

logger = logging.getLogger(__name__)

# Rasa's SQLTrackerStore table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent).
EVENTS_TABLE = "events"
WAIT_FOR_MARKER_SECONDS = 60.0
POLL_SECONDS = 0.2


def tracker_db_url(setting: str | None = None) -> str:
    """Return a SQLAlchemy URL for the tracker store (a SQLite path or a full URL)."""
    value = setting if setting is not None else get_settings().tracker_store_db
    return value if "://" in value else f"sqlite:///{value}"


def _engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":

        def _secure(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        event.listen(engine, "connect", _secure)
    return engine


def erase_tracker_rows(sender_id: str, url: str, marker_after: float) -> int | None:
    """Delete the sender's tracker rows older than their newest session start.

    Returns the number of rows deleted, or None while Rasa has not yet saved a session
    start at or after `marker_after` (a Unix timestamp).
    """
    engine = _engine(url)
    try:
        with engine.begin() as connection:
            marker = connection.execute(
                text(
                    f"SELECT MAX(timestamp) FROM {EVENTS_TABLE} "
                    "WHERE sender_id = :sender AND type_name = 'session_started'"
                ),
                {"sender": sender_id},
            ).scalar()
            if marker is None or float(marker) < marker_after:
                return None
            deleted = connection.execute(
                text(f"DELETE FROM {EVENTS_TABLE} WHERE sender_id = :sender AND timestamp < :marker"),
                {"sender": sender_id, "marker": marker},
            ).rowcount
        _checkpoint(engine)
        return int(deleted or 0)
    finally:
        engine.dispose()


def _checkpoint(engine: Engine) -> None:
    """Move a SQLite WAL into the main file and empty it (deleted rows leave the `-wal` file)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def scrub_sqlite_file(url: str) -> None:
    """Empty the WAL of a SQLite database, so erased rows do not live on in the `-wal` file.

    The app database deletes with `secure_delete` on (catalogue.database), so once the WAL is
    checkpointed into the main file no copy of the erased text is left. Other databases: no-op.
    """
    engine = _engine(url)
    try:
        _checkpoint(engine)
    finally:
        engine.dispose()


def erase_when_saved(
    sender_id: str,
    url: str,
    marker_after: float,
    timeout: float = WAIT_FOR_MARKER_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> int | None:
    """Wait until Rasa stored the new session marker, then erase the older rows."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            deleted = erase_tracker_rows(sender_id, url, marker_after)
        except Exception:  # noqa: BLE001 - the table may not exist yet; keep trying
            logger.exception("Erasing tracker rows of %s failed", sender_id)
            deleted = None
        if deleted is not None or time.monotonic() > deadline:
            if deleted is None:
                logger.error("Tracker rows of %s not erased: no session marker saved", sender_id)
            return deleted
        sleep(POLL_SECONDS)


def erase_helpdesk(sender_id: str) -> bool:
    """Call helpdesk.privacy.erase_conversation when the helpdesk package provides it."""
    try:
        module = importlib.import_module("helpdesk.privacy")
    except ImportError:
        return False
    erase = getattr(module, "erase_conversation", None)
    if erase is None:
        return False
    erase(sender_id)
    return True


class ActionDeleteMyData(Action):
    """Erases the conversation's records and tracker rows, then starts a fresh session."""

    def name(self) -> str:
        """Name of the action in the domain."""
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Delete records now; delete tracker rows once Rasa saved the new session start."""
        sender_id = tracker.sender_id
        started = time.time()
        await run_in_session(lambda session: erase_questions(session, sender_id))
        try:
            erase_helpdesk(sender_id)
        except Exception:  # noqa: BLE001 - never leave the user without an answer
            logger.exception("Helpdesk erase failed for %s", sender_id)
        try:
            scrub_sqlite_file(get_settings().database_url)
        except Exception:  # noqa: BLE001 - the rows are gone; the file scrub is best effort
            logger.exception("Scrubbing the app database file failed")
        url = tracker_db_url()
        threading.Thread(
            target=erase_when_saved, args=(sender_id, url, started), daemon=True, name=f"erase-{sender_id}"
        ).start()
        dispatcher.utter_message(response="utter_data_deleted")
        language = tracker.get_slot("language") or "nl"
        return [SessionStarted(), SlotSet("language", language), FollowupAction("action_listen")]
