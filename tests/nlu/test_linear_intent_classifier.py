"""The linear intent classifier learns intents from text, saves, loads and ranks."""

from __future__ import annotations

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.linear_intent_classifier import LinearIntentClassifier

EXAMPLES = {
    "greet": ["hoi", "hallo", "goedemorgen", "hey daar", "hello", "hi there"],
    "search_offer": [
        "ik zoek een computercursus",
        "cursus nederlands in helmond",
        "is er een opleiding zorg",
        "I am looking for an English course",
        "training excel",
        "cursus digitale vaardigheden",
    ],
    "faq": [
        "wat is evc",
        "bestaat stap nog",
        "wat is het leerwerkloket",
        "what is SLIM",
        "evc uitleg",
        "stap budget",
    ],
}


def _training_data() -> TrainingData:
    messages = []
    for intent, texts in EXAMPLES.items():
        for text in texts:
            data = {"text": text, "intent": intent}
            if intent == "faq":
                data["intent_response_key"] = f"faq/{text.split()[-1]}"
            messages.append(Message(data=data))
    return TrainingData(training_examples=messages)


def test_trains_saves_loads_and_ranks(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear")
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = LinearIntentClassifier.create({}, storage, resource, context)
    classifier.train(_training_data())

    loaded = LinearIntentClassifier.load({}, storage, resource, context)
    messages = [Message(data={"text": "hallo"}), Message(data={"text": "ik zoek een cursus computer"})]
    loaded.process(messages)

    assert [m.get("intent")["name"] for m in messages] == ["greet", "search_offer"]
    ranking = messages[1].get("intent_ranking")
    assert [r["name"] for r in ranking][0] == "search_offer"
    assert sorted(r["name"] for r in ranking) == ["faq", "greet", "search_offer"]
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert ranking[0]["confidence"] > ranking[1]["confidence"]


def test_without_a_model_messages_are_left_alone(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = LinearIntentClassifier.load({}, storage, Resource("never-trained"), context)
    message = Message(data={"text": "hoi"})
    classifier.process([message])
    assert message.get("intent") is None
