"""Channel test harness: fake provider APIs, a temp database, and a real Sanic server.

The connectors' blueprints are mounted at /webhooks/<name> in a real Sanic app on a free
loopback port, with an `on_new_message` that records each UserMessage and answers through
the message's output channel the way Rasa does (`send_response`), so routing, dedupe and
outbound delivery are exercised without a trained model.
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from typing import Any, AsyncIterator, Dict, Iterator, List

import httpx
import pytest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic
from twilio.request_validator import RequestValidator

from channels import delivery, inbound
from channels.delivery import RetryPolicy
from channels.sms import SmsInput
from channels.store import ChannelStore, dispose_engines
from channels.telegram import TelegramInput
from channels.whatsapp import WhatsAppInput
from tests.fakes import (
    TEST_TELEGRAM_BOT_TOKEN,
    TEST_TELEGRAM_WEBHOOK_SECRET,
    TEST_TWILIO_ACCOUNT_SID,
    TEST_TWILIO_AUTH_TOKEN,
    TEST_TWILIO_SMS_FROM,
    TEST_TWILIO_WHATSAPP_FROM,
    FakeTelegram,
    FakeTwilio,
    channel_test_env,
    shared_fake_telegram,
    shared_fake_twilio,
)

PUBLIC_URL = "https://leerwijzer.example.nl"
USER_WA = "whatsapp:+31612345678"
USER_SMS = "+31612345679"
USER_TG = 424242
# Conversation ids as the channels make them (channels/identity.py).
CONV_SMS = "sms:" + USER_SMS
CONV_TG = f"telegram:{USER_TG}"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def fake_twilio() -> FakeTwilio:
    """Session-wide fake Twilio REST API on 127.0.0.1 (also for the e2e stack)."""
    return shared_fake_twilio()


@pytest.fixture(scope="session")
def fake_telegram() -> FakeTelegram:
    """Session-wide fake Telegram Bot API on 127.0.0.1 (also for the e2e stack)."""
    return shared_fake_telegram()


@pytest.fixture(scope="session")
def channel_env(fake_twilio: FakeTwilio, fake_telegram: FakeTelegram) -> Dict[str, str]:
    """Env that turns WhatsApp, SMS and Telegram on against the fakes."""
    return channel_test_env(fake_twilio.base_url, fake_telegram.base_url)


@pytest.fixture()
def twilio_api(fake_twilio: FakeTwilio) -> Iterator[FakeTwilio]:
    """The fake Twilio API, emptied for this test."""
    fake_twilio.reset()
    yield fake_twilio
    fake_twilio.reset()


@pytest.fixture()
def telegram_api(fake_telegram: FakeTelegram) -> Iterator[FakeTelegram]:
    """The fake Telegram API, emptied for this test."""
    fake_telegram.reset()
    yield fake_telegram
    fake_telegram.reset()


@pytest.fixture()
def database_url(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite file per test, exported as LEERWIJZER_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'channels.db'}"
    monkeypatch.setenv("LEERWIJZER_DATABASE_URL", url)
    yield url
    dispose_engines()


@pytest.fixture()
def env(database_url: str, channel_env: Dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Dict[str, str]:
    """Process env for one test: channel credentials, fakes, public URL, temp database."""
    for name in ("TWILIO_WHATSAPP_TEMPLATE_SID", "LEERWIJZER_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    values = dict(channel_env, LEERWIJZER_PUBLIC_URL=PUBLIC_URL)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return dict(values, LEERWIJZER_DATABASE_URL=database_url)


@pytest.fixture(autouse=True)
def isolated_door_and_fast_retries(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[inbound.Door]:
    """Each test gets the real database gate on its own SQLite file, and millisecond backoff."""
    from helpdesk.database import dispose_engines as dispose_helpdesk_engines
    from helpdesk.gate import DatabaseGate

    door = inbound.Door(DatabaseGate(database_url), ChannelStore(database_url), rate_limit_per_minute=20)
    inbound.set_door(door)
    monkeypatch.setattr(
        delivery, "DEFAULT_RETRY", RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)
    )
    yield door
    inbound.set_door(None)
    dispose_helpdesk_engines()


def whatsapp_credentials(**extra: str) -> Dict[str, str]:
    """Credentials entry for the WhatsApp channel (values, as Rasa passes them)."""
    return {
        "account_sid": TEST_TWILIO_ACCOUNT_SID,
        "auth_token": TEST_TWILIO_AUTH_TOKEN,
        "from_number": TEST_TWILIO_WHATSAPP_FROM,
        **extra,
    }


def sms_credentials(**extra: str) -> Dict[str, str]:
    """Credentials entry for the SMS channel."""
    return {
        "account_sid": TEST_TWILIO_ACCOUNT_SID,
        "auth_token": TEST_TWILIO_AUTH_TOKEN,
        "from_number": TEST_TWILIO_SMS_FROM,
        **extra,
    }


def telegram_credentials(**extra: str) -> Dict[str, str]:
    """Credentials entry for the Telegram channel."""
    return {
        "token": TEST_TELEGRAM_BOT_TOKEN,
        "webhook_secret": TEST_TELEGRAM_WEBHOOK_SECRET,
        **extra,
    }


class EchoBot:
    """Stands in for Rasa's agent: records UserMessages and answers through the output."""

    def __init__(self) -> None:
        """Start with no messages."""
        self.messages: List[UserMessage] = []
        self.replies: Dict[str, Dict[str, Any]] = {}

    def reply_with(self, text: str, response: Dict[str, Any]) -> None:
        """Answer `text` with this Rasa response dict instead of an echo."""
        self.replies[text] = response

    async def __call__(self, message: UserMessage) -> None:
        """Handle one message like Agent.handle_message would."""
        self.messages.append(message)
        response = dict(self.replies.get(message.text or "", {"text": f"Echo: {message.text}"}))
        await message.output_channel.send_response(message.sender_id, response)

    async def wait_for(self, count: int, timeout: float = 5.0) -> List[UserMessage]:
        """Wait until `count` messages arrived."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.messages) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} messages, got {self.messages!r}")
            await asyncio.sleep(0.01)
        return self.messages


class ConnectorServer:
    """A running Sanic app with connector blueprints, plus helpers to call its webhooks."""

    def __init__(self, channels: List[InputChannel], bot: EchoBot) -> None:
        """Build the app; `start()` listens."""
        self.bot = bot
        self.channels = channels
        self.port = free_port()
        # Sanic 21.12 patches its protocol ("touchup") at the first start of a process and
        # fails at the next start unless test mode is on; it stays on for the session.
        Sanic.test_mode = True
        self.app = Sanic(f"channels_test_{uuid.uuid4().hex[:12]}")
        for channel in channels:
            self.app.blueprint(channel.blueprint(bot), url_prefix=f"/webhooks/{channel.url_prefix()}")
        self.server: Any = None
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=10)

    @property
    def base_url(self) -> str:
        """Where the server listens."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> ConnectorServer:
        """Listen on the loopback port."""
        self.server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        return self

    async def stop(self) -> None:
        """Finish background work and close the server."""
        await delivery.drain_background()
        await self.client.aclose()
        await self.server.before_stop()
        await self.server.close()
        await self.server.after_stop()

    async def post_twilio(
        self,
        channel: str,
        params: Dict[str, str],
        route: str = "webhook",
        signed_with: str | None = TEST_TWILIO_AUTH_TOKEN,
        public_url: str = PUBLIC_URL,
    ) -> httpx.Response:
        """POST a form to a Twilio route, signed like Twilio signs it (over the public URL)."""
        path = f"/webhooks/{channel}/{route}"
        headers = {}
        if signed_with is not None:
            validator = RequestValidator(signed_with)
            headers["X-Twilio-Signature"] = validator.compute_signature(public_url + path, params)
        return await self.client.post(path, data=params, headers=headers)

    async def post_telegram(
        self, update: Any, secret: str | None = TEST_TELEGRAM_WEBHOOK_SECRET
    ) -> httpx.Response:
        """POST an update (dict, or raw bytes) to the Telegram webhook with the secret."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, (bytes, str)) else json.dumps(update)
        return await self.client.post("/webhooks/telegram/webhook", content=body, headers=headers)

    async def settle(self) -> None:
        """Wait for the background processing of webhooks already answered."""
        await delivery.drain_background()


@pytest.fixture()
async def connectors(env: Dict[str, str]) -> AsyncIterator[ConnectorServer]:
    """WhatsApp, SMS and Telegram connectors (built from credentials) on a real Sanic app."""
    channels: List[InputChannel] = [
        WhatsAppInput.from_credentials(whatsapp_credentials()),
        SmsInput.from_credentials(sms_credentials()),
        TelegramInput.from_credentials(telegram_credentials()),
    ]
    server = await ConnectorServer(channels, EchoBot()).start()
    yield server
    await server.stop()


def twilio_form(sender: str, body: str = "", sid: str | None = None, **extra: str) -> Dict[str, str]:
    """An inbound Twilio message form as Twilio posts it."""
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": TEST_TWILIO_ACCOUNT_SID,
        "From": sender,
        "To": TEST_TWILIO_WHATSAPP_FROM if sender.startswith("whatsapp:") else TEST_TWILIO_SMS_FROM,
        "Body": body,
        "NumMedia": "0",
        **extra,
    }


_update_ids = iter(range(10_000, 10**9))


def telegram_update(text: str | None = "Hallo", chat_id: int = USER_TG, **message: Any) -> Dict[str, Any]:
    """A Telegram message update."""
    body: Dict[str, Any] = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Anna", "language_code": "nl"},
        **message,
    }
    if text is not None:
        body["text"] = text
    return {"update_id": next(_update_ids), "message": body}
