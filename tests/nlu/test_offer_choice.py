"""A short message that only picks a shown offer becomes offer_details with its number."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.offer_choice import OfferChoiceReader, offer_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("de tweede", 2),
        ("De tweede!", 2),
        ("meer over nummer 3", 3),
        ("meer info over de eerste", 1),
        ("ik wil de derde", 3),
        ("optie 3", 3),
        ("de 2e graag", 2),
        ("the first one", 1),
        ("tell me more about the second one", 2),
        ("details 1", 1),
    ],
)
def test_choices_in_everyday_words(text, number):
    assert offer_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "2",  # may answer "hoeveel uur per week?"; WhatsApp/SMS map it to their numbered button
        "ik wil 2",
        "3 km",
        "tweede kans",
        "de tweede is te duur",  # more than a choice: the classifier reads it
        "ik wil leren lassen",
    ],
)
def test_other_messages_are_no_choice(text):
    assert offer_number(text) is None


def test_the_reader_sets_intent_and_number(tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    reader = OfferChoiceReader.create({}, LocalModelStorage(tmp_path), Resource("choice"), context)
    message = Message(data={"text": "de tweede", "intent": {"name": "inform", "confidence": 0.6}})
    payload = Message(data={"text": '/offer_details{"offer_number": "1"}', "intent": {"name": "x"}})
    reader.process([message, payload])
    assert message.get("intent") == {"name": "offer_details", "confidence": 1.0}
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("offer_number", "2")]
    assert payload.get("intent") == {"name": "x"}


def test_a_walk_in_choice_keeps_its_reading(tmp_path):
    # The classifier learned "de tweede" for the walk-in hours too; the dialogue decides which
    # list it answers (data/rules), so the reader leaves that reading alone.
    context = ExecutionContext(GraphSchema({}), "test")
    reader = OfferChoiceReader.create({}, LocalModelStorage(tmp_path), Resource("choice"), context)
    message = Message(data={"text": "de tweede", "intent": {"name": "choose_walk_in", "confidence": 0.8}})
    reader.process([message])
    assert message.get("intent")["name"] == "choose_walk_in"
