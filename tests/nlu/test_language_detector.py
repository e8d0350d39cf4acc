"""The language detector: writing language in general, the named language on a switch request."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import LanguageDetector, detect_language, requested_language


def _language_entity(text: str, intent: str) -> str | None:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}})
    LanguageDetector().process([message])
    values = [e["value"] for e in message.get("entities", []) if e["entity"] == "language"]
    return values[-1] if values else None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("in het Engels graag", "en"),
        ("kun je engels", "en"),
        ("doe maar in het engels", "en"),
        ("switch to dutch please", "nl"),
        ("dutch please", "nl"),
        ("Nederlands alsjeblieft", "nl"),
        ("can we speak English", "en"),
    ],
)
def test_a_switch_request_gets_the_language_it_names(text, expected):
    assert _language_entity(text, "choose_language") == expected


def test_naming_a_language_outside_a_switch_request_does_not_switch():
    # Someone looking for an English course in Dutch keeps talking Dutch.
    assert _language_entity("ik zoek een cursus engels", "search_offer") == "nl"
    assert _language_entity("I want to learn Dutch", "search_offer") == "en"


def test_both_or_no_language_named_falls_back_to_the_writing_language():
    assert requested_language("engels of nederlands, maakt niet uit") is None
    assert requested_language("andere taal graag") is None
    assert _language_entity("andere taal graag", "choose_language") == detect_language("andere taal graag")


@pytest.mark.parametrize(
    "text, expected",
    [("ik wil een cursus", "nl"), ("I would like a course", "en"), ("ok", None), ("Helmond", None)],
)
def test_writing_language_is_reported_only_when_clear(text, expected):
    assert detect_language(text) == expected


def test_button_payloads_are_left_alone():
    assert _language_entity('/choose_language{"language": "en"}', "choose_language") is None
