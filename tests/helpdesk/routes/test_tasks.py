"""Tasks in the console API: masked numbers, who opened them, done with an outcome."""

from __future__ import annotations

import uuid

from helpdesk import tasks
from helpdesk.database import session_scope
from helpdesk.models import Task
from tests.helpdesk.support import ADVISOR_PASSWORD


def new_callback(url: str, phone: str = "+31612345678") -> int:
    """A call-back task as the bot makes it when no advisor is online."""
    with session_scope(url, write=True) as session:  # the console may be writing too
        summary = {"topic": "zorg", "municipality": "Helmond", "question": "ik wil de zorg in"}
        return tasks.create_task(
            session, "callback", f"whatsapp:{phone}-{uuid.uuid4().hex[:4]}", "whatsapp", "nl", summary,
            phone=phone, preferred_time="ochtend",
        ).id


def test_the_list_masks_the_number_and_opening_it_is_recorded(helpdesk):
    task_id = new_callback(helpdesk.database_url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    listed = next(t for t in anna.get("/api/tasks").json()["tasks"] if t["id"] == task_id)
    assert listed["phone_masked"] == "+•••••••••78"
    assert "12345" not in str(listed)
    assert listed["summary"]["question"] == "ik wil de zorg in"
    assert listed["phone_opened_at"] is None

    opened = anna.post(f"/api/tasks/{task_id}/phone")
    assert opened.json() == {"phone": "+31612345678"}
    with session_scope(helpdesk.database_url) as session:
        task = session.get(Task, task_id)
        assert task.phone_opened_by is not None and task.phone_opened_at is not None
    listed = next(t for t in anna.get("/api/tasks").json()["tasks"] if t["id"] == task_id)
    assert listed["phone_opened_at"] and "12345" not in str(listed)


def test_opening_a_number_needs_the_csrf_token_and_a_number(helpdesk):
    task_id = new_callback(helpdesk.database_url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.http.post(f"/api/tasks/{task_id}/phone").status_code == 403  # no CSRF header
    assert anna.post("/api/tasks/999999/phone").status_code == 404
    with session_scope(helpdesk.database_url) as session:
        assert session.get(Task, task_id).phone_opened_at is None


def test_done_needs_a_known_outcome_and_keeps_it(helpdesk):
    task_id = new_callback(helpdesk.database_url)
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    assert anna.post(f"/api/tasks/{task_id}/done").status_code == 400
    assert anna.post(f"/api/tasks/{task_id}/done", {"outcome": "whatever"}).status_code == 400
    assert anna.post(f"/api/tasks/{task_id}/done", {"outcome": "not_reached"}).status_code == 200
    finished = anna.get("/api/tasks", params={"status": "done"}).json()["tasks"]
    done = next(t for t in finished if t["id"] == task_id)
    assert done["outcome"] == "not_reached" and done["done_at"]
    assert all(t["id"] != task_id for t in anna.get("/api/tasks").json()["tasks"])


def test_masked_phone_keeps_only_the_last_two_digits():
    assert tasks.masked_phone("0401234567") == "••••••••67"
    assert tasks.masked_phone("+31 6 12 34 56 78") == "+•• • •• •• •• 78"
    assert tasks.masked_phone("") is None and tasks.masked_phone(None) is None


def test_the_list_shows_the_name_the_person_gave(helpdesk):
    with session_scope(helpdesk.database_url, write=True) as session:
        named = tasks.create_task(
            session, "appointment", f"webchat:{uuid.uuid4().hex}", "webchat", "nl", {}, name="Leonie"
        ).id
        unnamed = tasks.create_task(session, "appointment", f"webchat:{uuid.uuid4().hex}", "webchat", "nl").id
    anna = helpdesk.console.login("anna", ADVISOR_PASSWORD)
    listed = {t["id"]: t for t in anna.get("/api/tasks").json()["tasks"]}
    assert listed[named]["name"] == "Leonie" and listed[unnamed]["name"] is None
