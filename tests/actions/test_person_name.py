"""The name for a call-back or walk-in appointment: asked once, never required, shown to the advisor."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import (
    ActionBookWalkIn,
    ActionForgetCallback,
    ActionOfferWalkIn,
    ActionSaveCallback,
    ValidateCallbackForm,
)
from actions.person_name import NOT_GIVEN, ActionSaveName, ValidateNameForm, clean_person_name
from helpdesk.database import session_scope
from helpdesk.models import Task
from tests.actions.handoff_support import responses, tracker

CALLBACK = {"callback_consent": True, "callback_phone": "0612345678", "callback_time": "middag"}


@pytest.mark.parametrize(
    ("answer", "name"),
    [
        ("Leonie", "Leonie"),
        ("ik heet Leonie", "Leonie"),
        ("Mijn naam is Mick de Vries.", "Mick de Vries"),
        ("I'm Elvedin", "Elvedin"),
        ("hoi, ik ben Martine", "Martine"),
        ("Anne-Marie O'Neill", "Anne-Marie O'Neill"),
        ("liever niet", NOT_GIVEN),
        ("rather not", NOT_GIVEN),
        ("nee", NOT_GIVEN),
        ("dat wil ik niet zeggen", NOT_GIVEN),
        ("0612345678", NOT_GIVEN),
        ("mijn moeder heeft dementie en ik wil de zorg in", NOT_GIVEN),
        ("", NOT_GIVEN),
        ("<script>", NOT_GIVEN),
        ("ik ben bang", NOT_GIVEN),
        ("Wanneer is het open", NOT_GIVEN),
        ("verwijder mijn gegevens", NOT_GIVEN),
        ("zelfmoord", NOT_GIVEN),
        ("kill myself", NOT_GIVEN),
        ("Anne van Dijk", "Anne van Dijk"),
        ("ik ben moe", NOT_GIVEN),
        ("I'm lost", NOT_GIVEN),
        ("Ben", "Ben"),
        ("I am Ben", "Ben"),
        ("May", "May"),
        ("laat maar", NOT_GIVEN),
    ],
)
def test_a_name_is_read_from_an_answer_and_anything_else_is_not_a_name(answer, name):
    assert clean_person_name(answer) == name


async def test_the_call_back_form_asks_the_name_last_and_not_without_consent():
    form = ValidateCallbackForm()
    slots = ["callback_consent", "callback_phone", "callback_time", "person_name"]
    dispatcher = CollectingDispatcher()
    agreed = tracker(slots={"callback_consent": True})
    assert await form.required_slots(slots, dispatcher, agreed, {}) == slots
    refused = tracker(slots={"callback_consent": False})
    assert "person_name" not in await form.required_slots(slots, dispatcher, refused, {})
    assert await form.validate_person_name("ik heet Leonie", dispatcher, agreed, {}) == {
        "person_name": "Leonie"
    }


async def test_the_call_back_task_carries_the_name(helpdesk_url):
    named = tracker(slots={**CALLBACK, "person_name": "Leonie"})
    await ActionSaveCallback().run(CollectingDispatcher(), named, {})
    unnamed = tracker(slots={**CALLBACK, "person_name": NOT_GIVEN})
    await ActionSaveCallback().run(CollectingDispatcher(), unnamed, {})
    with session_scope(helpdesk_url) as session:
        assert [task.name for task in session.query(Task).order_by(Task.id)] == ["Leonie", None]


async def hours_on_offer() -> dict:
    """The slots after the walk-in hours were offered and the first one was tapped."""
    events = await ActionOfferWalkIn().run(
        CollectingDispatcher(), tracker(slots={"municipality": "Eindhoven"}), {}
    )
    choices = next(e["value"] for e in events if e["name"] == "walk_in_choices")
    return {"walk_in_choices": choices, "walk_in_offer": choices[0]["offer_id"]}


async def test_a_walk_in_booking_asks_the_name_once_then_puts_it_on_the_appointment(helpdesk_url):
    chat = tracker(slots=await hours_on_offer(), sender="webchat:leonie")
    events = await ActionBookWalkIn().run(CollectingDispatcher(), chat, {})
    assert FollowupAction("name_form") in events  # never asked in this chat

    validated = await ValidateNameForm().validate_person_name("Leonie", CollectingDispatcher(), chat, {})
    thanked = CollectingDispatcher()
    await ActionSaveName().run(thanked, tracker(slots=validated, sender="webchat:leonie"), {})
    assert responses(thanked) == ["utter_name_saved"] and thanked.messages[0]["name"] == "Leonie"
    with session_scope(helpdesk_url) as session:
        assert session.query(Task).one().name == "Leonie"

    # Would rather not say: nothing is added, a kind word, not asked again next time.
    quiet = CollectingDispatcher()
    await ActionSaveName().run(quiet, tracker(slots={"person_name": NOT_GIVEN}, sender="webchat:leonie"), {})
    assert responses(quiet) == ["utter_name_not_given"]
    again = tracker(slots={**await hours_on_offer(), "person_name": NOT_GIVEN}, sender="webchat:leonie")
    assert FollowupAction("name_form") not in await ActionBookWalkIn().run(CollectingDispatcher(), again, {})


async def test_a_name_known_from_the_call_back_goes_on_the_appointment_at_once(helpdesk_url):
    chat = tracker(slots={**await hours_on_offer(), "person_name": "Mick"})
    events = await ActionBookWalkIn().run(CollectingDispatcher(), chat, {})
    assert FollowupAction("name_form") not in events
    with session_scope(helpdesk_url) as session:
        assert session.query(Task).one().name == "Mick"


@pytest.mark.parametrize(
    ("text", "lines"),
    [("ik wil niet meer leven", "utter_helpline_crisis"), ("ik heb schulden", "utter_helpline_debt")],
)
async def test_a_worry_at_the_name_question_gets_the_lines_that_fit_not_thanks(helpdesk_url, text, lines):
    # The NLU should read it as sensitive_topic (then the form steps aside and a rule answers);
    # if it did not, the keywords still keep it out of the task and give the lines that fit.
    worried = tracker(text, "inform", {"person_name": NOT_GIVEN})
    dispatcher = CollectingDispatcher()
    await ActionSaveName().run(dispatcher, worried, {})
    assert responses(dispatcher) == [lines] and dispatcher.messages[0]["phone"]


async def test_a_call_back_ended_early_forgets_consent_number_and_time():
    ended = tracker(slots={**CALLBACK, "person_name": "Leonie"})
    events = await ActionForgetCallback().run(CollectingDispatcher(), ended, {})
    assert {event["name"]: event["value"] for event in events} == {
        "callback_consent": None,
        "callback_phone": None,
        "callback_time": None,
    }
