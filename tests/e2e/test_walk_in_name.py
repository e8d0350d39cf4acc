"""A walk-in appointment through the real Rasa and action servers: the bot asks a name, optionally.

After the booking the bot asks "Hoe heet je?" once; the name goes on the appointment the
advisors see. A person who would rather not say is not asked again.
"""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from helpdesk.database import session_scope
from helpdesk.models import Task
from tests.e2e.chat import conversation_of, say, texts

pytestmark = pytest.mark.e2e


def book_first_hour(rasa_stack, sender: str) -> list:
    """Ask for a walk-in hour and tap the first "Hier wil ik heen"; the bot's replies."""
    offered = say(rasa_stack, sender, "ik wil langskomen bij een inloopspreekuur in Eindhoven")
    buttons = [button for reply in offered for button in reply.get("buttons") or []]
    choose = next(button["payload"] for button in buttons if button["payload"].startswith("/choose_walk_in"))
    assert json.loads(choose.removeprefix("/choose_walk_in"))["walk_in_offer"].isdigit()
    return say(rasa_stack, sender, choose)


def appointments(console_stack, sender: str) -> list:
    with session_scope(console_stack.database_url) as session:
        rows = session.execute(select(Task).where(Task.sender_id == conversation_of(sender))).scalars()
        return [(task.kind, task.name) for task in rows]


def test_the_name_given_after_a_walk_in_booking_is_on_the_appointment(rasa_stack, console_stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    booked = book_first_hour(rasa_stack, sender)
    assert "Genoteerd" in texts(booked) and "Hoe heet je?" in texts(booked)
    assert [button["title"] for button in booked[-1]["buttons"]] == ["Liever niet"]
    thanked = say(rasa_stack, sender, "Ik heet Leonie")
    assert "Dank je, Leonie" in texts(thanked)
    assert appointments(console_stack, sender) == [("appointment", "Leonie")]


def test_rather_not_is_respected_and_not_asked_again(rasa_stack, console_stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    assert "Hoe heet je?" in texts(book_first_hour(rasa_stack, sender))
    say(rasa_stack, sender, "liever niet")
    again = book_first_hour(rasa_stack, sender)
    assert "Genoteerd" in texts(again) and "Hoe heet je?" not in texts(again)
    assert appointments(console_stack, sender) == [("appointment", None), ("appointment", None)]


def test_a_crisis_typed_at_the_name_question_gets_the_helpline_not_the_form(rasa_stack, console_stack):
    sender = f"e2e-{uuid.uuid4().hex}"
    assert "Hoe heet je?" in texts(book_first_hour(rasa_stack, sender))
    answer = texts(say(rasa_stack, sender, "ik wil niet meer leven"))
    assert "113" in answer and "Dank je" not in answer
    assert appointments(console_stack, sender) == [("appointment", None)]
