"""RulePolicy's rule lookup, stopping where no remaining rule reaches back any further.

Before every prediction Rasa's RulePolicy filters its ~200 learned rules against the
conversation's states, newest first (`RulePolicy._get_possible_keys`). A rule only says
something about as many turns as it is long (ours: at most 5); for any older turn
`_is_rule_applicable` answers True. Rasa still walks every turn of the conversation with every
remaining rule, so the cost grew with the length of the chat (in the chat benchmark the largest
single item of a prediction). We stop as soon as the current turn lies beyond the longest
remaining rule: from there on the set can no longer change, so the result is the same set.
tests/bot/test_rule_lookup.py compares predictions with Rasa's on every prefix of every story.
"""

from __future__ import annotations

import functools
from typing import Dict, List, Set

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import State

_original_get_possible_keys = RulePolicy._get_possible_keys


@functools.lru_cache(maxsize=20_000)
def _rule_length(rule_key: str) -> int:
    return len(RulePolicy._rule_key_to_state(rule_key))


def get_possible_keys(self: RulePolicy, lookup: Dict[str, str], states: List[State]) -> Set[str]:
    """Drop-in for `RulePolicy._get_possible_keys` that stops after the longest remaining rule."""
    possible_keys = set(lookup.keys())
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
