"""bot.rule_lookup's shortened rule lookup predicts exactly what Rasa's RulePolicy predicts."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from bot import rule_lookup

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rule_policy(tmp_path_factory):
    """A RulePolicy trained on the bot's own rules and stories (about 10 s)."""
    logging.disable(logging.WARNING)
    try:
        importer = TrainingDataImporter.load_from_dict(
            domain_path=str(ROOT / "bot" / "domain"), training_data_paths=[str(ROOT / "data")]
        )
        domain = importer.get_domain()
        trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate()
        storage = LocalModelStorage(tmp_path_factory.mktemp("rules"))
        context = ExecutionContext(GraphSchema({}), "rule-lookup-test")
        policy = RulePolicy.create(RulePolicy.get_default_config(), storage, Resource("rules"), context)
        policy.train(trackers, domain)
    finally:
        logging.disable(logging.NOTSET)
    return policy, domain


@pytest.fixture(autouse=True)
def back_to_rasa():
    yield
    rule_lookup.uninstall()


def _predictions(policy, domain, conversation):
    tracker = DialogueStateTracker("rules", domain.slots)
    predictions = []
    for event in conversation:
        tracker.update(event)
        prediction = policy.predict_action_probabilities(tracker, domain)
        predictions.append((prediction.probabilities, prediction.policy_name, prediction.action_metadata))
    return predictions


def test_same_prediction_as_rasa_on_every_prefix_of_every_story(rule_policy, story_conversations):
    policy, domain = rule_policy
    assert max(rule_lookup._rule_length(key) for key in policy.lookup["rules"]) < 10
    checked = 0
    for conversation in story_conversations:
        expected = _predictions(policy, domain, conversation)
        rule_lookup.install()
        assert _predictions(policy, domain, conversation) == expected
        rule_lookup.uninstall()
        checked += len(conversation)
    assert checked > 500


def test_same_keys_as_rasa_for_long_conversations(rule_policy, story_conversations):
    """Many turns after the rules' length: the shortened lookup must still agree."""
    policy, domain = rule_policy
    # one session: the stories after the first without their session start
    first, *others = story_conversations[:12]
    long_conversation = first + [event for conversation in others for event in conversation[2:]]
    tracker = DialogueStateTracker("long", domain.slots)
    for event in long_conversation:
        tracker.update(event)
    states = policy._prediction_states(tracker, domain)
    assert len(states) > 50
    for lookup in (policy.lookup["rules"], policy.lookup["rules_for_loop_unhappy_path"]):
        for end in range(1, len(states) + 1):
            expected = rule_lookup._original_get_possible_keys(policy, lookup, states[:end])
            assert rule_lookup.get_possible_keys(policy, lookup, states[:end]) == expected


def test_rules_without_a_previous_action_are_kept_for_the_newest_turn():
    """Our rules all name one; a conversation-start rule may not: it must still be checked."""
    start = [{"user": {"intent": "greet"}}]
    after_listen = [{}, {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]
    after_form = [{"prev_action": {"action_name": "intake_form"}, "active_loop": {"name": "intake_form"}}]
    lookup = {json.dumps(rule): "utter_x" for rule in (start, after_listen, after_form)}
    policy = RulePolicy.__new__(RulePolicy)
    conversations = [
        [],
        [{"user": {"intent": "greet"}}],
        [{}, {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}],
        [{"prev_action": {"action_name": "intake_form"}, "active_loop": {"name": "intake_form"}}],
        [{"prev_action": {"action_name": "utter_greet"}}],
    ]
    kept = []
    for states in conversations:
        expected = rule_lookup._original_get_possible_keys(policy, lookup, states)
        assert rule_lookup.get_possible_keys(policy, lookup, states) == expected
        kept.append(len(expected))
    assert kept == [3, 1, 1, 1, 0]
