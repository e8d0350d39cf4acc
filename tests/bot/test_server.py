"""bot.server: the answer check matches Rasa's; API secrets, size limit and the try-again answer."""

from __future__ import annotations

import asyncio

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


# ---- secrets from the environment ---------------------------------------------------------

RUN = ["bot.server", "run", "--model", "m.tar.gz", "--enable-api", "--port", "5005"]


def rasa_reads(argv: list) -> object:
    """The arguments as `rasa run` itself parses them."""
    from rasa.__main__ import create_argument_parser

    return create_argument_parser().parse_args(argv[1:])


@pytest.mark.parametrize(
    "token, jwt_secret",
    [
        ("tok-123456789", "jwt-123456789"),
        # secrets.token_urlsafe starts with "-" one time in 64: argparse took such a value for
        # a flag and Rasa exited with "expected one argument" (seen in the e2e tests).
        ("-tok-123456789", "-jwt-123456789"),
    ],
)
def test_api_secrets_come_from_the_environment_into_argv(token, jwt_secret):
    argv = server.secure_argv(RUN, {"RASA_API_TOKEN": token, "RASA_JWT_SECRET": jwt_secret})
    assert argv[: len(RUN)] == RUN
    read = rasa_reads(argv)
    assert (read.auth_token, read.jwt_secret, read.jwt_method) == (token, jwt_secret, "HS256")


def test_one_secret_is_enough():
    argv = server.secure_argv(RUN, {"RASA_JWT_SECRET": "jwt-123456789"})
    read = rasa_reads(argv)
    assert read.jwt_secret == "jwt-123456789" and read.auth_token is None


def test_the_api_refuses_to_start_without_a_secret():
    with pytest.raises(SystemExit, match="RASA_API_TOKEN"):
        server.secure_argv(RUN, {"RASA_API_TOKEN": " ", "RASA_JWT_SECRET": ""})


@pytest.mark.parametrize("flag", ["--auth-token", "--jwt-secret"])
def test_a_secret_on_the_command_line_is_refused(flag):
    with pytest.raises(SystemExit, match="command line"):
        server.secure_argv([*RUN, flag, "visible-in-ps"], {"RASA_API_TOKEN": "tok-123456789"})
    with pytest.raises(SystemExit, match="command line"):
        server.secure_argv([*RUN, f"{flag}=visible-in-ps"], {"RASA_API_TOKEN": "tok-123456789"})


def test_other_commands_are_left_alone():
    test_core = ["bot.server", "test", "core", "--model", "m.tar.gz"]
    assert server.secure_argv(test_core, {}) == test_core
    no_api = ["bot.server", "run", "--model", "m.tar.gz"]
    assert server.secure_argv(no_api, {}) == no_api


# ---- request size ---------------------------------------------------------------------------


def test_rasa_app_gets_the_request_size_limit(monkeypatch):
    import rasa.core.run
    from sanic import Sanic

    monkeypatch.setattr(rasa.core.run, "configure_app", rasa.core.run.configure_app)
    monkeypatch.setattr(Sanic, "test_mode", True)  # the app name may exist from another test
    stock = rasa.core.run.configure_app(enable_api=False)
    assert stock.config.REQUEST_MAX_SIZE == 100_000_000  # Sanic's default: 100 MB per message

    server.install_request_size_limit(123_456)
    server.install_request_size_limit(123_456)  # twice is the same as once
    app = rasa.core.run.configure_app(enable_api=False)
    assert app.config.REQUEST_MAX_SIZE == 123_456
    assert rasa.core.run.configure_app._leerwijzer_original is not rasa.core.run.configure_app


# ---- the action server is down: never silence ----------------------------------------------


def _closed_port() -> int:
    from tests.conftest import free_port

    return free_port()  # nothing listens there: connection refused


def _turn(domain, language="nl"):
    """A processor, a tracker after a search request, and Rasa's call of the search action."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.core.policies.policy import PolicyPrediction
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    processor = object.__new__(MessageProcessor)  # _run_action needs only the domain
    processor.domain = domain
    tracker = DialogueStateTracker.from_events(
        "rest:down",
        [
            ActionExecuted("action_listen"),
            SlotSet("language", language),
            UserUttered("ik zoek een computercursus", {"name": "search_offer", "confidence": 1.0}),
        ],
        slots=domain.slots,
    )
    endpoint = EndpointConfig(url=f"http://127.0.0.1:{_closed_port()}/webhook")
    action = RemoteAction("action_search_offers", endpoint)
    prediction = PolicyPrediction.for_action_name(domain, "action_search_offers")
    return (
        processor,
        tracker,
        action,
        CollectingOutputChannel(),
        TemplatedNaturalLanguageGenerator(domain.responses),
        prediction,
    )


def _texts(domain, name, language):
    variants = domain.responses[name]
    if language == "en":
        return [v["text"] for v in variants if v.get("condition")]
    return [v["text"] for v in variants if not v.get("condition")]


async def test_stock_rasa_is_silent_when_the_action_server_is_down(domain, monkeypatch):
    from rasa.core.processor import MessageProcessor

    original = getattr(MessageProcessor._run_action, "_leerwijzer_original", MessageProcessor._run_action)
    monkeypatch.setattr(MessageProcessor, "_run_action", original)
    processor, tracker, action, channel, nlg, prediction = _turn(domain)
    await processor._run_action(action, tracker, channel, nlg, prediction)
    assert channel.messages == []  # what users got before the fix: nothing at all


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_the_user_is_asked_to_try_again_when_the_action_server_is_down(domain, monkeypatch, language):
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import BotUttered, FollowupAction

    monkeypatch.setattr(MessageProcessor, "_run_action", MessageProcessor._run_action)
    server.install_try_again_fallback()
    server.install_try_again_fallback()  # idempotent: one wrapper, one message
    processor, tracker, action, channel, nlg, prediction = _turn(domain, language)
    predict_more = await processor._run_action(action, tracker, channel, nlg, prediction)

    assert [m["text"] for m in channel.messages] == _texts(domain, "utter_try_again_later", language)
    assert predict_more  # Rasa asks for the next action, and gets the follow-up:
    assert tracker.followup_action == "action_listen"
    new = list(tracker.events)[-3:]
    assert new[0].action_name == "action_search_offers"
    assert isinstance(new[1], BotUttered) and new[1].metadata.get("utter_action") == "utter_try_again_later"
    assert isinstance(new[2], FollowupAction)


def test_the_try_again_response_is_in_the_domain_in_both_languages(domain):
    assert _texts(domain, "utter_try_again_later", "nl") == [server.TRY_AGAIN_FALLBACK["nl"]]
    assert len(_texts(domain, "utter_try_again_later", "en")) == 1


async def test_other_failures_are_left_to_rasa():
    from rasa.core.actions.action import ActionExecutionRejection

    class Failing:
        def __init__(self, error):
            self.error = error

        def name(self):
            return "action_x"

        async def run(self, *args):
            raise self.error

    with pytest.raises(ActionExecutionRejection):  # a 400: Rasa lets other policies try
        await server.TryAgainWhenUnreachable(Failing(ActionExecutionRejection("action_x"))).run(
            None, None, None, None
        )
    with pytest.raises(ValueError):  # a bug is a bug, not an outage
        await server.TryAgainWhenUnreachable(Failing(ValueError("x"))).run(None, None, None, None)


def test_action_server_failures_are_found_in_the_exception_chain():
    import aiohttp
    from rasa.shared.exceptions import RasaException

    def raised_inside(cause):
        try:
            try:
                raise cause
            except Exception:
                raise RasaException("Failed to execute custom action") from None
        except RasaException as error:
            return error

    assert server.action_server_failed(raised_inside(aiohttp.ClientConnectionError("refused")))
    assert server.action_server_failed(raised_inside(aiohttp.ServerDisconnectedError()))
    assert server.action_server_failed(raised_inside(asyncio.TimeoutError()))
    assert not server.action_server_failed(raised_inside(KeyError("slot")))
