"""LeerwijzerTrackerStore reads what Rasa's own SQLTrackerStore reads, on SQLite and PostgreSQL.

Every check compares against a stock `SQLTrackerStore` opened on the same database, so the
cache can never silently return something the database does not hold.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import LeerwijzerTrackerStore
from tests.helpdesk.support import throwaway_postgres

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, inform]
slots:
  municipality:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: hoi}]
"""
)


def _run(coroutine):
    return asyncio.run(coroutine)


def _dicts(tracker: DialogueStateTracker | None) -> List[dict]:
    return [event.as_dict() for event in tracker.events] if tracker else []


def _turn(text: str, at: float) -> List[Event]:
    return [
        UserUttered(text, {"name": "inform", "confidence": 1.0}, timestamp=at),
        ActionExecuted("utter_greet", timestamp=at + 0.1),
        ActionExecuted("action_listen", timestamp=at + 0.2),
    ]


def _session_start(at: float) -> List[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at + 0.01),
        ActionExecuted("action_listen", timestamp=at + 0.02),
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path: Path) -> Iterator[dict]:
    """Store arguments for a fresh SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
        return
    with throwaway_postgres() as url:
        parsed = sa.engine.make_url(url)
        yield {
            "dialect": "postgresql",
            "host": parsed.host,
            "port": parsed.port,
            "db": parsed.database,
            "username": parsed.username,
        }


def _stores(database: dict) -> tuple[LeerwijzerTrackerStore, SQLTrackerStore]:
    ours = LeerwijzerTrackerStore(domain=DOMAIN, **database)
    stock = SQLTrackerStore(domain=DOMAIN, **database)
    return ours, stock


def _append(store: LeerwijzerTrackerStore, sender: str, events: List[Event]) -> DialogueStateTracker:
    tracker = _run(store.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
    for event in events:
        tracker.update(event)
    _run(store.save(tracker))
    return tracker


def test_reads_what_the_stock_store_reads_while_a_conversation_grows(database):
    ours, stock = _stores(database)
    now = time.time()
    _append(ours, "ann", _session_start(now) + _turn("hoi", now + 1))
    for step in range(2, 6):
        _append(
            ours, "ann", _turn(f"bericht {step}", now + step) + [SlotSet("municipality", f"plaats {step}")]
        )
        assert _dicts(_run(ours.retrieve("ann"))) == _dicts(_run(stock.retrieve("ann")))
    stored = _run(stock.retrieve("ann"))
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [
        "hoi",
        "bericht 2",
        "bericht 3",
        "bericht 4",
        "bericht 5",
    ]
    assert stored.get_slot("municipality") == "plaats 5"
    # Nothing was written twice: 6 events to start with, then 4 per step.
    with stock.session_scope() as session:
        assert session.query(stock.SQLEvent).filter(stock.SQLEvent.sender_id == "ann").count() == 6 + 4 * 4


def test_a_new_session_hides_the_old_one_exactly_like_the_stock_store(database):
    ours, stock = _stores(database)
    now = time.time()
    _append(ours, "bob", _session_start(now) + _turn("oude sessie", now + 1))
    _append(ours, "bob", _session_start(now + 10) + _turn("nieuwe sessie", now + 11))
    mine = _run(ours.retrieve("bob"))
    assert _dicts(mine) == _dicts(_run(stock.retrieve("bob")))
    assert [e.text for e in mine.events if isinstance(e, UserUttered)] == ["nieuwe sessie"]


def test_rows_deleted_by_another_process_are_not_served_from_memory(database):
    ours, stock = _stores(database)
    now = time.time()
    _append(ours, "cas", _session_start(now) + _turn("geheim woord", now + 1))
    assert "cas" in ours.cached_conversations()
    # What the privacy erase and the retention purge do: delete rows behind Rasa's back.
    with stock.session_scope() as session:
        session.query(stock.SQLEvent).filter(stock.SQLEvent.sender_id == "cas").delete()
        session.commit()
    assert _run(ours.retrieve("cas")) is None
    # And a save after the erase writes only what the tracker holds now, not a stale count.
    _append(ours, "cas", _session_start(now + 20) + _turn("opnieuw", now + 21))
    texts = [e.text for e in _run(stock.retrieve("cas")).events if isinstance(e, UserUttered)]
    assert texts == ["opnieuw"]


def test_rows_written_by_another_replica_are_seen(database):
    first, stock = _stores(database)
    second = LeerwijzerTrackerStore(domain=DOMAIN, **database)
    now = time.time()
    _append(first, "dirk", _session_start(now) + _turn("via replica een", now + 1))
    _append(second, "dirk", _turn("via replica twee", now + 2))
    seen = _run(first.retrieve("dirk"))  # the other replica's row is seen at once
    assert [e.text for e in seen.events if isinstance(e, UserUttered)][-1] == "via replica twee"
    _append(first, "dirk", _turn("weer een", now + 3))
    mine = _run(first.retrieve("dirk"))
    assert _dicts(mine) == _dicts(_run(stock.retrieve("dirk")))
    assert [e.text for e in mine.events if isinstance(e, UserUttered)] == [
        "via replica een",
        "via replica twee",
        "weer een",
    ]


def test_the_cache_is_bounded(database):
    ours = LeerwijzerTrackerStore(domain=DOMAIN, cached_conversations=2, **database)
    now = time.time()
    for sender in ("e1", "e2", "e3"):
        _append(ours, sender, _session_start(now) + _turn(sender, now + 1))
    assert sorted(ours.cached_conversations()) == ["e2", "e3"]
    # An evicted conversation is read again from the database, complete.
    assert [e.text for e in _run(ours.retrieve("e1")).events if isinstance(e, UserUttered)] == ["e1"]


def test_sqlite_runs_in_wal_mode(tmp_path: Path):
    ours = LeerwijzerTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    with ours.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
