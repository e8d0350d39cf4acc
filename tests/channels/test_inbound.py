"""The inbound door: typed text never becomes a command; payloads only when offered."""

from __future__ import annotations

import pytest
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

from channels.inbound import (
    EMPTY_PAYLOAD,
    InboundMessage,
    bot_text,
    clean_metadata,
    neutralize_command,
)

# Each of these, typed by a user, was read by Rasa as a command on today's main.
ATTACKS = [
    "/restart",
    "/ /restart",
    "/\t/inform{\"role\": \"x\"}",
    "/ /request_human",
    "  //restart",
    "\u200b/restart",
    "\ufeff /restart",
    "\uff0frestart",  # full-width solidus
    "\u2215restart",  # division slash
    "\u2044restart",  # fraction slash
    "/\u3000/restart",  # ideographic space between slashes
    "/\u200b/\u00a0/restart",
]


def rasa_reads_as_command(text: str) -> bool:
    """What Rasa 3.6 itself does with a message text (RegexMessageHandler)."""
    message = Message(data={"text": text})
    unpacked = YAMLStoryReader.unpack_regex_message(message)
    return unpacked is not message


@pytest.mark.parametrize("attack", ATTACKS)
def test_typed_text_is_never_a_command(attack: str) -> None:
    # The check is Rasa's own parser, so a look-alike it would accept is caught here.
    assert rasa_reads_as_command("/restart")
    text = bot_text(InboundMessage("rest", "rest:a", attack), offered=None)
    assert not rasa_reads_as_command(text)
    assert not rasa_reads_as_command(text.strip())
    assert "restart" in text or "inform" in text or "request_human" in text


def test_ordinary_text_with_slashes_is_kept() -> None:
    assert neutralize_command("ik wil 1/2 dag") == "ik wil 1/2 dag"
    assert neutralize_command("  hallo  ") == "hallo"


def test_a_payload_counts_only_when_it_was_offered() -> None:
    offered = [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]
    assert bot_text(InboundMessage("rest", "rest:a", "/affirm"), offered) == "/affirm"
    assert bot_text(InboundMessage("telegram", "telegram:1", "Ja", payload="/affirm"), offered) == "/affirm"
    # A forged button (Telegram callback_data) or a payload typed without an offer.
    forged = bot_text(InboundMessage("telegram", "telegram:1", "", payload="/restart"), offered)
    assert forged == EMPTY_PAYLOAD  # our own "I could not read that", never the forged command
    assert bot_text(InboundMessage("rest", "rest:a", "/affirm"), None) == "affirm"
    assert bot_text(InboundMessage("rest", "rest:a", "/restart"), offered) == "restart"


def test_trusted_payload_is_the_servers_own() -> None:
    message = InboundMessage("webchat", "web:a", "", trusted_payload='/greet{"language": "en"}')
    assert bot_text(message, None) == '/greet{"language": "en"}'


def test_empty_text_becomes_the_empty_message_intent() -> None:
    assert bot_text(InboundMessage("rest", "rest:a", " / "), None) == EMPTY_PAYLOAD


def test_client_metadata_is_bounded() -> None:
    assert clean_metadata({"a": 1}) == {"a": 1}
    assert clean_metadata({"a": "x" * 5000}) == {}
    assert clean_metadata(["not", "a", "dict"]) == {}
