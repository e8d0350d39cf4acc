"""The console app inside the test process: which thread does database work, background tasks."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, List, Tuple

import pytest
from sqlalchemy import event

from helpdesk import console, store, tasks
from helpdesk.database import engine_for, session_scope
from helpdesk.models import Case, Conversation
from leerwijzer.settings import Settings
from tests.helpdesk.support import (
    ADMIN_PASSWORD,
    ADVISOR_PASSWORD,
    TEST_JWT_SECRET,
    FakeRasa,
    InProcessConsole,
    add_account,
    copy_sample_database,
)

RESUME = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


def queue_chat(url: str, language: str = "nl", waited: dt.timedelta = dt.timedelta(0)) -> Tuple[int, str]:
    """A waiting chat, as action_request_handoff leaves it, that has waited `waited` so far."""
    sender = f"whatsapp:+316{uuid.uuid4().int % 10**8:08d}"
    with session_scope(url) as session:
        result = store.request_handoff(session, sender, "whatsapp", "asked_for_person", {}, language)
        session.get(Case, result.case_id).requested_at -= waited
    return result.conversation_id, sender


def owner_and_end(url: str, conversation_id: int) -> Tuple[str, str | None]:
    with session_scope(url) as session:
        conversation = session.get(Conversation, conversation_id)
        return conversation.owner, session.get(Case, conversation.case_id).end_kind


def authors(url: str, conversation_id: int) -> List[Tuple[str, str]]:
    with session_scope(url) as session:
        return [(line["author"], line["text"]) for line in store.transcript(session, conversation_id)]


def settings_for(url: str, rasa: FakeRasa, folder: Path) -> Settings:
    return Settings(
        database_url=url,
        rasa_url_override=rasa.base_url,
        rasa_jwt_secret=TEST_JWT_SECRET,
        office_hours="always",
        helpdesk_poll_seconds=0.2,
        tracker_store_db=str(folder / "tracker.db"),
        cookie_secure=False,
        handoff_wait_timeout_minutes=120,
        handoff_wait_warning_minutes=10,
    )


@pytest.fixture()
def database(sample_database_url: str, tmp_path: Path) -> str:
    """A private database with an admin and an advisor."""
    url = copy_sample_database(sample_database_url, tmp_path)
    add_account(url, "admin", ADMIN_PASSWORD, "admin")
    add_account(url, "anna", ADVISOR_PASSWORD)
    return url


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[InProcessConsole]:
    """The console served inside this test's event loop (start-up listeners included)."""
    server = await InProcessConsole(settings).start()
    try:
        yield server
    finally:
        await server.stop()


async def test_no_database_work_runs_on_the_event_loop(database, fake_rasa, tmp_path):
    # Set up before the console starts (its first retention purge writes at start-up) and
    # before listening: the test's own database calls run on its loop.
    claimed_id, _ = queue_chat(database)
    closed_id, _ = queue_chat(database)
    released_id, _ = queue_chat(database)
    with session_scope(database) as session:
        task_id = tasks.create_task(session, "callback", "sms:+31687654321", "sms", phone="0612345678").id
    fake_rasa.reset()
    async with serving(settings_for(database, fake_rasa, tmp_path)) as inside:
        await exercise_every_endpoint(inside, database, claimed_id, closed_id, released_id, task_id)


async def exercise_every_endpoint(
    inside: InProcessConsole, database: str, claimed_id: int, closed_id: int, released_id: int, task_id: int
) -> None:
    on_loop: List[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: fine
        on_loop.append(statement)

    engine = engine_for(database)
    event.listen(engine, "before_cursor_execute", record)
    try:
        anna = await inside.login("anna", ADVISOR_PASSWORD)
        admin = await inside.login("admin", ADMIN_PASSWORD)
        wrong = await anna.http.post("/api/login", json={"username": "anna", "password": "wrong-1"})
        assert wrong.status_code == 401
        assert (await anna.get("/api/me")).status_code == 200
        assert (await anna.get("/api/queue")).status_code == 200
        assert on_loop == [], on_loop[:3]  # login, session check and queue so far
        chat = f"/api/conversations/{claimed_id}"
        assert (await anna.get(chat)).status_code == 200
        assert (await anna.post(f"{chat}/claim")).status_code == 200
        assert (await anna.post(f"{chat}/messages", {"text": "Hoi"})).status_code == 201
        offers = (await anna.get("/api/offers", params={"q": "taal"})).json()["offers"]
        assert (await anna.post(f"{chat}/offers", {"offer_id": offers[0]["offer_id"]})).status_code == 201
        assert (await anna.post(f"{chat}/notes", {"text": "notitie"})).status_code == 201
        assert (await anna.post(f"{chat}/handback")).status_code == 200
        assert (await anna.post(f"/api/conversations/{closed_id}/claim")).status_code == 200
        closed = await anna.post(f"/api/conversations/{closed_id}/close", {"outcome": "advice_given"})
        assert closed.status_code == 200
        assert (await admin.post(f"/api/conversations/{released_id}/release")).status_code == 200
        assert (await anna.get("/api/tasks")).status_code == 200
        assert (await anna.post(f"/api/tasks/{task_id}/phone")).json()["phone"] == "0612345678"
        assert (await anna.post(f"/api/tasks/{task_id}/done", {"outcome": "helped"})).status_code == 200
        assert (await anna.get("/api/replies", params={"language": "nl"})).status_code == 200
        reply = await admin.post("/api/replies", {"language": "nl", "title": "Hoi", "text": "Hallo!"})
        assert reply.status_code == 201
        assert (await admin.post(f"/api/replies/{reply.json()['id']}", {"language": "nl", "title": "Hoi",
                                                                        "text": "Dag!"})).status_code == 200
        assert (await admin.get("/api/advisors")).status_code == 200
        made = await admin.post("/api/advisors", {"username": "mira", "password": "mira-password-1"})
        assert made.status_code == 201
        assert (await admin.post(f"/api/advisors/{made.json()['id']}", {"role": "admin"})).status_code == 200
        changed = await anna.post(
            "/api/me/password", {"current_password": ADVISOR_PASSWORD, "new_password": "anna-new-password"}
        )
        assert changed.status_code == 200
        anna.csrf = changed.json()["csrf_token"]
        async with anna.http.stream("GET", "/api/events", headers={"Last-Event-ID": "0"}) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("event: change"):
                    break
        assert (await anna.post("/api/logout")).status_code == 200
        await asyncio.gather(anna.http.aclose(), admin.http.aclose())
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert on_loop == [], on_loop[:3]


async def test_a_chat_that_waits_too_long_goes_back_to_the_bot_by_itself(
    database, fake_rasa, tmp_path, monkeypatch
):
    monkeypatch.setattr(console, "WAIT_CHECK_SECONDS", 0.2)
    overdue_id, overdue_sender = queue_chat(database, "en", dt.timedelta(minutes=121))
    fresh_id, fresh_sender = queue_chat(database, "nl", dt.timedelta(minutes=100))
    fake_rasa.reset()
    async with serving(settings_for(database, fake_rasa, tmp_path)):
        # Done when the user was told (the notice is logged last, after the owner changed).
        for _ in range(100):
            lines = await asyncio.to_thread(authors, database, overdue_id)
            if lines and lines[-1][0] == "bot":
                break
            await asyncio.sleep(0.1)
    assert await asyncio.to_thread(owner_and_end, database, overdue_id) == ("bot", "timed_out")
    assert await asyncio.to_thread(owner_and_end, database, fresh_id) == ("waiting", None)
    calls = fake_rasa.bodies(overdue_sender)
    assert calls[0] == ("events", RESUME)  # resumed before the helpdesk let go
    notice = calls[1][1]
    assert notice["text"].startswith("Sorry, no advisor was free. You are talking to the chatbot again.")
    assert [b["title"] for b in notice["data"]["buttons"]] == ["Ask for an advisor again", "Call me back"]
    assert fake_rasa.bodies(fresh_sender) == []
    lines = authors(database, overdue_id)
    assert [author for author, _ in lines[-2:]] == ["system", "bot"]
    assert lines[-2][1] == "Geen adviseur vrij binnen 120 minuten: het gesprek ging terug naar de bot"


async def test_a_timed_out_chat_stays_waiting_while_rasa_refuses_the_resume(database, fake_rasa, tmp_path):
    overdue_id, overdue_sender = queue_chat(database, "nl", dt.timedelta(hours=3))
    fake_rasa.reset()
    app = InProcessConsole(settings_for(database, fake_rasa, tmp_path)).app  # not serving: no background
    fake_rasa.refuse_resumes(1)
    assert await console.return_overdue_chats(app) == 0
    assert await asyncio.to_thread(owner_and_end, database, overdue_id) == ("waiting", None)
    assert fake_rasa.bodies(overdue_sender) == [("events", RESUME)]  # refused, nothing told
    assert await console.return_overdue_chats(app) == 1
    assert await asyncio.to_thread(owner_and_end, database, overdue_id) == ("bot", "timed_out")
    assert fake_rasa.bodies(overdue_sender)[-1][1]["text"].startswith("Sorry, er was geen adviseur vrij.")
