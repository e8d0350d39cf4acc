"""One end-to-end test per channel through the REAL Rasa server, against the fake APIs.

Needs the `rasa_stack` fixture (tests/conftest.py) started with the channel env from
`channel_env` (see docs/channels.md, "End-to-end tests"). When the stack is not started
yet, the env is applied just for its start; when it already runs without the channels,
the tests skip and say why.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from typing import Any, Callable, Dict

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.fakes import TEST_TELEGRAM_WEBHOOK_SECRET, TEST_TWILIO_AUTH_TOKEN, FakeTelegram, FakeTwilio

pytestmark = pytest.mark.e2e

REPLY_TIMEOUT = 60.0


@pytest.fixture()
def stack(
    request: pytest.FixtureRequest,
    channel_env: Dict[str, str],
    fake_twilio: FakeTwilio,
    fake_telegram: FakeTelegram,
) -> Any:
    """The real stack, with our channels on (or skip with the reason)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in channel_env.items():
            patch.setenv(name, value)
        patch.delenv("LEERWIJZER_PUBLIC_URL", raising=False)  # sign over the stack's own URL
        try:
            running = request.getfixturevalue("rasa_stack")
        except pytest.FixtureLookupError:
            pytest.skip("rasa_stack fixture not available")
    extra = dict(os.environ, **getattr(running, "extra_env", {}) or {})
    if extra.get("TWILIO_API_BASE_URL", fake_twilio.base_url) != fake_twilio.base_url:
        pytest.skip("rasa_stack points TWILIO_API_BASE_URL at another fake")
    fake_twilio.reset()
    fake_telegram.reset()
    return running


def require_channel(stack: Any, name: str) -> None:
    """Skip unless the stack serves this channel's webhook."""
    reply = httpx.get(f"{stack.rasa_url}/webhooks/{name}/", timeout=10)
    if reply.status_code != 200:
        pytest.skip(f"{name} channel is off in rasa_stack: start it with the `channel_env` env")


def post_twilio(stack: Any, channel: str, form: Dict[str, str]) -> httpx.Response:
    """POST a signed Twilio webhook to the real Rasa server."""
    url = f"{stack.rasa_url}/webhooks/{channel}/webhook"
    signature = RequestValidator(TEST_TWILIO_AUTH_TOKEN).compute_signature(url, form)
    return httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def tracker(stack: Any, sender: str) -> Dict[str, Any]:
    """The conversation tracker from Rasa's HTTP API (ids go in the path as they are)."""
    reply = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.token},
        timeout=30,
    )
    reply.raise_for_status()
    return reply.json()


def push_bot_message(stack: Any, sender: str, text: str) -> httpx.Response:
    """What the advisor console does: a bot event sent through the latest input channel."""
    return httpx.post(
        f"{stack.rasa_url}/conversations/{sender}/tracker/events",
        params={"execute_side_effects": "true", "output_channel": "latest", "token": stack.token},
        json={"event": "bot", "text": text},
        timeout=30,
    )


def settled(count: Callable[[], int], quiet: float = 2.0, timeout: float = 30.0) -> int:
    """Wait until the bot's turn is over: no new outbound message for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    last, since = count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise AssertionError("the bot kept sending messages")


def test_whatsapp_end_to_end(stack: Any, fake_twilio: FakeTwilio) -> None:
    require_channel(stack, "whatsapp")
    sender = f"whatsapp:+316{random.randint(10_000_000, 99_999_999)}"
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": sender,
        "To": "whatsapp:+3197010000001",
        "Body": "Hallo",
        "NumMedia": "0",
        "AccountSid": "AC",
    }
    assert post_twilio(stack, "whatsapp", form).status_code == 200
    assert post_twilio(stack, "whatsapp", form).status_code == 200  # Twilio retry
    fake_twilio.wait_for(lambda _: fake_twilio.messages_to(sender), timeout=REPLY_TIMEOUT)
    before = settled(lambda: len(fake_twilio.messages_to(sender)))
    user_turns = [e for e in tracker(stack, sender)["events"] if e["event"] == "user"]
    assert len(user_turns) == 1
    assert user_turns[0]["input_channel"] == "whatsapp"

    assert push_bot_message(stack, sender, "Hallo, ik ben je adviseur.").status_code == 200
    fake_twilio.wait_for(lambda _: len(fake_twilio.messages_to(sender)) > before, timeout=30)
    assert fake_twilio.messages_to(sender)[-1]["Body"] == "Hallo, ik ben je adviseur."


def test_sms_end_to_end(stack: Any, fake_twilio: FakeTwilio) -> None:
    require_channel(stack, "sms")
    sender = f"+316{random.randint(10_000_000, 99_999_999)}"
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": sender,
        "To": "+3197010000002",
        "Body": "Hallo",
        "NumMedia": "0",
        "AccountSid": "AC",
    }
    assert post_twilio(stack, "sms", form).status_code == 200
    fake_twilio.wait_for(lambda _: fake_twilio.messages_to(sender), timeout=REPLY_TIMEOUT)
    before = settled(lambda: len(fake_twilio.messages_to(sender)))
    assert all(len(m["Body"]) <= 320 for m in fake_twilio.messages_to(sender))

    stop = dict(form, MessageSid="SM" + uuid.uuid4().hex, Body="STOP")
    assert post_twilio(stack, "sms", stop).status_code == 200
    fake_twilio.wait_for(lambda _: len(fake_twilio.messages_to(sender)) == before + 1, timeout=30)
    assert "START" in fake_twilio.messages_to(sender)[-1]["Body"]
    user_texts = [e.get("text") for e in tracker(stack, f"sms:{sender}")["events"] if e["event"] == "user"]
    assert "STOP" not in user_texts


def test_telegram_end_to_end(stack: Any, fake_telegram: FakeTelegram) -> None:
    require_channel(stack, "telegram")
    chat_id = random.randint(10_000_000, 99_999_999)
    update = {
        "update_id": random.randint(1, 2**31),
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "text": "Hallo",
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Anna", "language_code": "nl"},
        },
    }
    url = f"{stack.rasa_url}/webhooks/telegram/webhook"
    forged = httpx.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}, timeout=30)
    assert forged.status_code == 403
    reply = httpx.post(
        url,
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": TEST_TELEGRAM_WEBHOOK_SECRET},
        timeout=30,
    )
    assert reply.status_code == 200

    def sent_to_chat() -> list:
        return [c for c in fake_telegram.calls("sendMessage") if str(c.get("chat_id")) == str(chat_id)]

    fake_telegram.wait_for(lambda _: sent_to_chat(), timeout=REPLY_TIMEOUT)
    before = settled(lambda: len(sent_to_chat()))
    assert push_bot_message(stack, f"telegram:{chat_id}", "Hallo, ik ben je adviseur.").status_code == 200
    fake_telegram.wait_for(lambda _: len(sent_to_chat()) > before, timeout=30)
    assert sent_to_chat()[-1]["text"] == "Hallo, ik ben je adviseur."
