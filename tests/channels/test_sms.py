"""SMS keywords (STOP/START/HELP, Dutch STOP/START/HULP/INFO) handled before the bot."""

from __future__ import annotations

import pytest

from channels.registry import output_for
from channels.sms import KEYWORD_REPLIES, sms_keyword
from channels.store import ChannelStore
from tests.channels.conftest import CONV_SMS, USER_SMS, twilio_form


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", "stop"),
        ("stop", "stop"),
        (" Stop. ", "stop"),
        ("STOPALL", "stop"),
        ("afmelden", "stop"),
        ("START", "start"),
        ("Unstop", "start"),
        ("HELP", "help"),
        ("hulp", "help"),
        ("INFO", "help"),
        ("stop met roken cursus", None),
        ("ja", None),
        ("", None),
    ],
)
def test_keyword_detection(text, keyword):
    assert sms_keyword(text) == keyword


def test_keyword_replies_are_bilingual_and_fit_one_sms_part():
    for reply in KEYWORD_REPLIES.values():
        assert len(reply) <= 320
    assert "START" in KEYWORD_REPLIES["stop"]
    assert "STOP" in KEYWORD_REPLIES["start"] and "STOP" in KEYWORD_REPLIES["help"]
    assert "afgemeld" in KEYWORD_REPLIES["stop"] and "unsubscribed" in KEYWORD_REPLIES["stop"]


async def test_stop_opts_out_before_the_bot_and_blocks_every_later_send(
    connectors, twilio_api, database_url, env
):
    assert (await connectors.post_twilio("sms", twilio_form(USER_SMS, "STOP"))).status_code == 200
    await twilio_api.async_wait_for(lambda r: len(twilio_api.messages) == 1)
    await connectors.settle()
    assert connectors.bot.messages == []
    assert twilio_api.messages[0]["Body"] == KEYWORD_REPLIES["stop"]
    assert await ChannelStore(database_url).is_opted_out(USER_SMS)

    # After STOP the bot does not run at all (its replies could never be sent, yet would be
    # stored), and nothing else is sent to the number.
    await connectors.post_twilio("sms", twilio_form(USER_SMS, "Hallo?"))
    await connectors.settle()
    assert connectors.bot.messages == []
    await output_for("sms", env).send_text_message(CONV_SMS, "Bericht van je adviseur")
    assert len(twilio_api.messages) == 1

    # HELP is still answered (carriers expect it); START re-subscribes.
    await connectors.post_twilio("sms", twilio_form(USER_SMS, "HULP"))
    await connectors.post_twilio("sms", twilio_form(USER_SMS, "START"))
    await twilio_api.async_wait_for(lambda r: len(twilio_api.messages) == 3)
    await connectors.settle()
    assert [m["Body"] for m in twilio_api.messages[1:]] == [KEYWORD_REPLIES["help"], KEYWORD_REPLIES["start"]]
    assert not await ChannelStore(database_url).is_opted_out(USER_SMS)
    await output_for("sms", env).send_text_message(CONV_SMS, "Welkom terug")
    assert twilio_api.messages[-1]["Body"] == "Welkom terug"


async def test_repeated_stop_delivery_is_answered_once(connectors, twilio_api):
    form = twilio_form(USER_SMS, "stop", sid="SM" + "5" * 32)
    for _ in range(2):
        await connectors.post_twilio("sms", form)
    await connectors.settle()
    assert len(twilio_api.messages) == 1


async def test_twilio_unsubscribed_error_is_recorded_as_opt_out(env, twilio_api, database_url):
    twilio_api.unsubscribed.add(USER_SMS)
    output = output_for("sms", env)
    with pytest.raises(Exception, match="21610"):
        await output.send_text_message(CONV_SMS, "Hallo")
    assert await ChannelStore(database_url).is_opted_out(USER_SMS)


async def test_stop_on_whatsapp_is_ordinary_text(connectors):
    await connectors.post_twilio("whatsapp", twilio_form("whatsapp:+31600000000", "STOP"))
    [message] = await connectors.bot.wait_for(1)
    assert message.text == "STOP"


async def test_sms_images_go_as_a_link(env, twilio_api):
    await output_for("sms", env).send_image_url(CONV_SMS, "https://example.nl/rooster.png")
    [sent] = twilio_api.messages
    assert sent["Body"] == "https://example.nl/rooster.png" and "MediaUrl" not in sent


async def test_carrier_inverted_exclamation_becomes_at_sign(connectors):
    await connectors.post_twilio("sms", twilio_form(USER_SMS, "mail: anna¡example.nl"))
    [message] = await connectors.bot.wait_for(1)
    assert message.text == "mail: anna@example.nl"
