"""bot.server's answer check accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain

from bot import dialogue_states, rule_lookup, server

ANSWERS = [
    {"events": [{"event": "slot", "name": "municipality", "value": "Best"}], "responses": [{"text": "hoi"}]},
    {"events": [], "responses": []},
    {"events": [{"event": "followup", "name": "action_listen"}]},
    {"events": "not a list"},
    {"events": [{"name": "no event type"}]},
    {"events": [{"event": "slot", "name": 3}]},
    {"responses": ["not an object"]},
]


def _outcome(check, answer):
    try:
        return check(RemoteAction("action_x", None), answer)
    except ValidationError as error:
        return ("rejected", error.message)


@pytest.mark.parametrize("answer", ANSWERS)
def test_same_verdict_and_message_as_rasa(answer, monkeypatch):
    original = RemoteAction._validate_action_result
    expected = _outcome(original, answer)
    monkeypatch.setattr(RemoteAction, "_validate_action_result", original)
    monkeypatch.setattr(Domain, "states_for_tracker_history", Domain.states_for_tracker_history)
    monkeypatch.setattr(RulePolicy, "_get_possible_keys", RulePolicy._get_possible_keys)
    server.apply_speed_fixes()
    assert RemoteAction._validate_action_result is server.validate_action_answer
    assert Domain.states_for_tracker_history is dialogue_states.states_for_tracker_history
    assert RulePolicy._get_possible_keys is rule_lookup.get_possible_keys
    assert _outcome(RemoteAction._validate_action_result, answer) == expected


def test_some_answers_are_rejected():
    verdicts = [_outcome(server.validate_action_answer, answer) for answer in ANSWERS]
    assert verdicts[:3] == [True, True, True]
    assert all(verdict != True for verdict in verdicts[3:])  # noqa: E712 - a tuple is not True
