"""An unsure reading of a message that names a learning theme and asks to learn becomes inform."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.learning_wish import LearningWishReader
from bot.nlu.profile_extractor import read_profile


@pytest.fixture
def reader(tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    return LearningWishReader.create({}, LocalModelStorage(tmp_path), Resource("wish"), context)


def _read(text: str, intent: str) -> Message:
    """A message as the pipeline hands it on: the classifier's reading and the profile entities."""
    ranking = [{"name": intent, "confidence": 0.44}, {"name": "inform", "confidence": 0.3}]
    return Message(
        data={
            "text": text,
            "intent": dict(ranking[0]),
            "intent_ranking": ranking,
            "entities": read_profile(text).entities(),
        }
    )


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope"])
@pytest.mark.parametrize(
    "text",
    [
        # a zzp'er after a divorce (session 4's development holdout): was "daar kan ik niet mee helpen"
        "moet het nu zelf leren. bonnetjes facturen btw aangifte die hele santenkraam",
        "my phone is new and I do not understand the apps at all",
        # an employer: "lezen" is the theme, "helpen" the wish
        "een paar van mijn lassers kunnen de instructies niet goed lezen. ik wil ze helpen",
    ],
)
def test_a_learning_wish_is_read_as_inform(reader, text, intent):
    message = _read(text, intent)
    reader.process([message])
    assert message.get("intent") == {"name": "inform", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "inform"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("speel engelse muziek af", "out_of_scope"),  # a theme word, no wish to learn
        ("what is the weather in Eindhoven", "out_of_scope"),  # no theme at all
        ("ik wil leren", "nlu_fallback"),  # a wish, but no theme to search on: the bot asks
        ("ik wil niet meer leven, ook die cursus lassen helpt niet", "sensitive_topic"),  # sure reading
        ("/inform", "nlu_fallback"),  # button payloads carry their own intent
    ],
)
def test_other_readings_stay(reader, text, intent):
    message = _read(text, intent)
    reader.process([message])
    assert message.get("intent")["name"] == intent


def test_the_classifier_s_own_learning_guess_is_kept(reader):
    # Under a fallback the classifier's best guess was search_offer: that is kept (it leads to
    # the same search, and the NLU report counts inform for it as a mistake).
    text = "ik wil graag beter leren lassen, is daar een cursus voor"
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "search_offer", "confidence": 0.4}]
    message = Message(
        data={
            "text": text,
            "intent": dict(ranking[0]),
            "intent_ranking": ranking,
            "entities": read_profile(text).entities(),
        }
    )
    reader.process([message])
    assert message.get("intent") == {"name": "search_offer", "confidence": 1.0}
