"""Offer cards as the phone receives them, through the live stack and the fake provider APIs.

On Telegram each card carries an inline button that opens the provider's page (issue 13:
"Telegram: inline buttons with the URL"); on WhatsApp the link is in the text and no number
stands for it (a numbered reply that opens nothing would confuse).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

import pytest

from tests.e2e.phone import Phone
from tests.fakes import shared_fake_telegram

pytestmark = pytest.mark.e2e

# Every limit in one message, so the bot can search at once.
SEARCH = (
    "Ik zoek een gratis computercursus voor beginners in Helmond, overdag, op locatie, "
    "niet verder dan 10 km"
)
CARD = re.compile(r"^1\. ", re.MULTILINE)
LINK = re.compile(r"https?://\S+")


def telegram_cards(phone: Phone) -> List[Dict[str, Any]]:
    """The sendMessage calls to this phone that are numbered offer cards."""
    calls = shared_fake_telegram().calls("sendMessage")
    mine = [call for call in calls if str(call.get("chat_id")) == phone.address]
    return [call for call in mine if re.match(r"^\d\. ", call["text"])]


def test_a_telegram_card_has_a_button_that_opens_the_provider_page(rasa_stack):
    phone = Phone(rasa_stack, "telegram")
    phone.send(SEARCH)
    phone.wait_for(lambda text: bool(CARD.search(text)))
    phone.quiet()
    cards = telegram_cards(phone)
    assert cards
    for card in cards:
        [[button]] = card["reply_markup"]["inline_keyboard"]
        assert set(button) == {"text", "url"}  # opens a page; no callback the bot must answer
        assert button["url"].startswith("https://")
        assert button["url"] in card["text"]  # the same page the text names


def test_a_whatsapp_card_has_the_link_in_its_text_and_no_number_for_it(rasa_stack):
    phone = Phone(rasa_stack, "whatsapp")
    phone.send(SEARCH)
    card = phone.wait_for(lambda text: bool(CARD.search(text)))
    assert LINK.search(card)
    phone.quiet()
    # the numbered replies after the cards are the next steps, none of them a link
    last = phone.received()[-1]
    assert "Meer over 1" in last and "Meer info" not in last
