"""Privacy erase: records, helpdesk hook and the tracker rows in a real SQLTrackerStore."""

from __future__ import annotations

import sqlite3
import threading
import time
import types
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa_sdk import Tracker

from actions.database import session_scope
from actions.privacy import ActionDeleteMyData, erase_tracker_rows, tracker_db_url
from actions.records import latest_question, save_question
from leerwijzer.settings import PROJECT_ROOT, get_settings

SECRET = "Jan Jansen woont aan de Kerkstraat 12 in Mierlo"
OTHER_SECRET = "Bob blijft bewaard"


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The real domain."""
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain"))


def user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 1.0})


def rows(db: Path, sender: str) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()


def raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


async def test_delete_my_data_erases_records_helpdesk_and_tracker_rows(
    tmp_path, domain, dispatcher, app_settings, monkeypatch
):
    db = tmp_path / "tracker.db"
    monkeypatch.setenv("LEERWIJZER_TRACKER_DB", str(db))
    get_settings.cache_clear()
    erased = []
    fake_helpdesk = types.ModuleType("helpdesk.privacy")
    fake_helpdesk.erase_conversation = erased.append
    monkeypatch.setitem(__import__("sys").modules, "helpdesk.privacy", fake_helpdesk)

    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    # Turn 1 of alice (with personal text) and of bob, saved by Rasa's own store.
    for sender, text in (("alice", SECRET), ("bob", OTHER_SECRET)):
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(user(text, "inform"))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered(f"Echo: {text}"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
    with session_scope() as session:
        save_question(session, "alice", {"topic": SECRET, "municipality": "Geldrop-Mierlo"})

    # Turn 2 and 3: "verwijder mijn gegevens" -> confirm -> yes -> the action runs.
    tracker = await store.retrieve("alice")
    for event in (
        user("verwijder mijn gegevens", "delete_my_data"),
        ActionExecuted("utter_ask_confirm_delete"),
        BotUttered("Wil je echt alles wissen?"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await store.save(tracker)
    tracker = await store.retrieve("alice")
    tracker.update(user("ja", "affirm"))
    sdk_tracker = Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))
    sdk_events = await ActionDeleteMyData().run(dispatcher, sdk_tracker, domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_data_deleted"]

    # What Rasa does with the result: bot messages, the action, its events, then listen; save.
    tracker.update(ActionExecuted("action_delete_my_data"))
    tracker.update(BotUttered("Klaar. Ik heb je gegevens gewist."))
    for event in sdk_events:
        tracker.update(Event.from_parameters(event))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    # The background eraser deletes the older rows once the marker is saved.
    deadline = time.monotonic() + 20
    while any(SECRET in data for _t, data in rows(db, "alice")) and time.monotonic() < deadline:
        time.sleep(0.1)
    for thread in threading.enumerate():
        if thread.name == "erase-alice":
            thread.join(timeout=5)

    alice = rows(db, "alice")
    assert alice, "a minimal marker (the new session) stays"
    assert not any(type_name == "user" for type_name, _data in alice)
    assert not any("Jan" in data or "verwijder" in data for _t, data in alice)
    assert SECRET.encode() not in raw_bytes(db), "secure_delete overwrites the text in the file"
    assert any(OTHER_SECRET in data for _t, data in rows(db, "bob")), "other conversations stay"
    assert erased == ["alice"]
    with session_scope() as session:
        assert latest_question(session, "alice") is None

    # The next message does not bring the old events back.
    tracker = await store.retrieve("alice")
    assert tracker.get_slot("language") == "nl"
    assert not any(isinstance(e, UserUttered) for e in tracker.events)
    tracker.update(user("hoi", "greet"))
    await store.save(tracker)
    assert [data for t, data in rows(db, "alice") if t == "user"] and not any(
        SECRET in data for _t, data in rows(db, "alice")
    )
    get_settings.cache_clear()


async def test_eraser_waits_for_the_session_marker(tmp_path, domain):
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    tracker = await store.get_or_create_tracker("carol")
    tracker.update(user(SECRET, "inform"))
    await store.save(tracker)
    # No session start after the request yet: nothing is deleted (Rasa would re-save it).
    assert erase_tracker_rows("carol", tracker_db_url(str(db)), time.time()) is None
    assert any(SECRET in data for _t, data in rows(db, "carol"))
