"""Rasa's own command line, with three speed fixes for Rasa 3.6 applied first.

`python -m bot.server run ...` takes exactly the arguments of `rasa run ...`; the launcher
uses it for the Rasa server, and `make test-stories` for `rasa test core`.

Dialogue states: the policies' states are extended with each new event instead of being
rebuilt from the whole conversation before every prediction (bot/dialogue_states.py).

Rule lookup: the RulePolicy stops matching its rules at the oldest turn any remaining rule
can reach, instead of walking the whole conversation with each rule (bot/rule_lookup.py).

Action answers: after every custom-action call Rasa checks the action server's answer with
`jsonschema.validate(answer, schema)`, and that function validates the *schema itself*
against the JSON-Schema meta-schema on every call. In the chat benchmark this was ~17 % of
the Rasa server's time per message. We build the validator once and check each answer with
it: the same schema, the same errors (`best_match`, as `jsonschema.validate` raises), the same
message Rasa adds. Nothing else changes.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any, Dict

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

from bot import dialogue_states, rule_lookup


@cache
def _answer_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does on every call
    return validator_class(schema)


def validate_action_answer(self: Any, result: Dict[str, Any]) -> bool:
    """Replacement for `RemoteAction._validate_action_result` with a reused validator."""
    error = best_match(_answer_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply_speed_fixes() -> None:
    """Patch Rasa in this process (idempotent)."""
    RemoteAction._validate_action_result = validate_action_answer
    dialogue_states.install()
    rule_lookup.install()


def main() -> None:
    """Run Rasa's command line with the fixes applied."""
    apply_speed_fixes()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
