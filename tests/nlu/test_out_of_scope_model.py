"""The trained model keeps phone-assistant requests away from erase, handoff and the crisis line.

Our own probe sentences (not training examples, never taken from the blind sets in tests/eval):
requests that share words with the helpdesk. Before the domain guard and the second round of
out-of-scope examples, several of these reached `delete_my_data` or `request_human`.
"""

from __future__ import annotations

import pytest

from bot.nlu.evaluation import predicted_label
from tests.nlu.test_heldout import model_under_test

COSTLY = {"delete_my_data", "request_human", "sensitive_topic"}

NOT_OURS = [
    "haal de herinnering voor de tandarts weg",
    "verwijder alle timers",
    "gooi mijn boodschappenlijst weg",
    "wis de foto's van het strand",
    "bel mijn zus even",
    "verbind me met de klantenservice van de bank",
    "remove the reminder about the bins",
    "delete every alarm on my phone",
    "wipe my photo album",
    "call my brother",
    "put me through to my dentist",
    "add this song to my chill playlist",
]

OURS = [
    ("haal al mijn gegevens weg", "delete_my_data"),
    ("wis alles wat ik hier heb getypt", "delete_my_data"),
    ("please erase my data", "delete_my_data"),
    ("ik wil graag een echte medewerker spreken", "request_human"),
    ("can I chat with an advisor", "request_human"),
    ("ik heb zoveel schulden dat ik niet meer slaap", "sensitive_topic"),
    ("I want to end my life", "sensitive_topic"),
]


@pytest.fixture(scope="module")
def parses():
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model_under_test()))
    texts = NOT_OURS + [text for text, _ in OURS]

    async def parse_all():
        return {text: await agent.parse_message(text) for text in texts}

    return asyncio.run(parse_all())


@pytest.mark.parametrize("text", NOT_OURS)
def test_assistant_requests_never_erase_or_hand_off(parses, text):
    assert predicted_label(parses[text]) not in COSTLY


@pytest.mark.parametrize(("text", "intent"), OURS)
def test_real_erase_handoff_and_crisis_requests_keep_their_intent(parses, text, intent):
    assert predicted_label(parses[text]) == intent
