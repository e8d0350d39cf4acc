"""RulePolicy's rule lookup, stopping where no remaining rule reaches back any further.

Before every prediction Rasa's RulePolicy filters its ~200 learned rules against the
conversation's states, newest first (`RulePolicy._get_possible_keys`). A rule only says
something about as many turns as it is long (ours: at most 5); for any older turn
`_is_rule_applicable` answers True. Rasa still walks every turn of the conversation with every
remaining rule, so the cost grew with the length of the chat (in the chat benchmark the largest
single item of a prediction). We stop as soon as the current turn lies beyond the longest
remaining rule: from there on the set can no longer change, so the result is the same set.
And for the newest turn we only check the rules that can match its previous action: a rule
whose last state names another previous action fails Rasa's check there anyway.
tests/bot/test_rule_lookup.py compares predictions with Rasa's on every prefix of every story.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Set

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.domain import State
from rasa.shared.nlu.constants import ACTION_NAME

_original_get_possible_keys = RulePolicy._get_possible_keys


@functools.lru_cache(maxsize=20_000)
def _rule_length(rule_key: str) -> int:
    return len(RulePolicy._rule_key_to_state(rule_key))


@dataclass(frozen=True)
class _LastTurnIndex:
    """A lookup's rules by the previous action their last state requires."""

    lookup: Dict[str, str]
    by_previous_action: Dict[str, FrozenSet[str]]
    any_previous_action: FrozenSet[str]  # rules whose last state names no previous action


_indexes: Dict[int, _LastTurnIndex] = {}


def _last_turn_index(lookup: Dict[str, str]) -> _LastTurnIndex:
    index = _indexes.get(id(lookup))
    if index is not None and index.lookup is lookup:
        return index
    by_action: Dict[str, Set[str]] = {}
    anything: Set[str] = set()
    for key in lookup:
        rule_states = RulePolicy._rule_key_to_state(key)
        action = (rule_states[-1].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME) if rule_states else None
        if action and action != SHOULD_NOT_BE_SET:
            by_action.setdefault(action, set()).add(key)
        else:
            anything.add(key)
    index = _LastTurnIndex(lookup, {a: frozenset(k) for a, k in by_action.items()}, frozenset(anything))
    _indexes[id(lookup)] = index  # one entry per lookup dict of the loaded policy
    return index


def get_possible_keys(self: RulePolicy, lookup: Dict[str, str], states: List[State]) -> Set[str]:
    """Drop-in for `RulePolicy._get_possible_keys` that checks only rules that can still match."""
    possible_keys = set(lookup.keys())
    if states:
        index = _last_turn_index(lookup)
        newest_action = (states[-1].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        matching = index.by_previous_action.get(newest_action, frozenset())
        possible_keys = set(index.any_previous_action | matching)
    longest = max(map(_rule_length, possible_keys), default=0)
    for turn_index, state in enumerate(reversed(states)):
        if turn_index >= longest:
            break  # every remaining rule is applicable at this turn and at all older ones
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
        longest = max(map(_rule_length, possible_keys), default=0)
    return possible_keys


def install() -> None:
    """Use the shortened lookup in this process (idempotent)."""
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[method-assign]


def uninstall() -> None:
    """Back to Rasa's own lookup (for tests)."""
    RulePolicy._get_possible_keys = _original_get_possible_keys  # type: ignore[method-assign]
