"""Erasing one conversation, and the retention purge, against real SQLite databases."""

from __future__ import annotations

import asyncio
import datetime as dt

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, func, select, text

from helpdesk import auth, models, store
from helpdesk.database import session_scope
from helpdesk.privacy import erase_conversation, purge_expired
from leerwijzer.settings import Settings


def settings_for(tmp_path) -> Settings:
    """Settings pointing at fresh databases in tmp_path."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        tracker_store_db=str(tmp_path / "tracker.db"),
        retention_days=30,
    )


def handed_off(settings: Settings, sender: str, text_line: str) -> None:
    """A conversation in the queue with one held user message."""
    with session_scope(settings.database_url) as session:
        store.request_handoff(session, sender, "webchat", "asked_for_person", {"goal": "digital_skills"})
        store.admit_user_message(session, sender, "webchat", text_line)


def count(settings: Settings, model) -> int:
    """Rows in a helpdesk table."""
    with session_scope(settings.database_url) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_erase_removes_one_conversation_and_keeps_others(tmp_path):
    settings = settings_for(tmp_path)
    handed_off(settings, "leonie", "Mijn moeder heeft dementie")
    handed_off(settings, "mick", "Ik wil zzp'er worden")

    deleted = erase_conversation("leonie", settings)

    assert deleted["hd_conversations"] == 1 and deleted["hd_messages"] >= 1
    with session_scope(settings.database_url) as session:
        texts = list(session.execute(select(models.Message.text)).scalars())
        senders = list(session.execute(select(models.Conversation.sender_id)).scalars())
    assert senders == ["mick"]
    assert not any("dementie" in t for t in texts)
    assert any("zzp" in t for t in texts)


def test_purge_deletes_only_what_is_past_retention(tmp_path):
    settings = settings_for(tmp_path)
    handed_off(settings, "martine", "Ik wil leren tabletten gebruiken")
    with session_scope(settings.database_url) as session:
        old = dt.datetime.utcnow() - dt.timedelta(days=40)
        advisor = auth.create_advisor(session, "eva", "Eva", "a-long-password", "advisor", rounds=4)
        session.add(
            models.Note(conversation_id=1, advisor_id=advisor.id, text="oude notitie", created_at=old)
        )
        first = session.execute(select(models.Message).order_by(models.Message.id)).scalars().first()
        first.created_at = old

    recent_before = count(settings, models.Message) - 1
    report = purge_expired(settings)

    assert report.deleted["hd_notes"] == 1 and report.deleted["hd_messages"] == 1
    assert count(settings, models.Message) == recent_before
    assert count(settings, models.Note) == 0


def test_purge_deletes_old_tracker_events_written_by_rasa(tmp_path):
    settings = settings_for(tmp_path)
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=settings.tracker_store_db)
    long_ago = (dt.datetime.utcnow() - dt.timedelta(days=60)).timestamp()
    tracker = DialogueStateTracker.from_events(
        "elvedin",
        [
            ActionExecuted("action_listen", timestamp=long_ago),
            UserUttered("Ik wil teamleider worden", timestamp=long_ago + 1),
            ActionExecuted("action_listen"),
            UserUttered("Nog een vraag"),
        ],
    )
    asyncio.run(tracker_store.save(tracker))

    report = purge_expired(settings)

    assert report.deleted["tracker events"] == 2
    engine = create_engine(f"sqlite:///{settings.tracker_store_db}")
    with engine.connect() as connection:
        rows = [r[0] for r in connection.execute(text("SELECT data FROM events"))]
    engine.dispose()
    assert len(rows) == 2
    assert not any("teamleider" in row for row in rows)
    assert any("Nog een vraag" in row for row in rows)
