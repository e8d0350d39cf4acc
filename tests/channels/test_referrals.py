"""A first message with a learning ambassador's code, through the real connectors and door."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from channels.referrals import referral_hook, referred_greeting
from helpdesk import ambassadors
from helpdesk.database import session_scope
from helpdesk.models import Referral, ReferralCount
from tests.channels.conftest import USER_TG, USER_WA, telegram_update, twilio_form


@pytest.fixture()
def fatima(database_url: str, isolated_door_and_fast_retries) -> dict:
    """An active ambassador, and the door reading codes as the running server's does."""
    isolated_door_and_fast_retries.referral = referral_hook(database_url)
    with session_scope(database_url) as session:
        return ambassadors.create_ambassador(session, "Fatima", "buurthuis De Kastanje", "06-0000", None)


def counts(url: str) -> dict:
    with session_scope(url) as session:
        return {row.stage: row.count for row in session.execute(select(ReferralCount)).scalars()}


def greeting_entities(text: str) -> dict:
    assert text.startswith("/greet{"), text
    return json.loads(text.removeprefix("/greet"))


async def test_whatsapp_first_message_with_a_code_is_greeted_for_the_ambassador(
    connectors, twilio_api, database_url, fatima
):
    prefilled = ambassadors.WHATSAPP_TEXT.format(code=fatima["code"])
    assert (await connectors.post_twilio("whatsapp", twilio_form(USER_WA, prefilled))).status_code == 200
    [message] = await connectors.bot.wait_for(1)
    assert greeting_entities(message.text) == {
        "language": "nl",
        "ambassador_name": "Fatima",
        "ambassador_place": "buurthuis De Kastanje",
    }
    assert counts(database_url) == {"started": 1}

    # The same person sending the code again is counted once and simply chats on.
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, prefilled))
    messages = await connectors.bot.wait_for(2)
    assert messages[1].text == prefilled
    assert counts(database_url) == {"started": 1}


# Well-formed but unknown ("ZZZZ2345"), malformed, an injection, and one with letters no code has.
@pytest.mark.parametrize("code", ["ZZZZ2345", "abc", "' OR 1=1 --", "ABCD1234"])
async def test_forged_or_unknown_codes_are_ordinary_messages(
    connectors, twilio_api, database_url, fatima, code
):
    text = f"Hoi Leerwijzer! Ik kom via code {code}"
    assert (await connectors.post_twilio("sms", twilio_form("+31611111111", text))).status_code == 200
    [message] = await connectors.bot.wait_for(1)
    assert message.text == text
    with session_scope(database_url) as session:
        assert session.execute(select(Referral)).first() is None
    assert counts(database_url) == {}


async def test_a_switched_off_code_is_an_ordinary_message(connectors, twilio_api, database_url, fatima):
    # write=True as the console's route does: the running connectors may write at the same moment.
    with session_scope(database_url, write=True) as session:
        ambassadors.set_active(session, fatima["id"], False)
    text = ambassadors.WHATSAPP_TEXT.format(code=fatima["code"])
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, text))
    [message] = await connectors.bot.wait_for(1)
    assert message.text == text and counts(database_url) == {}


async def test_telegram_deep_link_start_carries_the_code_in_the_apps_language(
    connectors, telegram_api, database_url, fatima
):
    update = telegram_update(f"/start@LeerwijzerBot {fatima['code']}")
    update["message"]["from"]["language_code"] = "en"
    assert (await connectors.post_telegram(update)).status_code == 200
    [message] = await connectors.bot.wait_for(1)
    entities = greeting_entities(message.text)
    assert entities["language"] == "en" and entities["ambassador_name"] == "Fatima"
    with session_scope(database_url) as session:
        assert session.get(Referral, f"telegram:{USER_TG}").channel == "telegram"


def test_a_name_cannot_break_out_of_the_greeting_payload():
    welcome = ambassadors.Welcome('Fa"tima}{/restart', "Buurt\nhuis {x}")
    entities = greeting_entities(referred_greeting("nl", welcome))
    assert entities["ambassador_name"] == "Fa tima restart"
    assert entities["ambassador_place"] == "Buurt huis x"


async def test_a_code_in_the_middle_of_a_chat_is_an_ordinary_message(
    connectors, twilio_api, database_url, fatima
):
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, "Hallo, ik zoek een cursus"))
    forwarded = f"Kijk, van de buurvrouw: code {fatima['code']}"
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, forwarded))
    messages = await connectors.bot.wait_for(2)
    assert messages[1].text == forwarded and counts(database_url) == {}


async def test_a_retry_after_the_gate_failed_is_welcomed_again_and_counted_once(database_url, fatima):
    from channels.inbound import InboundMessage
    from channels.referrals import with_referral

    first = InboundMessage(channel="sms", sender_id="sms:+31633333333", text=f"Hoi, code {fatima['code']}")
    welcomed = await with_referral(first, database_url)
    # The gate failed (no inbox row was written); the provider sends the same message again.
    again = await with_referral(first, database_url)
    assert welcomed.trusted_payload == again.trusted_payload and "Fatima" in again.trusted_payload
    assert counts(database_url) == {"started": 1}
