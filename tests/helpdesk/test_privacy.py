"""Erasing one conversation, and the retention purge, against real SQLite databases.

tests/helpdesk/test_privacy_registry.py covers every table generically (SQLite and
PostgreSQL); the tests here follow the real code paths that write the rows.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, func, select, text, update

from actions.records import DevelopmentQuestion, save_question
from channels.store import ChannelStore, dispose_engines
from helpdesk import auth, models, store, tasks
from helpdesk.database import session_scope
from helpdesk.privacy import erase_conversation, purge_expired
from leerwijzer.settings import Settings

WHATSAPP = "whatsapp:+31612345678"


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


def long_ago() -> dt.datetime:
    """A moment 40 days back: past the 30 days of settings_for."""
    return dt.datetime.utcnow() - dt.timedelta(days=40)


def count(settings: Settings, model) -> int:
    """Rows in a helpdesk table."""
    with session_scope(settings.database_url) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_erase_removes_one_conversation_and_keeps_others(tmp_path):
    """The transcript of the erased conversation goes; another conversation's stays."""
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
    """An old message and note go, the recent messages stay."""
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
    """Old tracker rows go, from the table and from the file's bytes; recent ones stay."""
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

    assert report.deleted["events"] == 2
    engine = create_engine(f"sqlite:///{settings.tracker_store_db}")
    with engine.connect() as connection:
        rows = [r[0] for r in connection.execute(text("SELECT data FROM events"))]
    engine.dispose()
    assert len(rows) == 2
    assert not any("teamleider" in row for row in rows)
    assert any("Nog een vraag" in row for row in rows)
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("tracker.db*"))
    assert b"teamleider" not in raw, "the purge overwrites the deleted text in the file"


def test_purge_deletes_old_intake_answers(tmp_path):
    """Development questions (intake answers) past retention go; a recent one stays."""
    settings = settings_for(tmp_path)
    with session_scope(settings.database_url) as session:
        old = save_question(session, "sms:+31687654321", {"topic": "schulden", "municipality": "Best"})
        save_question(session, "sms:+31611111111", {"topic": "computerles"})
        aged = update(DevelopmentQuestion).where(DevelopmentQuestion.id == old).values(created_at=long_ago())
        session.execute(aged)

    report = purge_expired(settings)

    assert report.deleted["development_questions"] == 1
    with session_scope(settings.database_url) as session:
        topics = list(session.execute(select(DevelopmentQuestion.topic)).scalars())
    assert topics == ["computerles"]


def test_purge_deletes_inactive_conversations_with_their_phone_numbers(tmp_path):
    """A closed chat and its call-back task (phone number) go; a chat still waiting stays."""
    settings = settings_for(tmp_path)
    with session_scope(settings.database_url) as session:
        advisor = auth.create_advisor(session, "eva", "Eva", "a-long-password", "advisor", rounds=4)
        done = store.request_handoff(session, WHATSAPP, "whatsapp", "asked_for_person", {"goal": "job"})
        store.claim(session, done.conversation_id, advisor.id)
        store.end_case(session, done.conversation_id, advisor.id, "closed", "advice_given")
        tasks.create_task(session, "callback", WHATSAPP, "whatsapp", phone="+31612345678")
        waiting = store.request_handoff(session, "telegram:424242", "telegram", "asked_for_person", {})
    with session_scope(settings.database_url) as session:
        for model, columns in (
            (models.Conversation, ("created_at", "updated_at")),
            (models.Case, ("requested_at", "claimed_at", "ended_at")),
            (models.Message, ("created_at",)),
            (models.Task, ("created_at",)),
            (models.HelpdeskEvent, ("created_at",)),
        ):
            session.execute(update(model).values(**{column: long_ago() for column in columns}))
        # The waiting case is still open (no end time), however long ago it started.
        session.execute(update(models.Case).where(models.Case.id == waiting.case_id).values(ended_at=None))

    purge_expired(settings)

    with session_scope(settings.database_url) as session:
        senders = list(session.execute(select(models.Conversation.sender_id)).scalars())
        phones = list(session.execute(select(models.Task.phone)).scalars())
        open_cases = list(session.execute(select(models.Case.id)).scalars())
    assert senders == ["telegram:424242"]
    assert phones == []
    assert open_cases == [waiting.case_id]


def test_purge_deletes_old_last_inbound_rows(tmp_path):
    """When a number last wrote is personal data too; a recent one stays (WhatsApp needs it)."""
    settings = settings_for(tmp_path)
    channel_store = ChannelStore(settings.database_url)

    async def record() -> None:
        await channel_store.record_inbound("whatsapp", WHATSAPP, at=long_ago())
        await channel_store.record_inbound("whatsapp", "whatsapp:+31699999999")

    asyncio.run(record())
    try:
        report = purge_expired(settings)
        assert report.deleted["channel_last_inbound"] == 1
        assert asyncio.run(channel_store.last_inbound_at("whatsapp", WHATSAPP)) is None
        assert asyncio.run(channel_store.last_inbound_at("whatsapp", "whatsapp:+31699999999")) is not None
    finally:
        dispose_engines()


def test_purge_deletes_old_login_failures(tmp_path):
    """Failed console logins hold usernames and IP addresses: old ones go."""
    settings = settings_for(tmp_path)
    with session_scope(settings.database_url) as session:
        session.add(models.LoginAttempt(key="address:203.0.113.5", attempted_at=long_ago()))
        session.add(models.LoginAttempt(key="address:198.51.100.7"))

    purge_expired(settings)

    with session_scope(settings.database_url) as session:
        keys = list(session.execute(select(models.LoginAttempt.key)).scalars())
    assert keys == ["address:198.51.100.7"]


def test_erase_of_the_tracker_does_not_depend_on_the_app_database(tmp_path):
    """The app database is unreachable: the tracker rows go anyway, and the failure is raised."""
    (tmp_path / "not-a-folder").write_text("")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'not-a-folder' / 'app.db'}",
        tracker_store_db=str(tmp_path / "tracker.db"),
    )
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=settings.tracker_store_db)
    asyncio.run(
        tracker_store.save(DialogueStateTracker.from_events(WHATSAPP, [UserUttered("Mijn adres is geheim")]))
    )

    with pytest.raises(OSError):
        erase_conversation(WHATSAPP, settings)

    engine = create_engine(f"sqlite:///{settings.tracker_store_db}")
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    engine.dispose()
    assert left == 0
