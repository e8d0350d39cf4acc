"""bot.dialogue_states gives exactly Rasa's states, replaying only what is new."""

from __future__ import annotations

import copy
import random
from typing import List

import pytest
from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import dialogue_states

ORIGINAL = dialogue_states._original_states_for_tracker_history


@pytest.fixture(autouse=True)
def incremental_states():
    dialogue_states.install()
    yield
    dialogue_states.uninstall()


def _with_hidden_rule_turns(events: List[Event], seed: int) -> List[Event]:
    """Mark some actions as rule-only turns, as RulePolicy predictions do in a live chat."""
    chance = random.Random(seed)
    marked = []
    for event in events:
        is_bot_action = isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME
        if is_bot_action and chance.random() < 0.4:
            event = copy.copy(event)
            event.hide_rule_turn = True
        marked.append(event)
    return marked


def _rewound(events: List[Event]) -> List[Event]:
    """The same conversation with a rewind and a restart in the middle."""
    third = len(events) // 3
    return (
        events[:third]
        + [UserUtteranceReverted()]
        + events[third : 2 * third]
        + [Restarted(), ActionExecuted(ACTION_LISTEN_NAME)]
        + events[2 * third :]
    )


OPTIONS = [
    {},
    {"omit_unset_slots": True},
    {
        "ignore_rule_only_turns": True,
        "rule_only_data": {"rule_only_slots": ["callback_consent"], "rule_only_loops": ["intake_form"]},
    },
]


def _check_every_prefix(domain: Domain, sender: str, events: List[Event]) -> None:
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in events:
        tracker.update(event)  # one growing tracker, as in a live chat
        for options in OPTIONS:
            expected = ORIGINAL(domain, tracker, **options)
            assert tracker.past_states(domain, **options) == expected, (sender, len(tracker.events), options)


def test_states_equal_rasas_on_every_prefix_of_every_story(domain, story_conversations):
    conversations = story_conversations
    assert len(conversations) >= 20
    for number, events in enumerate(conversations):
        _check_every_prefix(domain, f"story-{number}", events)


def test_states_equal_rasas_with_hidden_rule_turns_rewinds_and_restarts(domain, story_conversations):
    for number, events in enumerate(story_conversations):
        _check_every_prefix(domain, f"rewound-{number}", _rewound(_with_hidden_rule_turns(events, number)))


def test_a_tracker_read_afresh_is_replayed_from_the_start(domain, story_conversations):
    events = max(story_conversations, key=len)
    tracker = DialogueStateTracker.from_events("afresh", events, domain.slots)
    tracker.past_states(domain)
    # the same conversation decoded again from the database: equal events, new objects
    reread = DialogueStateTracker.from_events("afresh", [copy.deepcopy(e) for e in events], domain.slots)
    reread.update(ActionExecuted("utter_greet"))
    assert reread.past_states(domain) == ORIGINAL(domain, reread)


def test_other_events_under_the_same_sender_are_replayed_from_the_start(domain, story_conversations):
    """E.g. a conversation erased on request, then a longer new one from the same person."""
    by_length = sorted(story_conversations, key=len)
    short, long = by_length[len(by_length) // 2], by_length[-1]
    assert len(long) > len(short)
    DialogueStateTracker.from_events("same-sender", short, domain.slots).past_states(domain)
    other = DialogueStateTracker.from_events("same-sender", long, domain.slots)
    assert other.past_states(domain) == ORIGINAL(domain, other)


def test_only_new_events_are_replayed(domain, story_conversations, monkeypatch):
    events = max(story_conversations, key=len)
    tracker = DialogueStateTracker.from_events("counted", events, domain.slots)
    tracker.past_states(domain)
    computed = []
    real = Domain.get_active_state

    def counted(self, *args, **kwargs):
        computed.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Domain, "get_active_state", counted)
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    states = tracker.past_states(domain)
    assert len(computed) == 3  # two new turns and the final state, not the whole history
    assert len(states) > 10
    assert states == ORIGINAL(domain, tracker)


def test_callers_may_edit_what_they_get(domain, story_conversations):
    """The featurizer drops the last message's text in place; later calls are unaffected."""
    events = max(story_conversations, key=len)
    tracker = DialogueStateTracker.from_events("edited", events, domain.slots)
    featurizer = MaxHistoryTrackerFeaturizer(max_history=None)
    for state in featurizer.prediction_states([tracker], domain)[0]:
        for sub_state in state.values():
            sub_state.clear()
    assert tracker.past_states(domain) == ORIGINAL(domain, tracker)


def test_forms_that_undo_their_turns_fall_back_to_a_full_replay(domain):
    tracker = DialogueStateTracker("form", domain.slots)
    for event in [
        ActionExecuted(ACTION_SESSION_START_NAME),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("ik wil een intake", {"name": "start_intake", "confidence": 1.0}),
        ActionExecuted("intake_form"),
        ActiveLoop("intake_form"),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("werkzoekend", {"name": "inform", "confidence": 1.0}),
        ActionExecuted("intake_form"),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("Best", {"name": "inform_place", "confidence": 1.0}),
        ActionExecuted("intake_form"),
    ]:
        tracker.update(event)
        assert tracker.past_states(domain) == ORIGINAL(domain, tracker)
