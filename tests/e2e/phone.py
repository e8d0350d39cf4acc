"""A user's phone on WhatsApp, SMS or Telegram, for the end-to-end tests.

It writes as the provider does (Twilio-signed form posts, Telegram updates with the secret
header) with provider-shaped ids, and reads what reached the fake provider APIs: exactly
what the phone would show.
"""

from __future__ import annotations

import random
import time
import uuid
from typing import Any, Callable, List

import httpx
from twilio.request_validator import RequestValidator

from tests.fakes import (
    TEST_TELEGRAM_WEBHOOK_SECRET,
    TEST_TWILIO_AUTH_TOKEN,
    TEST_TWILIO_SMS_FROM,
    TEST_TWILIO_WHATSAPP_FROM,
    shared_fake_telegram,
    shared_fake_twilio,
)

TIMEOUT = 60.0


class Phone:
    """One user on one channel: sends signed webhooks, reads what the fake provider API got."""

    def __init__(self, stack: Any, channel: str) -> None:
        """Pick a fresh provider-shaped id for this channel."""
        self.stack, self.channel = stack, channel
        number = f"+316{random.randint(10_000_000, 99_999_999)}"
        if channel == "whatsapp":
            self.address = f"whatsapp:{number}"
            self.conversation_id = self.address
        elif channel == "sms":
            self.address = number
            self.conversation_id = f"sms:{number}"
        else:
            self.address = str(random.randint(100_000_000, 999_999_999))
            self.conversation_id = f"telegram:{self.address}"

    def send(self, text: str) -> None:
        """The user types a message; the provider posts it, signed, to our webhook."""
        url = f"{self.stack.rasa_url}/webhooks/{self.channel}/webhook"
        if self.channel == "telegram":
            person = {"id": int(self.address), "is_bot": False, "first_name": "Anna", "language_code": "nl"}
            update = {
                "update_id": random.randint(1, 2**31),
                "message": {
                    "message_id": random.randint(1, 10**6),
                    "date": int(time.time()),
                    "text": text,
                    "chat": {"id": int(self.address), "type": "private"},
                    "from": person,
                },
            }
            headers = {"X-Telegram-Bot-Api-Secret-Token": TEST_TELEGRAM_WEBHOOK_SECRET}
            reply = httpx.post(url, json=update, headers=headers, timeout=30)
        else:
            form = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": "AC",
                "From": self.address,
                "To": TEST_TWILIO_WHATSAPP_FROM if self.channel == "whatsapp" else TEST_TWILIO_SMS_FROM,
                "Body": text,
                "NumMedia": "0",
            }
            signature = RequestValidator(TEST_TWILIO_AUTH_TOKEN).compute_signature(url, form)
            reply = httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
        assert reply.status_code == 200, reply.text

    def received(self) -> List[str]:
        """Every text the phone got, oldest first."""
        if self.channel == "telegram":
            calls = shared_fake_telegram().calls("sendMessage")
            return [c["text"] for c in calls if str(c.get("chat_id")) == self.address]
        return [m["Body"] for m in shared_fake_twilio().messages_to(self.address)]

    def wait_for(self, wanted: Callable[[str], bool], after: int = 0, timeout: float = TIMEOUT) -> str:
        """Wait until a text past index `after` matches; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for text in self.received()[after:]:
                if wanted(text):
                    return text
            time.sleep(0.1)
        raise AssertionError(f"{self.channel}: nothing matching arrived; got {self.received()[after:]}")

    def quiet(self, seconds: float = 2.0) -> int:
        """Wait until no new message arrives for `seconds`; return how many arrived in all."""
        count, since = len(self.received()), time.monotonic()
        while time.monotonic() - since < seconds:
            time.sleep(0.1)
            if len(self.received()) != count:
                count, since = len(self.received()), time.monotonic()
        return count

    def choose(self, number: int, payload: str) -> None:
        """Pick the `number`-th button: a numbered answer on WhatsApp/SMS, a tap on Telegram."""
        if self.channel != "telegram":
            self.send(str(number))
            return
        update = {
            "update_id": random.randint(1, 2**31),
            "callback_query": {
                "id": uuid.uuid4().hex,
                "chat_instance": "ci",
                "data": payload,
                "from": {"id": int(self.address), "is_bot": False, "first_name": "Anna"},
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": int(self.address), "type": "private"},
                },
            },
        }
        headers = {"X-Telegram-Bot-Api-Secret-Token": TEST_TELEGRAM_WEBHOOK_SECRET}
        url = f"{self.stack.rasa_url}/webhooks/telegram/webhook"
        assert httpx.post(url, json=update, headers=headers, timeout=30).status_code == 200
