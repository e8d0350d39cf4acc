"""An advisor's round trip on WhatsApp, SMS and Telegram, as the phone sees it.

The user writes through a signed provider webhook with a provider-shaped id
(`whatsapp:+316...`, `+316...`, a numeric Telegram chat id); the advisor works in the console's
own page in headless Chromium (claim, type, send, hand back, close); what reaches the fake
Twilio and Telegram APIs is what the phone would show. On the old main the advisor's messages
to WhatsApp and SMS users went to a phantom conversation and the user stayed muted.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import chromium, log_in
from tests.e2e.phone import TIMEOUT, Phone

pytestmark = pytest.mark.e2e


def open_case(page: Page, conversation_id: str) -> None:
    """Click this user's chat in the queue (found by the console's own queue data)."""
    case_id = None
    deadline = time.monotonic() + TIMEOUT
    while case_id is None and time.monotonic() < deadline:
        queue = page.request.get(page.url.rstrip("/") + "/api/queue").json()
        case_id = next(
            (c["id"] for c in queue["waiting"] + queue["active"] if c["sender_id"] == conversation_id), None
        )
        time.sleep(0.2)
    assert case_id is not None, f"{conversation_id} never reached the queue"
    item = page.locator(f'#app-view .case[data-id="{case_id}"]')
    expect(item).to_be_visible(timeout=15_000)
    item.click()
    expect(page.locator("#transcript")).to_be_visible()


def ask_for_a_person(phone: Phone, text: str) -> None:
    """Ask for a person; the bot asks first, and the phone taps "Ja, graag" to join the queue.

    The yes button is number 1: a numbered answer on WhatsApp/SMS, a callback on Telegram.
    """
    count = phone.quiet()
    phone.send(text)
    phone.wait_for(lambda t: "in de wachtrij" in t.lower(), after=count)
    asked = phone.quiet()
    phone.choose(1, "/request_human")
    phone.wait_for(lambda t: "in de rij" in t.lower(), after=asked)


# How the console names each channel.
CHANNEL_NAMES = {"whatsapp": "WhatsApp", "sms": "SMS", "telegram": "Telegram"}


@pytest.mark.parametrize("channel", ["whatsapp", "sms", "telegram"])
def test_advisor_round_trip_reaches_the_phone(rasa_stack, console_stack, channel):
    phone = Phone(rasa_stack, channel)
    ask_for_a_person(phone, "Ik wil graag een mens spreken")
    with chromium() as browser:
        advisor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        advisor.on("dialog", lambda dialog: dialog.accept())
        log_in(advisor, console_stack.url, console_stack.username, console_stack.password)
        open_case(advisor, phone.conversation_id)
        expect(advisor.locator("#summary dd[data-key=channel]")).to_have_text(CHANNEL_NAMES[channel])

        # Claim: the phone is told a person took over.
        before = phone.quiet()
        advisor.get_by_role("button", name="Oppakken").click()
        phone.wait_for(lambda t: "Je praat nu met Eva" in t, after=before)

        # The advisor types and sends; the phone gets exactly that text.
        advisor.get_by_label("Bericht aan de gebruiker").fill("Hoi, ik ben Eva. Waar kan ik je mee helpen?")
        advisor.get_by_role("button", name="Versturen").click()
        phone.wait_for(lambda t: t == "Hoi, ik ben Eva. Waar kan ik je mee helpen?", after=before)

        # The user answers: it shows in the console, and the bot stays silent.
        count = phone.quiet()
        phone.send("Ik zoek een cursus Nederlands")
        transcript = advisor.locator("#transcript")
        expect(transcript).to_contain_text("Ik zoek een cursus Nederlands", timeout=20_000)
        assert phone.quiet(3.0) == count, "the bot answered while the advisor owns the chat"

        # Hand back: the phone hears the bot is back, and the bot answers again.
        advisor.get_by_role("button", name="Teruggeven aan de bot").click()
        phone.wait_for(lambda t: "weer met Leerwijzer" in t, after=count)
        count = phone.quiet()
        phone.send("hoi")
        phone.wait_for(lambda t: True, after=count)  # any answer: the bot is awake again

        # A second request, then close with an outcome: the phone gets the goodbye.
        ask_for_a_person(phone, "Ik wil toch weer een mens spreken")
        advisor.reload()
        expect(advisor.locator("#live")).to_have_text("live", timeout=15_000)
        open_case(advisor, phone.conversation_id)
        count = phone.quiet()
        advisor.get_by_role("button", name="Oppakken").click()
        phone.wait_for(lambda t: "Je praat nu met Eva" in t, after=count)
        advisor.locator("#outcome").select_option("advice_given")
        advisor.get_by_role("button", name="Afsluiten").click()
        phone.wait_for(lambda t: "sluit het gesprek af" in t, after=count)
        expect(advisor.locator("#owner")).to_have_attribute("data-owner", "closed", timeout=15_000)
