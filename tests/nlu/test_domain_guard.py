"""The domain guard demotes far-away or evidence-less readings of erase, handoff and crisis.

Unit tests train the guard on a few sentences; the model tests (at the bottom) check the trained
model with our own probe sentences (never the blind sets of tests/eval).
"""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.domain_guard import DomainGuard
from bot.nlu.evaluation import load_examples
from leerwijzer.settings import PROJECT_ROOT

TRAINING = {
    "delete_my_data": ["verwijder mijn gegevens", "wis dit gesprek", "delete my data", "forget me"],
    "request_human": ["ik wil een mens spreken", "mag ik een adviseur", "talk to a person please"],
    "request_callback": [
        "bel me terug",
        "kunnen jullie mij bellen",
        "call me back please",
        "neem contact met me op",
        "kan een adviseur me bellen",
        "mijn nummer is 0612345678",
    ],
    "sensitive_topic": ["ik heb schulden", "ik ben zo somber", "I have debts"],
    "search_offer": ["ik zoek een cursus Engels", "cursus koken in Helmond", "course in Python"],
    "out_of_scope": ["zet een wekker om zeven uur", "speel muziek af", "wat voor weer wordt het"],
}


@pytest.fixture
def guard(tmp_path) -> DomainGuard:
    context = ExecutionContext(GraphSchema({}), "test")
    component = DomainGuard.create({}, LocalModelStorage(tmp_path), Resource("guard"), context)
    examples = [
        Message(data={"text": text, "intent": intent}) for intent, texts in TRAINING.items() for text in texts
    ]
    component.train(TrainingData(training_examples=examples))
    return component


def _read_as(text: str, intent: str, confidence: float = 0.94) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "search_offer", "confidence": 0.03}]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("verwijder de herinnering van morgen", "delete_my_data"),  # no word about data or chat
        ("wis mijn whatsapp gesprek met Piet", "delete_my_data"),  # another app's chat
        ("delete all my alarms", "delete_my_data"),
        ("bel mijn moeder", "request_human"),  # no person of ours
        ("verbind me door met de klantenservice van KPN", "request_human"),
        ("Add Toyan to my Epic Gaming playlist.", "sensitive_topic"),  # far from every example
        ("bel oma even terug", "request_callback"),  # a call to someone else
        ("call the dentist back tomorrow", "request_callback"),
        ("bel mijn moeder", "request_callback"),
        ("bel de huisarts voor een afspraak", "request_callback"),
        # the verb last, as Dutch has it (second review, session 8)
        ("kun je mijn moeder bellen", "request_callback"),
        ("ik moet de huisarts nog terugbellen", "request_callback"),
        ("mama opbellen", "request_callback"),
        # a person of someone else's, each as a whole word
        ("I want to talk to my doctor", "request_human"),
        ("ik wil de tandarts spreken", "request_human"),
        ("connect me to my friend", "request_human"),
        ("can I speak to someone at the bank", "request_human"),
        ("ik wil iemand van de taxi spreken", "request_human"),
        ("herinner me eraan om morgen terug te schrijven", "request_callback"),  # no call at all
    ],
)
def test_costly_readings_without_support_become_out_of_scope(guard, text, intent):
    message = _read_as(text, intent)
    guard.process([message])
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 0.94}
    ranking = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
    assert ranking[intent] == 0.0  # the demoted reading cannot make it look ambiguous
    assert message.get("domain_guard")["demoted"] == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("verwijder mijn gegevens aub", "delete_my_data"),
        ("wis dit gesprek", "delete_my_data"),
        ("ik wil een mens spreken", "request_human"),
        ("can I talk to a person", "request_human"),
        ("ik heb veel schulden", "sensitive_topic"),
        ("ik denk aan zelfmoord", "sensitive_topic"),  # helpline keyword: never demoted
        ("ik zoek een cursus Engels in Eindhoven", "search_offer"),
        ("/request_human", "request_human"),  # a button payload carries its own intent
        ("kunnen jullie me morgen terugbellen", "request_callback"),
        ("bel me via whatsapp terug aub", "request_callback"),
        # what someone does or who sent them is not who is called (review, session 8)
        ("Kunt u mij dadelijk terugbellen?", "request_callback"),
        ("Mijn naam is Omar, bel me terug", "request_callback"),
        ("Mijn vriendin zei dat jullie helpen. Kunnen jullie me bellen?", "request_callback"),
        ("Ik ben doktersassistente, kunt u me na vijven terugbellen?", "request_callback"),
        ("ik werk bij de Rabobank, bel me na werktijd", "request_callback"),
        ("I'm a taxi driver, please call me back", "request_callback"),
        ("Neem contact met me op", "request_callback"),
        ("Can someone contact me?", "request_callback"),
        ("bereik me op 06 12345678", "request_callback"),
        ("Could a friendly advisor call me back?", "request_callback"),
        ("mijn moeder zei: bel me terug over een cursus", "request_callback"),
        ("kan ik dadelijk een adviseur spreken", "request_human"),
        ("ik ben zuster in het ziekenhuis en wil een adviseur spreken", "request_human"),
    ],
)
def test_supported_readings_stay(guard, text, intent):
    message = _read_as(text, intent)
    guard.process([message])
    assert message.get("intent")["name"] == intent
    assert message.get("domain_guard") is None


def test_nearer_to_out_of_scope_than_to_the_intent_is_demoted(guard):
    message = _read_as("zet de wekker om acht uur", "search_offer")
    guard.process([message])
    assert message.get("intent")["name"] == "out_of_scope"
    assert message.get("domain_guard")["reason"] == "nearer_to_out_of_scope"


def test_a_saved_guard_loads_and_judges_the_same(guard, tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = DomainGuard.load({}, LocalModelStorage(tmp_path), Resource("guard"), context)
    assert loaded.verdict("verwijder de herinnering", "delete_my_data") is not None
    assert loaded.verdict("verwijder mijn gegevens", "delete_my_data") is None


@pytest.mark.parametrize("intent", ["delete_my_data", "request_human", "request_callback"])
def test_every_training_example_has_evidence_and_names_nothing_else(intent):
    """The word lists must keep every real erase or person request (data/nlu) readable."""
    guard = DomainGuard({}, None, None)
    examples = [
        text
        for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml"))
        for text, label in load_examples(path)
        if label == intent
    ]
    assert len(examples) > 50
    blocked = [
        t for t in examples if not guard.has_evidence(t, intent) or guard.names_something_else(t, intent)
    ]
    assert not blocked, blocked


def test_the_fast_similarity_equals_sklearns_on_every_training_sentence():
    # The guard answers per message from FastTfidf; it must give sklearn's own similarities.
    import tempfile
    from pathlib import Path

    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.nlu.domain_guard import DomainGuard
    from leerwijzer.settings import PROJECT_ROOT

    data = load_data(str(PROJECT_ROOT / "data" / "nlu"))
    with tempfile.TemporaryDirectory() as folder:
        guard = DomainGuard.create({}, LocalModelStorage(Path(folder)), Resource("guard"), None)
        guard.train(data)
        assert guard._fast is not None
        texts = [e.get("text") for e in data.intent_examples[::25]] + ["zet een wekker om 7 uur", ""]
        for text in texts:
            expected = guard.similarities(text)
            for intent in ("delete_my_data", "request_human", "out_of_scope", "sensitive_topic"):
                assert abs(guard.similarity(text, intent) - expected.get(intent, 0.0)) < 1e-9, (text, intent)


def _story(text: str, themes: list[str]) -> Message:
    """A long story read as sensitive_topic, with the profile extractor's theme entities."""
    message = _read_as(text, "sensitive_topic", 0.7)
    message.set("entities", [{"entity": "theme", "value": theme} for theme in themes])
    return message


def test_a_learning_story_near_a_search_example_is_no_crisis(guard):
    message = _story("ik zoek een cursus Engels want mijn moeder woont in Engeland", ["english"])
    guard.process([message])
    assert message.get("intent")["name"] == "search_offer"
    assert message.get("domain_guard") == {"demoted": "sensitive_topic", "reason": "learning_story"}


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("ik zoek een cursus Engels want mijn moeder woont in Engeland", []),  # no learning wish read
        ("ik heb schulden en zoek een cursus Engels", ["english"]),  # a helpline keyword: stays
        ("ik ben zo somber, zelfs een cursus Engels helpt niet", ["english"]),  # nearest is ours
    ],
)
def test_a_story_without_a_theme_or_with_a_helpline_word_is_not_moved_to_our_intent(guard, text, themes):
    message = _story(text, themes)
    guard.process([message])
    assert message.get("intent")["name"] != "search_offer"
    assert (message.get("domain_guard") or {}).get("reason") != "learning_story"
