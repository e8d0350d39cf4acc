"""Erase on request, on WhatsApp, SMS and Telegram, through the live stack.

On the old main the WhatsApp erase never completed: the erase deleted the channel's record of
the user's last message first, so the confirmation failed WhatsApp's 24-hour check, Rasa never
saved, the tracker rows stayed and the user got silence. Here the phone must receive the
confirmation and no row of the conversation may be left in the app database or the tracker.
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.e2e.phone import Phone
from tests.e2e.test_privacy_erase_live import (
    ERASE_DEADLINE_SECONDS,
    personal_data,
    rows_containing,
    tracker_rows,
    tracker_url,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("channel", ["whatsapp", "sms", "telegram"])
def test_erase_completes_and_the_phone_is_told(rasa_stack, channel):
    phone = Phone(rasa_stack, channel)
    secret = f"pottenbakken{uuid.uuid4().hex[:8]}"
    phone.send(f"ik wil graag {secret} leren in Helmond")
    phone.wait_for(lambda text: True)
    # Rasa saves the turn after it sent the replies: wait for the tracker to hold the text.
    deadline = time.monotonic() + ERASE_DEADLINE_SECONDS
    while not any(secret in row.data for row in tracker_rows(rasa_stack, phone.conversation_id)):
        assert time.monotonic() < deadline, "precondition: the tracker never held the message"
        time.sleep(0.2)

    count = phone.quiet()
    phone.send("verwijder mijn gegevens")
    phone.wait_for(lambda text: "Wil je echt alles wissen?" in text, after=count)
    count = phone.quiet()
    phone.choose(1, "/affirm")
    phone.wait_for(lambda text: "Ik heb je gegevens gewist" in text, after=count)

    # Everything of the conversation goes (the last rows once Rasa saved the new session).
    deadline = time.monotonic() + ERASE_DEADLINE_SECONDS
    while True:
        left = personal_data(rasa_stack, phone.conversation_id).rows
        holding = [r for r in tracker_rows(rasa_stack, phone.conversation_id) if secret in r.data]
        if (not any(left.values()) and not holding) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert not any(left.values()), f"{channel}: rows left after the erase: {left}"
    assert not holding, f"{channel}: the tracker still holds the conversation"
    assert not rows_containing(rasa_stack.settings.database_url, secret)
    assert not rows_containing(tracker_url(rasa_stack), secret)
