"""Handoff actions against a real (SQLite) database: queue, helplines, call-back, walk-in."""

from __future__ import annotations

import time
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.handoff import (
    ActionBookWalkIn,
    ActionOfferWalkIn,
    ActionRequestHandoff,
    ActionSaveCallback,
    ValidateCallbackForm,
    build_summary,
    chosen_walk_in,
    office_hours_text,
)
from bot.nlu.profile_extractor import read_profile
from helpdesk import store
from helpdesk.database import session_scope
from helpdesk.helplines import classify, helpline, stale_entries
from helpdesk.models import Case, Conversation, Task
from leerwijzer.settings import get_settings, parse_office_hours
from offer_catalogue.models import Offer
from tests.actions.handoff_support import responses, tracker


def offline(monkeypatch) -> None:
    monkeypatch.setenv("LEERWIJZER_OFFICE_HOURS", "never")
    get_settings.cache_clear()


async def test_request_queues_pauses_and_tells_place_and_wait(helpdesk_url):
    with session_scope(helpdesk_url) as session:
        offer_ids = [str(i) for i in session.execute(select(Offer.id).limit(2)).scalars()]
    first = tracker(
        slots={"goal": "ander werk", "municipality": "Helmond", "budget": "gratis", "offers_shown": offer_ids}
    )
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, first, {})
    assert SlotSet("handoff_status", "waiting") in events and ConversationPaused() in events
    assert responses(dispatcher) == ["utter_handoff_waiting"]
    assert dispatcher.messages[0]["position"] == 1 and dispatcher.messages[0]["minutes"] == 5

    with session_scope(helpdesk_url) as session:
        conversation = session.execute(
            select(Conversation).where(Conversation.sender_id == first.sender_id)
        ).scalar_one()
        assert conversation.owner == "waiting" and conversation.channel == "webchat"
        view = store.case_view(session, conversation)
        lines = store.transcript(session, conversation.id)
    summary = view["summary"]
    assert summary["goal"] == "ander werk" and summary["municipality"] == "Helmond"
    assert summary["constraints"] == {"budget": "gratis"}
    assert len(summary["offers_shown"]) == 2 and all(summary["offers_shown"])
    assert summary["language"] == "nl" and summary["channel"] == "webchat"
    assert [(line["author"], line["text"]) for line in lines][:2] == [
        ("user", "hoi"),
        ("bot", "Hoi! Ik ben Leerwijzer."),
    ]

    second = CollectingDispatcher()
    await ActionRequestHandoff().run(second, tracker(), {})
    assert second.messages[0]["position"] == 2 and second.messages[0]["minutes"] == 10


async def test_summary_without_intake_slots_still_works():
    summary = build_summary(tracker(slots={}), "asked_for_person")
    assert summary["constraints"] == {} and summary["offers_shown_ids"] == []
    assert "goal" not in summary and summary["channel"] == "webchat"


async def test_the_summary_carries_the_question_in_the_persons_own_words():
    # A walk-in booking ends on "nummer 2": the advisor needs the question, not the last tap.
    asked = tracker(text="nummer 2", intent="choose_walk_in", slots={})
    asked.events.insert(2, {"event": "user", "text": "/request_walk_in", "timestamp": time.time() - 1.5})
    asked.events.insert(
        2,
        {
            "event": "user",
            "text": "mijn moeder heeft dementie en ik wil de zorg in",
            "timestamp": time.time() - 1.6,
        },
    )
    assert build_summary(asked, "walk_in")["question"] == "mijn moeder heeft dementie en ik wil de zorg in"
    assert "question" not in build_summary(tracker(text="ja", slots={}), "walk_in")
    # A number typed into the call-back form never becomes the "question" the task list shows.
    numbered = tracker(text="nummer 2", intent="choose_walk_in", slots={})
    numbered.events.insert(2, {"event": "user", "text": "mijn nummer is 06 12 34 56 78", "timestamp": 1.0})
    assert build_summary(numbered, "callback")["question"] == "mijn nummer is [nummer]"
    dated = tracker(text="nummer 2", intent="choose_walk_in", slots={})
    asked_with_date = "kan het na 03-12-2026 of bel +31 6 1234 5678"
    dated.events.insert(2, {"event": "user", "text": asked_with_date, "timestamp": 1.0})
    assert build_summary(dated, "callback")["question"] == "kan het na 03-12-2026 of bel [nummer]"
    # An earlier visit's question is not today's.
    asked.events.insert(3, {"event": "session_started"})
    assert "question" not in build_summary(asked, "walk_in")


async def test_a_repeated_request_keeps_the_same_case(helpdesk_url):
    same = tracker(sender="same-user")
    await ActionRequestHandoff().run(CollectingDispatcher(), same, {})
    await ActionRequestHandoff().run(CollectingDispatcher(), same, {})
    with session_scope(helpdesk_url) as session:
        assert session.query(Case).count() == 1


@pytest.mark.parametrize(
    ("text", "kind", "phone"),
    [
        ("ik wil niet meer leven", "crisis", "0800-0113"),
        ("I'd rather be dead than go on like this", "crisis", "0800-0113"),
        ("ik ga mezelf wat aandoen", "crisis", "0800-0113"),
        ("I keep hurting myself", "crisis", "0800-0113"),
    ],
)
async def test_sensitive_topics_show_the_right_helpline_first(helpdesk_url, text, kind, phone):
    dispatcher = CollectingDispatcher()
    await ActionRequestHandoff().run(dispatcher, tracker(text=text, intent="sensitive_topic"), {})
    assert responses(dispatcher) == [f"utter_helpline_{kind}", "utter_handoff_waiting"]
    assert phone in dispatcher.messages[0]["phone"]


@pytest.mark.parametrize(
    "text",
    ["mijn man slaat mij", "I sleep in my car", "ik ben overspannen", "alles is zwart, ik kan niet meer"],
)
async def test_a_sensitive_topic_no_keyword_fits_gets_the_safety_line_and_a_person(helpdesk_url, text):
    # Most crisis messages in the blind crisis set carry none of our 113 keywords; such a message
    # read as sensitive_topic must still show the crisis and emergency lines (in general words,
    # fitting any sensitive topic), never the debt line, and a person at once.
    dispatcher = CollectingDispatcher()
    await ActionRequestHandoff().run(dispatcher, tracker(text=text, intent="sensitive_topic"), {})
    assert responses(dispatcher) == ["utter_helpline_safety", "utter_handoff_waiting"]
    assert "0800-0113" in dispatcher.messages[0]["phone"]


async def test_debts_get_the_debt_line_and_the_offer_of_a_person(helpdesk_url):
    # Debts are no emergency, and the person may want a course on money matters: ask first.
    text = "ik heb schulden, mijn klantmanager zegt dat ik een cursus geldzaken moet doen"
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, tracker(text=text, intent="sensitive_topic"), {})
    assert responses(dispatcher) == ["utter_helpline_debt", "utter_ask_talk_to_person"]
    assert "0800-8115" in dispatcher.messages[0]["phone"]
    assert events == [SlotSet("handoff_status", "offered"), SlotSet("sensitive_kind", "debt")]
    # debts and despair go together: the debt line names 113 too
    assert "0800-0113" in dispatcher.messages[0]["crisis_phone"]


async def test_a_classifier_only_reading_of_a_learning_story_asks_first(helpdesk_url):
    # Session 4, the first holdout: AI at work and "ik voel me een dinosaurus" was read as
    # sensitive_topic; it was queued and the learner muted. With a learning theme and no helpline
    # or danger word: the lines, then "Wil je nu met iemand praten?", nobody queued or paused.
    text = "op mijn werk hebben ze het alleen nog over AI en chatgpt en ik voel me een dinosaurus"
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, story(text), {})
    assert responses(dispatcher) == ["utter_helpline_safety", "utter_ask_talk_to_person"]
    assert events == [SlotSet("handoff_status", "offered"), SlotSet("sensitive_kind", "safety")]
    with session_scope(helpdesk_url) as session:
        assert session.query(Case).count() == 0


@pytest.mark.parametrize(("text", "intent"), [("/request_human", "request_human"), ("ja", "affirm")])
async def test_a_yes_after_the_question_queues_with_the_reason(helpdesk_url, text, intent):
    # The "Ja, graag" button and a typed "ja" both queue; the advisor sees the sensitive topic.
    sender = f"asked-{uuid.uuid4().hex}"
    asked = tracker(text=text, intent=intent, sender=sender, slots={"handoff_status": "offered"})
    asked.slots["sensitive_kind"] = "debt"
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, asked, {})
    assert responses(dispatcher) == ["utter_handoff_waiting"] and ConversationPaused() in events
    with session_scope(helpdesk_url) as session:
        query = select(Conversation).where(Conversation.sender_id == sender)
        conversation = session.execute(query).scalar_one()
        summary = store.case_view(session, conversation)["summary"]
    assert (summary["reason"], summary["sensitive"]) == ("sensitive_topic", "debt")


async def test_a_no_after_the_question_is_answered_gently(helpdesk_url):
    dispatcher = CollectingDispatcher()
    asked = tracker(text="nee", intent="deny", slots={"handoff_status": "offered"})
    events = await ActionRequestHandoff().run(dispatcher, asked, {})
    assert responses(dispatcher) == ["utter_talk_declined"]
    assert SlotSet("handoff_status", None) in events


async def test_a_yes_after_the_offline_options_shows_them_again(helpdesk_url, monkeypatch):
    offline(monkeypatch)
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(
        dispatcher, tracker(text="ja", intent="affirm", slots={"handoff_status": "offline"}), {}
    )
    assert responses(dispatcher) == ["utter_handoff_offline"] and events == []


async def test_once_open_a_yes_queues_even_after_earlier_offline_options(helpdesk_url):
    # The offline options were shown hours ago; now the helpdesk is open and the intake's
    # "Wil je dit bespreken met een adviseur?" gets a yes: queue, do not show them again.
    dispatcher = CollectingDispatcher()
    stale = tracker(text="ja", intent="affirm", slots={"handoff_status": "offline"})
    events = await ActionRequestHandoff().run(dispatcher, stale, {})
    assert responses(dispatcher) == ["utter_handoff_waiting"] and ConversationPaused() in events


async def test_outside_office_hours_the_lines_come_with_the_offline_options(helpdesk_url, monkeypatch):
    # No question no advisor could answer now: the call-back and walk-in options instead.
    offline(monkeypatch)
    text = "op mijn werk hebben ze het alleen nog over AI en chatgpt en ik voel me een dinosaurus"
    dispatcher = CollectingDispatcher()
    await ActionRequestHandoff().run(dispatcher, story(text), {})
    assert responses(dispatcher) == ["utter_helpline_safety", "utter_handoff_offline"]


def story(text: str, form: str | None = None) -> Tracker:
    """A `sensitive_topic` reading with the profile extractor's entities, as the NLU sends it.

    `form`: the learning form whose question the message was typed under, if any.
    """
    built = tracker(text=text, intent="sensitive_topic")
    built.latest_message["entities"] = read_profile(text).entities()
    if form:
        built.active_loop = {"name": form}
    return built


async def test_a_worry_in_a_learning_story_shows_the_lines_but_queues_nobody(helpdesk_url):
    text = "school was nooit mijn ding en ik zie het niet zitten, maar ik ken de logistiek goed"
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, story(text), {})
    assert responses(dispatcher) == ["utter_helpline_worry"]
    assert "0800-0113" in dispatcher.messages[0]["phone"]
    # not paused, not queued: the conversation goes on, and a "ja" brings a person
    assert events == [SlotSet("handoff_status", "offered"), SlotSet("sensitive_kind", "crisis")]


async def test_dreading_school_is_a_worry_about_learning(helpdesk_url):
    text = "ik zie het echt niet zitten om weer in de schoolbanken te zitten met toetsen"
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, story(text), {})
    assert responses(dispatcher) == ["utter_helpline_worry"] and ConversationPaused() not in events


@pytest.mark.parametrize(
    ("text", "form"),
    [
        # an unmistakable crisis phrase that is no helpline keyword, in a story about an exam
        ("I failed my exam again, I just want to end it all", None),
        # a learning theme (smartphone) in a message about violence: a danger word
        ("my partner hits me and takes my phone", None),
        # "example" is no exam
        ("For example, I sometimes think nobody would miss me", None),
        # Session 5's review: a form being active is no learning story; these crisis messages
        # without a keyword, typed under the intake, were shown the gentle lines only.
        ("Niemand zou me missen als ik er niet meer ben", "intake_form"),
        ("ik heb pillen gespaard en denk er elke avond aan", "intake_form"),
        ("I can't go on like this, nobody would notice if I was gone", "intake_form"),
        ("niemand kan mij uitleggen waarom ik nog zou doorgaan, ik wil er een eind aan maken", "intake_form"),
    ],
)
async def test_a_crisis_near_learning_words_still_goes_to_a_person(helpdesk_url, text, form):
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, story(text, form), {})
    assert responses(dispatcher)[-1] == "utter_handoff_waiting"
    assert responses(dispatcher)[0].startswith("utter_helpline_") and "worry" not in responses(dispatcher)[0]
    assert ConversationPaused() in events


async def test_a_crisis_word_in_a_learning_story_still_goes_to_a_person(helpdesk_url):
    text = "ik wil niet meer leven, ook die cursus lassen helpt niet"
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHandoff().run(dispatcher, story(text), {})
    assert responses(dispatcher) == ["utter_helpline_crisis", "utter_handoff_waiting"]
    assert ConversationPaused() in events


async def test_the_safety_line_is_in_both_languages_and_names_113_and_112():
    from rasa.shared.core.domain import Domain

    from leerwijzer.settings import PROJECT_ROOT

    variants = Domain.load(str(PROJECT_ROOT / "bot" / "domain")).responses["utter_helpline_safety"]
    assert len(variants) == 2
    assert all("{phone}" in v["text"] and "112" in v["text"] for v in variants)


async def test_offline_offers_call_back_or_walk_in_and_does_not_pause(helpdesk_url, monkeypatch):
    offline(monkeypatch)
    dispatcher = CollectingDispatcher()
    chat = tracker()
    events = await ActionRequestHandoff().run(dispatcher, chat, {})
    assert events == [SlotSet("handoff_status", "offline")]
    assert responses(dispatcher) == ["utter_handoff_offline"]
    with session_scope(helpdesk_url) as session:
        assert store.owner_of(session, chat.sender_id) == "bot"


async def test_call_back_is_saved_only_with_consent(helpdesk_url):
    form = ValidateCallbackForm()
    dispatcher = CollectingDispatcher()
    assert await form.validate_callback_phone("06 1234 5678", dispatcher, tracker(), {}) == {
        "callback_phone": "0612345678"
    }
    assert await form.validate_callback_phone("12345", dispatcher, tracker(), {}) == {"callback_phone": None}
    assert responses(dispatcher) == ["utter_callback_phone_invalid"]
    refused = await form.validate_callback_consent(False, dispatcher, tracker(), {})
    assert refused["callback_consent"] is False and refused["callback_phone"] == "-"

    no = CollectingDispatcher()
    await ActionSaveCallback().run(no, tracker(slots={"callback_consent": False, "callback_phone": "-"}), {})
    assert responses(no) == ["utter_callback_cancelled"]

    yes = CollectingDispatcher()
    events = await ActionSaveCallback().run(
        yes,
        tracker(slots={"callback_consent": True, "callback_phone": "0612345678", "callback_time": "middag"}),
        {},
    )
    assert responses(yes) == ["utter_callback_saved"]
    assert SlotSet("callback_phone", None) in events
    with session_scope(helpdesk_url) as session:
        tasks = session.query(Task).all()
    assert [(t.kind, t.phone, t.preferred_time, t.consent_at is not None) for t in tasks] == [
        ("callback", "0612345678", "middag", True)
    ]


async def test_walk_in_hours_are_offered_and_booked(helpdesk_url):
    dispatcher = CollectingDispatcher()
    offered = await ActionOfferWalkIn().run(dispatcher, tracker(slots={"municipality": "Eindhoven"}), {})
    choices = next(e["value"] for e in offered if e["name"] == "walk_in_choices")
    assert responses(dispatcher)[0] == "utter_walk_in_intro"
    options = [m for m in dispatcher.messages if m.get("response") == "utter_walk_in_option"]
    assert options and all(m["offer_id"].isdigit() for m in options)

    booked = CollectingDispatcher()
    chosen = tracker(slots={"walk_in_offer": options[0]["offer_id"], "walk_in_choices": choices})
    events = await ActionBookWalkIn().run(booked, chosen, {})
    assert responses(booked) == ["utter_walk_in_booked"] and SlotSet("walk_in_choices", None) in events
    with session_scope(helpdesk_url) as session:
        task = session.query(Task).one()
    assert task.kind == "appointment" and task.offer_id == int(options[0]["offer_id"])

    # A tap on another hour of the same list after the booking books nothing: the hours again.
    second = tracker(slots={"walk_in_offer": options[1]["offer_id"], "walk_in_choices": None})
    assert FollowupAction("action_offer_walk_in") in await ActionBookWalkIn().run(
        CollectingDispatcher(), second, {}
    )
    with session_scope(helpdesk_url) as session:
        assert session.query(Task).count() == 1

    wrong = CollectingDispatcher()
    await ActionBookWalkIn().run(
        wrong, tracker(slots={"walk_in_offer": "999999", "walk_in_choices": choices}), {}
    )
    assert responses(wrong) == ["utter_walk_in_none"]


async def test_a_typed_choice_books_the_option_it_points_at(helpdesk_url):
    offered = CollectingDispatcher()
    events = await ActionOfferWalkIn().run(offered, tracker(slots={"municipality": "Eindhoven"}), {})
    choices = next(e["value"] for e in events if e["name"] == "walk_in_choices")
    options = [m["offer_id"] for m in offered.messages if m.get("response") == "utter_walk_in_option"]
    assert [c["offer_id"] for c in choices] == options and len(options) >= 2

    # "nummer 2" with a misread entity "2" (an offer id!) still books the second option.
    typed = tracker("doe maar nummer 2", "choose_walk_in", {"walk_in_choices": choices, "walk_in_offer": "2"})
    booked = CollectingDispatcher()
    events = await ActionBookWalkIn().run(booked, typed, {})
    assert responses(booked) == ["utter_walk_in_booked"]
    assert SlotSet("walk_in_choices", None) in events
    with session_scope(helpdesk_url) as session:
        assert session.query(Task).one().offer_id == int(options[1])

    # A number beyond the list books nothing, whatever the entity says.
    too_far = CollectingDispatcher()
    beyond = tracker("nummer 9", "choose_walk_in", {"walk_in_choices": choices, "walk_in_offer": options[0]})
    beyond.slots["walk_in_offer"] = "9"
    await ActionBookWalkIn().run(too_far, beyond, {})
    assert responses(too_far) == ["utter_walk_in_none"]


@pytest.mark.parametrize(
    "text, expected",
    [("2", "b"), ("de eerste graag", "a"), ("the third one", "c"), ("doe de laatste maar", "c"),
     ("die in Best", "b"), ("nummer 4", None), ("weet ik niet", None), ("die in de bibliotheek", None),
     ("een in Best graag", "b"), ("the one in Helmond", "c"), ("die in Best om 10 uur", "b")],
)  # fmt: skip
def test_typed_walk_in_choices(text, expected):
    choices = [
        {"offer_id": "a", "words": "inloopspreekuur bibliotheek eindhoven"},
        {"offer_id": "b", "words": "inloopspreekuur bibliotheek best"},
        {"offer_id": "c", "words": "spreekuur wijkcentrum helmond"},
    ]
    assert chosen_walk_in(text, choices) == expected


def test_helplines_are_checked_recently_and_classified():
    assert stale_entries() == []
    assert helpline("debt")["phone"] == "0800-8115"
    assert classify("Ik heb SCHULDEN") == "debt"
    assert classify("I want to end my life") == "crisis"
    assert classify("ik zoek een cursus") is None
    # "schuld" is also guilt: never the debt line for "het is allemaal mijn schuld"
    assert classify("het is allemaal mijn schuld, ik voel me zo schuldig") is None
    assert classify("ik heb een schuldgevoel") is None
    assert classify("het is de schuld van mijn ouders, ik voel veel schuld") is None
    assert classify("ik heb een schuld bij de belastingdienst") == "debt"
    assert classify("mijn studieschuld groeit") == "debt"


def test_office_hours_parse_and_read_in_both_languages():
    windows = parse_office_hours("mo-fr 09:00-17:00; sa 10:00-12:00")
    assert len(windows) == 6 and windows[-1][0] == 5
    assert office_hours_text("mo-fr 09:00-17:00", "nl") == "ma-vr 09:00-17:00"
    assert office_hours_text("mo-fr 09:00-17:00", "en") == "mon-fri 09:00-17:00".replace(
        "mon", "Mon"
    ).replace("fri", "Fri")


def fallback_then_confirm(first_intent: str) -> Tracker:
    """The bot asked "Wil je met een adviseur chatten?" after `first_intent`; the user says yes."""
    chat = tracker("ja", "affirm")
    now = time.time()
    chat.events[-1:-1] = [
        {
            "event": "user",
            "text": "blub blab",
            "timestamp": now - 0.5,
            "parse_data": {"intent": {"name": first_intent}},
        },
        {"event": "action", "name": "utter_ask_confirm_handoff", "timestamp": now - 0.4},
        {"event": "action", "name": "action_listen", "timestamp": now - 0.3},
    ]
    return chat


async def test_a_yes_after_two_misreads_is_queued_as_such(helpdesk_url):
    await ActionRequestHandoff().run(CollectingDispatcher(), fallback_then_confirm("nlu_fallback"), {})
    await ActionRequestHandoff().run(CollectingDispatcher(), fallback_then_confirm("request_human"), {})
    with session_scope(helpdesk_url) as session:
        reasons = [case.reason for case in session.query(Case).order_by(Case.id)]
    assert reasons == ["two_fallbacks", "asked_for_person"]
