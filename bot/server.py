"""Rasa's own command line, with speed and safety fixes for Rasa 3.6 applied first.

`python -m bot.server run ...` takes exactly the arguments of `rasa run ...`; the launcher
uses it for the Rasa server, and `make test-stories` for `rasa test core`.

Speed fixes (`apply_speed_fixes`):

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

Safety fixes (`apply_safety_fixes`, `secure_argv`):

API secrets: `rasa run --enable-api` takes its token and JWT secret only as arguments, and
arguments are visible to every user of the machine (`ps`, /proc/<pid>/cmdline). We read
RASA_API_TOKEN and RASA_JWT_SECRET from the environment and add them to `sys.argv` inside
this process, which /proc never shows; without either, the API refuses to start.

Request size: Sanic's default limit is 100 MB, so one chat message could be 100 MB. Rasa's
app gets REQUEST_MAX_SIZE = LEERWIJZER_MAX_REQUEST_BYTES: Sanic compares Content-Length with
it and answers 413 before it reads the body.

Action server down: when Rasa cannot reach the action server (refused, cut off, timed out or
an error status), `MessageProcessor._run_action` logs the error, drops the action's events and
goes on predicting, which usually means the user gets no answer at all. We wrap the action so
that such a failure becomes the response `utter_try_again_later` ("try again in a minute")
followed by listening, so the user always hears something.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
from functools import cache
from typing import Any, Dict, List, Mapping

import aiohttp
import rasa.core.run
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import (
    DOCS_BASE_URL,
    ActionExecutionRejection,
    RemoteAction,
    create_bot_utterance,
)
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import Event, FollowupAction

from bot import dialogue_states, rule_lookup

logger = logging.getLogger(__name__)

TRY_AGAIN_RESPONSE = "utter_try_again_later"
# Used only when the model was trained before bot/domain/reliability.yml existed.
TRY_AGAIN_FALLBACK = {
    "nl": "Er gaat even iets mis bij mij. Probeer het over een minuut nog eens.",
    "en": "Something is going wrong on my side. Please try again in a minute.",
}


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


# ---- safety: secrets from the environment ----------------------------------------------


def secure_argv(argv: List[str], env: Mapping[str, str]) -> List[str]:
    """`rasa run --enable-api ...` arguments with the API secrets taken from `env`.

    Raises:
        SystemExit: the HTTP API is asked for without RASA_API_TOKEN or RASA_JWT_SECRET, or a
            secret was given on the command line, where `ps` shows it.
    """
    is_server = len(argv) > 1 and argv[1] == "run" and not (len(argv) > 2 and argv[2] == "actions")
    if not is_server:
        return list(argv)
    for flag in ("--auth-token", "--jwt-secret", "--jwt-private-key"):
        if any(arg == flag or arg.startswith(f"{flag}=") for arg in argv):
            raise SystemExit(
                f"Refusing to start: {flag} on the command line is visible to every user of this "
                "machine. Set RASA_API_TOKEN / RASA_JWT_SECRET in the environment instead."
            )
    if "--enable-api" not in argv:
        return list(argv)
    token = (env.get("RASA_API_TOKEN") or "").strip()
    jwt_secret = (env.get("RASA_JWT_SECRET") or "").strip()
    if not token and not jwt_secret:
        raise SystemExit(
            "Refusing to start Rasa's HTTP API without authentication: set RASA_API_TOKEN "
            "or RASA_JWT_SECRET (the launcher, `make run`, makes both)."
        )
    # "--flag=value", not "--flag value": a random secret may start with "-", and argparse
    # would take it for another flag ("expected one argument").
    extra: List[str] = []
    if token:
        extra.append(f"--auth-token={token}")
    if jwt_secret:
        extra += [f"--jwt-secret={jwt_secret}", "--jwt-method=HS256"]
    return list(argv) + extra



# ---- safety: request size ----------------------------------------------------------------


def install_request_size_limit(limit: int | None = None) -> None:
    """Make the Sanic app Rasa builds refuse bodies over `limit` bytes (default: settings) with 413.

    `rasa.core.run.serve_application` builds its app through the module-level `configure_app`,
    so wrapping that name reaches the app before it serves (idempotent).
    """
    if limit is None:
        from leerwijzer.settings import get_settings

        limit = get_settings().max_request_bytes
    original = getattr(rasa.core.run.configure_app, "_leerwijzer_original", rasa.core.run.configure_app)

    @functools.wraps(original)
    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        # Sanic's HTTP protocol reads this per connection and checks Content-Length (and each
        # chunk of a chunked body) against it before the handler reads anything.
        app.config.REQUEST_MAX_SIZE = limit
        return app

    configure_app._leerwijzer_original = original  # type: ignore[attr-defined]
    rasa.core.run.configure_app = configure_app


# ---- safety: never silence when the action server is down ------------------------------


def action_server_failed(error: BaseException) -> bool:
    """True when `error` comes from talking to the action server (in its cause/context chain).

    RemoteAction.run turns aiohttp errors into a RasaException raised inside its `except`
    block, so the original error is the exception's __cause__ or __context__.
    """
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


async def try_again_events(output_channel: Any, nlg: Any, tracker: Any) -> List[Event]:
    """The "try again in a minute" message in the user's language, then listen."""
    draft = await nlg.generate(TRY_AGAIN_RESPONSE, tracker, output_channel.name())
    if not draft:
        language = tracker.get_slot("language")
        draft = {"text": TRY_AGAIN_FALLBACK.get(language, TRY_AGAIN_FALLBACK["nl"])}
    draft["utter_action"] = TRY_AGAIN_RESPONSE
    # Listening next: no further action may run on a half-done turn (and repeat the apology).
    return [create_bot_utterance(draft), FollowupAction(ACTION_LISTEN_NAME)]


class TryAgainWhenUnreachable:
    """Wraps an action so an unreachable action server yields the try-again answer.

    Everything else (name, events for the tracker, other errors) is the wrapped action's.
    """

    def __init__(self, action: Any) -> None:
        self._action = action

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        """Run the wrapped action; answer "try again in a minute" if the action server failed."""
        try:
            return await self._action.run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # a 400 from the action server: Rasa lets other policies take over, as before
        except Exception as error:
            if not action_server_failed(error):
                raise
            logger.error(
                "The action server did not answer for '%s' (%s); the user is asked to try again later.",
                self._action.name(),
                error,
            )
            return await try_again_events(output_channel, nlg, tracker)


def install_try_again_fallback() -> None:
    """Route every action MessageProcessor runs through TryAgainWhenUnreachable (idempotent)."""
    original = getattr(MessageProcessor._run_action, "_leerwijzer_original", MessageProcessor._run_action)

    @functools.wraps(original)
    async def run_action(
        self: MessageProcessor, action: Any, tracker: Any, output_channel: Any, nlg: Any, prediction: Any
    ) -> bool:
        return await original(self, TryAgainWhenUnreachable(action), tracker, output_channel, nlg, prediction)

    run_action._leerwijzer_original = original  # type: ignore[attr-defined]
    MessageProcessor._run_action = run_action  # type: ignore[method-assign]


def apply_safety_fixes() -> None:
    """Size limit and the try-again answer, in this process (idempotent)."""
    install_request_size_limit()
    install_try_again_fallback()


def main() -> None:
    """Run Rasa's command line with the fixes applied and the secrets from the environment."""
    from leerwijzer.redact import install_log_redaction

    install_log_redaction()
    sys.argv = secure_argv(sys.argv, os.environ)
    apply_speed_fixes()
    apply_safety_fixes()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
