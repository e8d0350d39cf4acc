"""Privacy erase through the action: real SQLite app database and a real SQLTrackerStore.

The erase runs in two steps (actions/privacy.py): the action erases all but what sending the
confirmation needs; a delayed step erases the rest once Rasa saved the new session start, or
after a timeout when Rasa never does (the confirmation could not be delivered).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from sqlalchemy import select

import actions.privacy
from actions.privacy import ActionDeleteMyData, erase_when_saved
from actions.records import latest_question, save_question
from channels.store import ChannelStore, dispose_engines
from helpdesk import models, store, tasks
from helpdesk.database import session_scope
from helpdesk.privacy import session_start_after, tracker_engine, tracker_store_url
from leerwijzer.redact import mask_id
from leerwijzer.settings import PROJECT_ROOT, Settings, get_settings

SECRET = "Jan Jansen woont aan de Kerkstraat 12 in Mierlo"
OTHER_SECRET = "Bob blijft bewaard"
ALICE = "whatsapp:+31612345678"
BOB = "whatsapp:+31687654321"


@pytest.fixture(scope="module")
def domain() -> Domain:
    """The real domain."""
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain"))


@pytest.fixture()
def settings(tmp_path, monkeypatch) -> Iterator[Settings]:
    """The process settings pointed at a fresh app database and tracker store in tmp_path."""
    monkeypatch.setenv("LEERWIJZER_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("LEERWIJZER_TRACKER_DB", str(tmp_path / "tracker.db"))
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
    dispose_engines()


@pytest.fixture()
def delayed_steps(monkeypatch) -> Iterator[list[threading.Thread]]:
    """The delayed-erase threads the action starts during one test (joined afterwards)."""
    started: list[threading.Thread] = []
    start = actions.privacy.start_delayed_erase

    def recording(*args, **kwargs) -> threading.Thread:
        """Start the real thread and remember it."""
        thread = start(*args, **kwargs)
        started.append(thread)
        return thread

    monkeypatch.setattr(actions.privacy, "start_delayed_erase", recording)
    # Short enough that a failing test does not leave a thread polling for a minute.
    monkeypatch.setattr(actions.privacy, "WAIT_FOR_MARKER_SECONDS", 10.0)
    yield started
    for thread in started:
        thread.join(timeout=15)


def user(text: str, intent: str) -> UserUttered:
    """A user message with a certain intent."""
    return UserUttered(text, intent={"name": intent, "confidence": 1.0})


def rows(db: Path, sender: str) -> list[tuple[str, str]]:
    """The sender's tracker rows (type, data), oldest first."""
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()


def raw_bytes(db: Path) -> bytes:
    """The bytes of a SQLite database with its WAL and journal files."""
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


async def first_turns(tracker_store: SQLTrackerStore) -> None:
    """A first turn of Alice (with personal text) and of Bob, saved by Rasa's own store."""
    for sender, text in ((ALICE, SECRET), (BOB, OTHER_SECRET)):
        tracker = await tracker_store.get_or_create_tracker(sender)
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(user(text, "inform"))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered(f"Echo: {text}"))
        tracker.update(ActionExecuted("action_listen"))
        await tracker_store.save(tracker)


async def app_rows(settings: Settings) -> ChannelStore:
    """What the channels, the intake and the helpdesk stored about Alice and Bob."""
    channel_store = ChannelStore(settings.database_url)
    for sender, text in ((ALICE, SECRET), (BOB, OTHER_SECRET)):
        await channel_store.record_inbound("whatsapp", sender)
        await channel_store.save_button_offer("whatsapp", sender, [{"title": "Ja", "payload": "/affirm"}])
        await channel_store.record_status("whatsapp", f"SM-{sender[-3:]}", "delivered", recipient_id=sender)
        with session_scope(settings.database_url) as session:
            save_question(session, sender, {"topic": text, "municipality": "Geldrop-Mierlo"})
            store.request_handoff(session, sender, "whatsapp", "asked_for_person", {"topic": text})
            tasks.create_task(session, "callback", sender, "whatsapp", phone=sender.removeprefix("whatsapp:"))
    return channel_store


async def ask_to_erase(tracker_store: SQLTrackerStore) -> DialogueStateTracker:
    """Alice: "verwijder mijn gegevens" -> confirm -> "ja" (the action is next)."""
    tracker = await tracker_store.retrieve(ALICE)
    for event in (
        user("verwijder mijn gegevens", "delete_my_data"),
        ActionExecuted("utter_ask_confirm_delete"),
        BotUttered("Wil je echt alles wissen?"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    await tracker_store.save(tracker)
    tracker = await tracker_store.retrieve(ALICE)
    tracker.update(user("ja", "affirm"))
    return tracker


def helpdesk_senders(settings: Settings) -> list[str]:
    """Conversation ids the helpdesk still knows, from conversations and tasks."""
    with session_scope(settings.database_url) as session:
        conversations = session.execute(select(models.Conversation.sender_id)).scalars()
        tasks = session.execute(select(models.Task.sender_id)).scalars()
        return sorted({*conversations, *tasks})


def only_thread(started: list[threading.Thread], sender: str) -> threading.Thread:
    """The one delayed-erase thread the action started, named without the phone number."""
    assert [thread.name for thread in started] == [f"erase-{mask_id(sender)}"]
    assert "612345678" not in started[0].name
    return started[0]


async def test_whatsapp_erase_keeps_the_window_open_for_the_confirmation_then_erases_all(
    tmp_path, domain, dispatcher, settings, delayed_steps
):
    """The action erases all but last-inbound and the tracker; the delayed step takes those too."""
    db = tmp_path / "tracker.db"
    tracker_store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    await first_turns(tracker_store)
    channel_store = await app_rows(settings)
    tracker = await ask_to_erase(tracker_store)

    sdk_tracker = Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))
    sdk_events = await ActionDeleteMyData().run(dispatcher, sdk_tracker, domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_data_deleted"]

    # Now the confirmation is sent: WhatsApp's 24-hour window must still be open.
    assert await channel_store.last_inbound_at("whatsapp", ALICE) is not None
    # Everything else of Alice is gone at once; Bob's data stays.
    assert helpdesk_senders(settings) == [BOB]
    assert await channel_store.get_button_offer("whatsapp", ALICE) is None
    assert await channel_store.statuses(f"SM-{ALICE[-3:]}") == []
    with session_scope(settings.database_url) as session:
        assert latest_question(session, ALICE) is None
        assert latest_question(session, BOB) is not None
    # The tracker rows wait for Rasa: deleted now, Rasa would write them back.
    assert any(SECRET in data for _t, data in rows(db, ALICE))

    # What Rasa does with the result: bot messages, the action, its events, then listen; save.
    tracker.update(ActionExecuted("action_delete_my_data"))
    tracker.update(BotUttered("Klaar. Ik heb je gegevens gewist."))
    for event in sdk_events:
        tracker.update(Event.from_parameters(event))
    tracker.update(ActionExecuted("action_listen"))
    await tracker_store.save(tracker)
    only_thread(delayed_steps, ALICE).join(timeout=20)

    alice = rows(db, ALICE)
    assert alice, "a minimal marker (the new session) stays"
    assert not any(type_name == "user" for type_name, _data in alice)
    assert not any("Jan" in data or "verwijder" in data for _t, data in alice)
    assert SECRET.encode() not in raw_bytes(db), "secure_delete overwrites the text in the file"
    assert SECRET.encode() not in raw_bytes(tmp_path / "app.db")
    assert await channel_store.last_inbound_at("whatsapp", ALICE) is None
    assert await channel_store.last_inbound_at("whatsapp", BOB) is not None
    assert any(OTHER_SECRET in data for _t, data in rows(db, BOB)), "other conversations stay"

    # The next message does not bring the old events back.
    tracker = await tracker_store.retrieve(ALICE)
    assert tracker.get_slot("language") == "nl"
    assert not any(isinstance(e, UserUttered) for e in tracker.events)
    tracker.update(user("hoi", "greet"))
    await tracker_store.save(tracker)
    assert [data for t, data in rows(db, ALICE) if t == "user"] and not any(
        SECRET in data for _t, data in rows(db, ALICE)
    )


async def test_erase_completes_when_the_confirmation_never_reaches_rasa_s_save(
    tmp_path, domain, dispatcher, settings, delayed_steps, monkeypatch
):
    """Rasa never saves the new session (the reply failed): after the timeout all rows go anyway."""
    monkeypatch.setattr(actions.privacy, "WAIT_FOR_MARKER_SECONDS", 0.5)
    db = tmp_path / "tracker.db"
    tracker_store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    await first_turns(tracker_store)
    channel_store = await app_rows(settings)
    tracker = await ask_to_erase(tracker_store)

    sdk_tracker = Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))
    await ActionDeleteMyData().run(dispatcher, sdk_tracker, domain.as_dict())
    # No save by Rasa follows.
    thread = only_thread(delayed_steps, ALICE)
    thread.join(timeout=20)

    assert not thread.is_alive()
    assert rows(db, ALICE) == []
    assert SECRET.encode() not in raw_bytes(db)
    assert await channel_store.last_inbound_at("whatsapp", ALICE) is None
    assert helpdesk_senders(settings) == [BOB]
    assert any(OTHER_SECRET in data for _t, data in rows(db, BOB))


async def test_the_delayed_step_waits_for_the_new_session_start(tmp_path, domain, settings):
    """The session start of the conversation's beginning does not count; only a newer one does."""
    db = tmp_path / "tracker.db"
    tracker_store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    sender = "telegram:424242"
    tracker = await tracker_store.get_or_create_tracker(sender)
    asked = time.time()
    tracker.update(SessionStarted(timestamp=asked - 10))
    tracker.update(user(SECRET, "inform"))
    await tracker_store.save(tracker)
    engine = tracker_engine(tracker_store_url(settings))
    assert session_start_after(sender, engine, asked) is None
    engine.dispose()

    step = threading.Thread(target=erase_when_saved, args=(sender, settings, asked, 10.0))
    step.start()
    time.sleep(0.6)
    # Still waiting: deleting now would let Rasa write the old events back.
    assert any(SECRET in data for _t, data in rows(db, sender))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await tracker_store.save(tracker)
    step.join(timeout=15)

    assert [t for t, _data in rows(db, sender)] == ["session_started", "action"]
