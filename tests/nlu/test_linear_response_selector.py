"""The linear response selector learns faq keys, saves, loads and writes what Rasa reads."""

from __future__ import annotations

import copy

from rasa.core.actions.action import ActionRetrieveResponse
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.evaluation import predicted_label
from bot.nlu.linear_response_selector import LinearResponseSelector

FAQ = {
    "evc": ["wat is evc", "evc uitleg", "what is EVC", "erkenning van verworven competenties", "evc traject"],
    "stap": ["bestaat stap nog", "stap budget", "what happened to STAP", "stap subsidie aanvragen"],
    "slim": ["wat is SLIM", "slim regeling werkgever", "what is SLIM", "slim subsidie voor bedrijven"],
}
OTHER = {
    "greet": ["hoi", "hallo", "goedemorgen", "hello"],
    "search_offer": ["ik zoek een computercursus", "cursus nederlands in helmond", "training excel"],
}
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents:
  - faq:
      is_retrieval_intent: true
  - greet
  - search_offer
slots:
  language:
    type: categorical
    values: [nl, en]
    influence_conversation: false
    mappings: [{type: custom}]
responses:
  utter_faq/evc:
    - text: "EVC: je laat zien wat je al kunt."
    - condition: [{type: slot, name: language, value: en}]
      text: "EVC: you show what you can already do."
  utter_faq/stap:
    - text: "STAP bestaat niet meer."
  utter_faq/slim:
    - text: "SLIM is voor werkgevers."
actions:
  - utter_faq
"""
)


def _training_data(faq: bool = True) -> TrainingData:
    messages = [Message(data={"text": t, "intent": i}) for i, texts in OTHER.items() for t in texts]
    if faq:
        messages += [
            Message(data={"text": t, "intent": "faq", "intent_response_key": f"faq/{key}"})
            for key, texts in FAQ.items()
            for t in texts
        ]
    # As rasa train passes it: the domain's retrieval responses are part of the NLU data.
    responses = copy.deepcopy(DOMAIN.retrieval_intent_responses)
    return TrainingData(training_examples=messages, responses=responses)


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def _trained_and_loaded(tmp_path, faq: bool = True, config: dict | None = None) -> LinearResponseSelector:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("selector")
    selector = LinearResponseSelector.create(config or {}, storage, resource, _context())
    selector.train(_training_data(faq))
    return LinearResponseSelector.load(config or {}, storage, resource, _context())


def test_trains_saves_loads_and_picks_the_key(tmp_path):
    selector = _trained_and_loaded(tmp_path)
    texts = ["wat is evc precies", "stap budget 2024", "SLIM regeling"]
    messages = [Message(data={"text": t}) for t in texts]
    selector.process(messages)

    keys = [m.get("response_selector")["faq"]["response"]["intent_response_key"] for m in messages]
    assert keys == ["faq/evc", "faq/stap", "faq/slim"]


def test_property_has_exactly_the_response_selector_format(tmp_path):
    selector = _trained_and_loaded(tmp_path)
    message = Message(data={"text": "wat is evc precies"})
    selector.process([message])

    output = message.as_dict(only_output_properties=True)["response_selector"]
    assert set(output) == {"all_retrieval_intents", "faq"}
    assert output["all_retrieval_intents"] == ["faq"]
    assert set(output["faq"]) == {"response", "ranking"}
    response = output["faq"]["response"]
    assert set(response) == {"responses", "confidence", "intent_response_key", "utter_action"}
    assert response["responses"] == DOMAIN.responses["utter_faq/evc"]
    assert response["intent_response_key"] == "faq/evc"
    assert response["utter_action"] == "utter_faq/evc"
    assert type(response["confidence"]) is float

    ranking = output["faq"]["ranking"]
    assert [set(r) for r in ranking] == [{"confidence", "intent_response_key"}] * 3
    assert sorted(r["intent_response_key"] for r in ranking) == ["faq/evc", "faq/slim", "faq/stap"]
    assert ranking[0] == {"confidence": response["confidence"], "intent_response_key": "faq/evc"}
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[0] > confidences[1]
    assert abs(sum(confidences) - 1.0) < 1e-6


def test_format_matches_rasas_response_selector(tmp_path):
    """Train Rasa's own ResponseSelector (one epoch) on the same data and compare the shapes."""

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list) and value and isinstance(value[0], dict) and "confidence" in value[0]:
            return [shape(value[0])]  # a ranking: one entry's shape (lengths may differ)
        return type(value).__name__

    storage = LocalModelStorage(tmp_path)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "alias": "cvf"}, storage, Resource("cvf"), _context()
    )
    selector_config = {**ResponseSelector.get_default_config(), "epochs": 1, "retrieval_intent": "faq"}
    rasa_selector = ResponseSelector.create(selector_config, storage, Resource("rs"), _context())
    data = _training_data()
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    rasa_selector.train(data)

    (tmp_path / "ours").mkdir()
    ours = _trained_and_loaded(tmp_path / "ours")
    theirs_message, our_message = Message(data={"text": "wat is evc"}), Message(data={"text": "wat is evc"})
    tokenizer.process([theirs_message])
    featurizer.process([theirs_message])
    rasa_selector.process([theirs_message])
    ours.process([our_message])

    theirs = theirs_message.as_dict(only_output_properties=True)["response_selector"]
    mine = our_message.as_dict(only_output_properties=True)["response_selector"]
    assert shape(mine) == shape(theirs)
    assert sorted(mine["all_retrieval_intents"]) == sorted(theirs["all_retrieval_intents"])
    assert ours._responses == rasa_selector.responses  # the same responses are kept with the model
    their_key = theirs["faq"]["response"]["intent_response_key"]
    assert theirs["faq"]["response"]["responses"] == DOMAIN.responses[f"utter_{their_key}"]


def test_set_for_every_message_whatever_the_intent(tmp_path):
    selector = _trained_and_loaded(tmp_path)
    message = Message(data={"text": "hallo", "intent": {"name": "greet", "confidence": 0.99}})
    selector.process([message])
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"].startswith("faq/")
    assert message.get("intent")["name"] == "greet"


async def test_rasa_retrieves_the_selected_answer(tmp_path):
    selector = _trained_and_loaded(tmp_path)
    message = Message(data={"text": "what is EVC exactly"})
    message.set("intent", {"name": "faq", "confidence": 0.9}, add_to_output=True)  # the intent classifier
    selector.process([message])
    parse_data = message.as_dict(only_output_properties=True)
    assert predicted_label(parse_data) == "faq/evc"  # how bot/nlu/evaluation.py reads it

    user = UserUttered(message.get("text"), parse_data["intent"], parse_data=parse_data)
    history = [SlotSet("language", "en"), user]
    tracker = DialogueStateTracker.from_events("someone", history, slots=DOMAIN.slots)
    action = ActionRetrieveResponse("utter_faq")
    assert action.get_full_retrieval_name(tracker) == "utter_faq/evc"

    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    events = await action.run(CollectingOutputChannel(), nlg, tracker, DOMAIN)
    assert [type(e) for e in events] == [BotUttered]
    assert events[0].text == "EVC: you show what you can already do."
    assert events[0].metadata["utter_action"] == "utter_faq/evc"


def test_without_faq_data_messages_are_left_alone(tmp_path):
    selector = _trained_and_loaded(tmp_path, faq=False)
    message = Message(data={"text": "wat is evc"})
    selector.process([message])
    assert message.get("response_selector") is None


def test_never_trained_messages_are_left_alone(tmp_path):
    storage = LocalModelStorage(tmp_path)
    selector = LinearResponseSelector.load({}, storage, Resource("never-trained"), _context())
    message = Message(data={"text": "wat is evc"})
    selector.process([message])
    assert message.get("response_selector") is None


def test_without_a_configured_retrieval_intent_all_are_reported_as_default(tmp_path):
    selector = _trained_and_loaded(tmp_path, config={"retrieval_intent": None})
    message = Message(data={"text": "stap budget"})
    selector.process([message])
    assert message.get("response_selector")["default"]["response"]["utter_action"] == "utter_faq/stap"
