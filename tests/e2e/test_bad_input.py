"""Bad input through the real REST channel: a clear, friendly answer, and no crash."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.chat import conversation_of, rest_headers

pytestmark = pytest.mark.e2e


def post(stack, payload, **kwargs) -> httpx.Response:
    """POST raw JSON (or content) to the REST channel, with its token."""
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    return httpx.post(url, json=payload, headers=rest_headers(stack), timeout=60, **kwargs)


def new_sender() -> str:
    """A fresh conversation id."""
    return f"bad-{uuid.uuid4().hex}"


def test_empty_message_gets_asked_what_they_want(rasa_stack):
    replies = post(rasa_stack, {"sender": new_sender(), "message": "   "}).json()
    assert [r["text"] for r in replies] == ["Ik zie geen tekst. Wat wil je vragen?"]


@pytest.mark.parametrize(
    "text",
    ["🙂🙂🙂", "x" * 50_000, "\x00\x01\x02 binary \xff", "Привет, как дела?", "こんにちは"],
    ids=["emoji", "huge", "binary", "russian", "japanese"],
)
def test_odd_text_still_gets_an_answer(rasa_stack, text):
    response = post(rasa_stack, {"sender": new_sender(), "message": text})
    assert response.status_code == 200
    replies = response.json()
    assert replies and all(r.get("text") for r in replies)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"message": "hoi"}', b'{"sender": 12, "message": "hoi"}'],
    ids=["broken-json", "array", "no-sender", "sender-not-text"],
)
def test_malformed_requests_get_400(rasa_stack, body):
    response = httpx.post(
        f"{rasa_stack.rasa_url}/webhooks/rest/webhook",
        content=body,
        headers={"Content-Type": "application/json", **rest_headers(rasa_stack)},
        timeout=30,
    )
    assert response.status_code == 400
    assert "sender" in response.json()["error"]


def test_duplicate_delivery_is_answered_once(rasa_stack):
    sender, message_id = new_sender(), uuid.uuid4().hex
    first = post(rasa_stack, {"sender": sender, "message": "hoi", "message_id": message_id})
    second = post(rasa_stack, {"sender": sender, "message": "hoi", "message_id": message_id})
    assert first.json(), "the first delivery is answered"
    assert second.json() == [] and second.headers.get("X-Leerwijzer-Duplicate") == "1"
    tracker = httpx.get(
        f"{rasa_stack.rasa_url}/conversations/{conversation_of(sender)}/tracker",
        params={"token": rasa_stack.token},
        timeout=30,
    ).json()
    assert sum(1 for e in tracker["events"] if e["event"] == "user") == 1
