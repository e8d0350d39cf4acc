"""Interest test and skills scan: scoring, personas, extraction from buttons and typed text."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from rasa.shared.core.domain import Domain

from actions.interest_scan import (
    QUESTIONS,
    ActionScanResult,
    ValidateInterestScanForm,
    evaluate,
    score_answer,
)
from leerwijzer.settings import PROJECT_ROOT

ELVEDIN = dict(
    scan_hands=2,
    scan_investigate=1,
    scan_create=0,
    scan_people=2,
    scan_lead=2,
    scan_order=1,
    skill_computer=2,
    skill_dutch=2,
    skill_care=0,
    skill_teaching=1,
    skill_leading=1,
)
LEONIE = dict(
    scan_hands=2,
    scan_investigate=0,
    scan_create=1,
    scan_people=2,
    scan_lead=1,
    scan_order=1,
    skill_computer=1,
    skill_dutch=2,
    skill_care=2,
    skill_teaching=0,
    skill_leading=0,
)
MARTINE = dict(
    scan_hands=0,
    scan_investigate=1,
    scan_create=1,
    scan_people=2,
    scan_lead=1,
    scan_order=2,
    skill_computer=0,
    skill_dutch=2,
    skill_care=0,
    skill_teaching=2,
    skill_leading=1,
)


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    """The real domain."""
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain")).as_dict()


def test_the_test_has_8_to_12_questions_and_each_is_asked_with_buttons(domain):
    assert 8 <= len(QUESTIONS) <= 12
    assert domain["forms"]["interest_scan_form"]["required_slots"] == list(QUESTIONS)
    for question in QUESTIONS:
        variants = domain["responses"][f"utter_ask_{question}"]
        assert all(len(v.get("buttons", [])) == 3 for v in variants)


def test_elvedin_gets_team_leader_and_coaching():
    result = evaluate(ELVEDIN)
    assert result.codes[:2] == ["team_leader_technical", "workplace_coach"]
    assert result.topic == "leidinggeven"
    assert 2 <= len(result.suggestions) <= 3


def test_leonie_gets_care():
    result = evaluate(LEONIE)
    assert result.codes[0] == "care_worker"
    assert "dementia_support" in result.codes
    assert result.topic == "zorg"
    assert any("dementie" in skill for skill in result.skills)


def test_martine_gets_digital_skills_and_teaching_seniors():
    result = evaluate(MARTINE, "en")
    assert result.codes[0] == "digital_coach_seniors"
    assert result.topic == "computer"  # weak computer skills come first
    assert result.skills[0] == "using a computer and smartphone"


def test_other_answers_give_other_outcomes():
    hands_only = {q: 0 for q in QUESTIONS} | {
        "scan_hands": 2,
        "scan_investigate": 2,
        "skill_computer": 2,
        "skill_dutch": 2,
    }
    assert evaluate(hands_only).codes[0] == "installer"


@pytest.mark.parametrize(
    ("text", "intent", "entity", "expected"),
    [
        ('/inform{"score": "2"}', "inform", "2", 2),
        ("ja, heel graag", "affirm", None, 2),
        ("nee", "deny", None, 0),
        ("een beetje", "inform", None, 1),
        ("niet goed", "inform", None, 0),
        ("weet ik niet", "dont_know", None, 1),
        ("banaan", "nlu_fallback", None, None),
    ],
)
def test_score_answer(text, intent, entity, expected):
    assert score_answer(text, intent, entity) == expected


async def test_form_scores_only_the_asked_question(dispatcher, tracker_for, domain):
    tracker = tracker_for(
        "ja", intent="affirm", slots={"requested_slot": "scan_people"}, active_loop="interest_scan_form"
    )
    events = await ValidateInterestScanForm().run(dispatcher, tracker, domain)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"scan_people": "2"}


async def test_question_in_between_is_not_an_answer(dispatcher, tracker_for, domain):
    tracker = tracker_for(
        "wat is evc", intent="faq", slots={"requested_slot": "scan_people"}, active_loop="interest_scan_form"
    )
    events = await ValidateInterestScanForm().run(dispatcher, tracker, domain)
    assert not [e for e in events if e["event"] == "slot" and e["name"] == "scan_people"]


async def test_result_action_shows_suggestions_and_sets_the_search_topic(dispatcher, tracker_for):
    tracker = tracker_for(slots={q: str(v) for q, v in LEONIE.items()})
    events = await ActionScanResult().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_scan_result",
        "utter_ask_search_after_scan",
    ]
    assert "zorg" in dispatcher.messages[0]["suggestions"]
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["topic"] == "zorg"
    assert slots["interest_profile"]["suggestions"][0] == "care_worker"
