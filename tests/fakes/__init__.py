"""Fake provider APIs (Twilio, Telegram) on loopback, recording what the bot sends."""

from __future__ import annotations

from typing import Dict

from tests.fakes.server import FakeServer, RecordedRequest
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import FakeTwilio

__all__ = [
    "FakeServer",
    "FakeTelegram",
    "FakeTwilio",
    "RecordedRequest",
    "channel_test_env",
    "shared_fake_telegram",
    "shared_fake_twilio",
]

# Credentials the fakes accept; only ever used against the fakes.
TEST_TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
TEST_TWILIO_WHATSAPP_FROM = "whatsapp:+3197010000001"
TEST_TWILIO_SMS_FROM = "+3197010000002"
TEST_TWILIO_TEMPLATE_SID = "HX" + "f" * 32
TEST_TELEGRAM_BOT_TOKEN = "123456:TEST-telegram-token"
TEST_TELEGRAM_WEBHOOK_SECRET = "test-telegram-webhook-secret"

_shared: Dict[str, FakeServer] = {}


def shared_fake_twilio() -> FakeTwilio:
    """The process-wide fake Twilio API (started on first use, stopped at exit)."""
    if "twilio" not in _shared:
        _shared["twilio"] = FakeTwilio(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start()
    return _shared["twilio"]  # type: ignore[return-value]


def shared_fake_telegram() -> FakeTelegram:
    """The process-wide fake Telegram Bot API (started on first use, stopped at exit)."""
    if "telegram" not in _shared:
        _shared["telegram"] = FakeTelegram(TEST_TELEGRAM_BOT_TOKEN).start()
    return _shared["telegram"]  # type: ignore[return-value]


def channel_test_env(
    twilio_base_url: str, telegram_base_url: str, public_url: str | None = None
) -> Dict[str, str]:
    """Environment that turns on WhatsApp, SMS and Telegram against the fakes."""
    env = {
        "TWILIO_ACCOUNT_SID": TEST_TWILIO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TEST_TWILIO_AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": TEST_TWILIO_WHATSAPP_FROM,
        "TWILIO_SMS_FROM": TEST_TWILIO_SMS_FROM,
        "TWILIO_API_BASE_URL": twilio_base_url,
        "TELEGRAM_BOT_TOKEN": TEST_TELEGRAM_BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TEST_TELEGRAM_WEBHOOK_SECRET,
        "TELEGRAM_API_BASE_URL": telegram_base_url,
    }
    if public_url:
        env["LEERWIJZER_PUBLIC_URL"] = public_url
    return env
