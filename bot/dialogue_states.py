"""Dialogue states per conversation, extended with the new events instead of rebuilt.

Before every prediction, Rasa's MemoizationPolicy and RulePolicy turn the conversation into
a list of states (`Domain.states_for_tracker_history`): they replay every event of the
session from the start, two or three times per message, so each message costs more the
longer the chat is. In the chat benchmark this was a fifth of the Rasa server's time.

While events are only appended, the states of earlier turns do not change. So we keep, per
conversation, the replayed tracker and the states so far, and replay only the new events.
When the applied events are not an exact continuation of what we replayed — the same event
objects in the same order; not so after a rewind, a restart, a form that undoes its earlier
turns, or a tracker read afresh from the database — we replay from the start, as Rasa does.
The loop body below is Rasa 3.6's own, step for step; tests/bot/test_dialogue_states.py
compares the result with Rasa's function on every prefix of real conversations.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, Hashable, List, Tuple, cast

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

# Conversations kept (each entry: a replayed tracker and its states); the least recently
# used is dropped first and simply replayed from the start when it comes back.
MAX_CONVERSATIONS = 3000

_original_states_for_tracker_history = Domain.states_for_tracker_history


@dataclass
class _Replay:
    """A conversation replayed up to `events`, with the states of the turns so far."""

    domain: Domain
    tracker: DialogueStateTracker
    events: List[Event] = field(default_factory=list)
    states: List[State] = field(default_factory=list)
    last_ml_action_sub_state: SubState | None = None
    turn_was_hidden: bool = False


class _Replays:
    """Thread-safe LRU of replays; a replay is taken out while it is being extended."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, _Replay] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> _Replay | None:
        with self._lock:
            return self._entries.pop(key, None)

    def put(self, key: Hashable, replay: _Replay) -> None:
        with self._lock:
            self._entries[key] = replay
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


replays = _Replays(MAX_CONVERSATIONS)


# The policies ask for the states of the same tracker two or three times per prediction; its
# applied events (a pass over the whole conversation) are worked out once: (tracker, number
# of events, last event, applied events).
_last_applied: Tuple[Any, int, Any, List[Event]] | None = None


def _applied_events(tracker: DialogueStateTracker) -> List[Event]:
    global _last_applied
    events = tracker.events
    last = events[-1] if events else None
    known = _last_applied
    if known is not None and known[0] is tracker and known[1] == len(events) and known[2] is last:
        return known[3]
    applied = tracker.applied_events()
    _last_applied = (tracker, len(events), last, applied)
    return applied


def _is_continuation(replay: _Replay, domain: Domain, applied: List[Event]) -> bool:
    done = replay.events
    if replay.domain is not domain or len(done) > len(applied):
        return False
    return all(old is new for old, new in zip(done, applied, strict=False))


def _state(
    domain: Domain,
    tracker: DialogueStateTracker,
    hide_rule_turn: bool,
    replay: _Replay,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: Dict[str, Any] | None,
) -> Tuple[State | None, SubState | None, bool]:
    """One iteration of Rasa's loop: the state before the next action (or None if hidden)."""
    last_ml_action_sub_state = replay.last_ml_action_sub_state
    turn_was_hidden = replay.turn_was_hidden
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            turn_was_hidden = hide_rule_turn
        if turn_was_hidden:
            return None, last_ml_action_sub_state, turn_was_hidden

    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if replay.states:
            domain._substitute_rule_only_user_input(state, replay.states[-1])
        if last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = cast(SubState, last_ml_action_sub_state)
    return domain._clean_state(state), last_ml_action_sub_state, turn_was_hidden


def _copies(states: List[State]) -> List[State]:
    """Fresh copies for the caller, who edits them (e.g. drops the last message's text).

    Rasa's loop lets a state share its user part with the state before it, and callers rely
    on that (an edit of the last state shows in the one it shares with); copies keep it.
    """
    copied: Dict[int, SubState] = {}

    def copy_of(sub_state: SubState) -> SubState:
        if id(sub_state) not in copied:
            copied[id(sub_state)] = cast(SubState, dict(sub_state))
        return copied[id(sub_state)]

    return [cast(State, {name: copy_of(sub) for name, sub in state.items()}) for state in states]


def states_for_tracker_history(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Dict[str, Any] | None = None,
) -> List[State]:
    """Drop-in for `Domain.states_for_tracker_history` that replays only new events."""
    key = (
        tracker.sender_id,
        tracker.is_rule_tracker,
        tracker._max_event_history,
        omit_unset_slots,
        ignore_rule_only_turns,
        repr(sorted((rule_only_data or {}).items())),
    )
    options = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    applied = _applied_events(tracker)
    replay = replays.take(key)
    if replay is None or not _is_continuation(replay, self, applied):
        replay = _Replay(domain=self, tracker=tracker.init_copy())

    for event in applied[len(replay.events) :]:
        if isinstance(event, ActionExecuted):
            state, replay.last_ml_action_sub_state, replay.turn_was_hidden = _state(
                self, replay.tracker, event.hide_rule_turn, replay, *options
            )
            if state is not None:
                replay.states.append(state)
        replay.tracker.update(event)
    replay.events = applied

    # Rasa's loop ends with the state of the whole tracker; it belongs to this call only.
    final, _, _ = _state(self, replay.tracker, False, replay, *options)
    states = _copies(replay.states + ([final] if final is not None else []))
    replays.put(key, replay)
    return states


def install() -> None:
    """Use the incremental version in this process (idempotent)."""
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]


def uninstall() -> None:
    """Back to Rasa's own function (for tests)."""
    global _last_applied
    Domain.states_for_tracker_history = _original_states_for_tracker_history  # type: ignore[method-assign]
    replays.clear()
    _last_applied = None
