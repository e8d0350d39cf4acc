"""The crisis safety net turns unmistakable crisis messages into sensitive_topic, nothing else."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis_safety_net import CrisisSafetyNet


@pytest.fixture
def safety_net(tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    return CrisisSafetyNet.create({}, LocalModelStorage(tmp_path), Resource("safety"), context)


def _classified(text: str, intent: str = "choose_walk_in") -> Message:
    ranking = [{"name": intent, "confidence": 0.55}, {"name": "sensitive_topic", "confidence": 0.41}]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


@pytest.mark.parametrize(
    "text",
    [
        "I'd rather be dead",
        "sometimes I just want to die",
        "ik denk aan zelfmoord",
        "Ik wil niet meer leven",
        "ik ga mezelf wat aandoen",
        "I have a plan to kill myself",
        "SUICIDE",
    ],
)
def test_crisis_messages_become_sensitive_topic(safety_net, text):
    message = _classified(text)
    safety_net.process([message])
    assert message.get("intent") == {"name": "sensitive_topic", "confidence": 1.0}
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["sensitive_topic", "choose_walk_in"]
    assert ranking[1]["confidence"] == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "die in Helmond",
        "ik kom niet meer verder met excel",
        "cursus crisismanagement",
        "I am dying to learn Spanish",
        "wil doorleren",
        "/choose_walk_in",
        "",
    ],
)
def test_other_messages_keep_the_classifiers_intent(safety_net, text):
    message = _classified(text)
    safety_net.process([message])
    assert message.get("intent")["name"] == "choose_walk_in"
