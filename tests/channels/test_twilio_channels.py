"""WhatsApp and SMS connectors through a real Sanic server against the fake Twilio API."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import pytest

from channels.delivery import DeliveryError
from channels.inbound import MAX_TEXT_CHARS, MEDIA_ONLY_PAYLOAD
from channels.registry import output_for
from channels.store import ChannelStore, utcnow
from channels.whatsapp import OutsideWhatsAppWindow, WhatsAppInput
from tests.channels.conftest import (
    CONV_SMS,
    PUBLIC_URL,
    USER_SMS,
    USER_WA,
    ConnectorServer,
    EchoBot,
    twilio_form,
    whatsapp_credentials,
)
from tests.fakes import TEST_TWILIO_SMS_FROM, TEST_TWILIO_TEMPLATE_SID, TEST_TWILIO_WHATSAPP_FROM

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@pytest.mark.parametrize(
    ("channel", "user", "sender"),
    [("whatsapp", USER_WA, TEST_TWILIO_WHATSAPP_FROM), ("sms", USER_SMS, TEST_TWILIO_SMS_FROM)],
)
async def test_signed_message_reaches_bot_and_reply_goes_through_rest_api(
    connectors, twilio_api, channel, user, sender
):
    reply = await connectors.post_twilio(channel, twilio_form(user, "Hallo 👋"))

    assert reply.status_code == 200
    assert reply.text == EMPTY_TWIML
    assert reply.headers["content-type"].startswith("text/xml")
    [message] = await connectors.bot.wait_for(1)
    # The conversation id names the channel that proved the writer (channels/identity.py).
    expected_id = user if channel == "whatsapp" else f"sms:{user}"
    assert (message.text, message.sender_id, message.input_channel) == ("Hallo 👋", expected_id, channel)
    sent = (await twilio_api.async_wait_for(lambda r: any(x.status == 201 for x in r)))[0].params
    assert sent["To"] == user and sent["From"] == sender
    assert sent["Body"] == "Echo: Hallo 👋"
    assert sent["StatusCallback"] == f"{PUBLIC_URL}/webhooks/{channel}/status"


@pytest.mark.parametrize("signature", [None, "forged", "wrong-token"])
async def test_forged_or_unsigned_webhook_is_refused_and_never_reaches_the_bot(
    connectors, twilio_api, signature
):
    form = twilio_form(USER_WA, "Hallo")
    if signature == "forged":
        reply = await connectors.client.post(
            "/webhooks/whatsapp/webhook", data=form, headers={"X-Twilio-Signature": "bm9wZQ=="}
        )
    else:
        reply = await connectors.post_twilio(
            "whatsapp", form, signed_with=None if signature is None else "not-the-token"
        )
    assert reply.status_code == 403
    await connectors.settle()
    assert connectors.bot.messages == []
    assert twilio_api.requests == []


async def test_signature_is_checked_on_the_public_url_not_the_local_one(connectors):
    # Signed over the URL the server sees locally: a proxy setup must use LEERWIJZER_PUBLIC_URL.
    reply = await connectors.post_twilio(
        "whatsapp", twilio_form(USER_WA, "Hallo"), public_url=connectors.base_url
    )
    assert reply.status_code == 403


async def test_tampered_body_is_refused(connectors):
    form = twilio_form(USER_WA, "Hallo")
    from twilio.request_validator import RequestValidator

    from tests.fakes import TEST_TWILIO_AUTH_TOKEN

    signature = RequestValidator(TEST_TWILIO_AUTH_TOKEN).compute_signature(
        PUBLIC_URL + "/webhooks/whatsapp/webhook", form
    )
    form["Body"] = "/restart"
    reply = await connectors.client.post(
        "/webhooks/whatsapp/webhook", data=form, headers={"X-Twilio-Signature": signature}
    )
    assert reply.status_code == 403


async def test_duplicate_delivery_gives_exactly_one_bot_turn(connectors, twilio_api):
    form = twilio_form(USER_WA, "Hallo", sid="SM" + "d" * 32)
    replies = await asyncio.gather(*(connectors.post_twilio("whatsapp", form) for _ in range(3)))
    assert [r.status_code for r in replies] == [200, 200, 200]
    await connectors.settle()
    assert len(connectors.bot.messages) == 1
    assert len(twilio_api.messages) == 1


async def test_missing_body_is_an_empty_message_not_a_crash(connectors):
    form = twilio_form(USER_WA)
    del form["Body"]
    assert (await connectors.post_twilio("whatsapp", form)).status_code == 200
    [message] = await connectors.bot.wait_for(1)
    assert message.text == "/empty_message"


async def test_missing_from_is_400(connectors):
    form = twilio_form(USER_WA, "Hallo")
    del form["From"]
    assert (await connectors.post_twilio("whatsapp", form)).status_code == 400
    await connectors.settle()
    assert connectors.bot.messages == []


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"Body": "hi"}', "application/json"),
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b"", "text/plain"),
    ],
)
async def test_malformed_bodies_are_400(connectors, content, content_type):
    reply = await connectors.client.post(
        "/webhooks/sms/webhook",
        content=content,
        headers={"Content-Type": content_type, "X-Twilio-Signature": "x"},
    )
    assert reply.status_code == 400
    assert (await connectors.client.get("/webhooks/sms/")).json()["status"] == "ok"


async def test_media_only_message_becomes_media_payload_and_keeps_the_url(connectors):
    url = "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1"
    form = twilio_form(USER_WA, "", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg")
    assert (await connectors.post_twilio("whatsapp", form)).status_code == 200
    [message] = await connectors.bot.wait_for(1)
    assert message.text == MEDIA_ONLY_PAYLOAD
    assert message.metadata["media"] == [{"url": url, "content_type": "image/jpeg"}]


async def test_location_goes_into_metadata(connectors):
    form = twilio_form(USER_WA, "", Latitude="51.4416", Longitude="5.4697", Address="Stratumseind, Eindhoven")
    await connectors.post_twilio("whatsapp", form)
    [message] = await connectors.bot.wait_for(1)
    assert message.metadata["location"] == {
        "latitude": 51.4416,
        "longitude": 5.4697,
        "address": "Stratumseind, Eindhoven",
    }


async def test_very_long_text_is_clipped_and_typed_payloads_are_plain_text(connectors):
    await connectors.post_twilio("sms", twilio_form(USER_SMS, "a" * 50_000))
    await connectors.post_twilio("sms", twilio_form(USER_SMS, '/inform{"email": "x@y.nl"}'))
    first, second = await connectors.bot.wait_for(2)
    assert len(first.text) == MAX_TEXT_CHARS
    assert second.text == 'inform{"email": "x@y.nl"}'


@pytest.mark.parametrize(("answer", "payload"), [("2", "/deny"), ("nee", "/deny"), ("1.", "/affirm")])
async def test_numbered_buttons_are_one_message_and_answers_map_back(connectors, twilio_api, answer, payload):
    connectors.bot.reply_with(
        "Hallo",
        {
            "text": "Wil je een cursus zoeken?",
            "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}],
        },
    )
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, "Hallo"))
    await twilio_api.async_wait_for(lambda r: len([x for x in r if x.status == 201]) == 1)
    assert twilio_api.messages[0]["Body"] == "Wil je een cursus zoeken?\n\n1. Ja\n2. Nee"

    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, answer))
    messages = await connectors.bot.wait_for(2)
    assert messages[1].text == payload
    assert messages[1].metadata["button_reply"]["payload"] == payload

    # The offer answered one message only: a later "2" is just text.
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, "2"))
    messages = await connectors.bot.wait_for(3)
    assert messages[2].text == "2"


async def test_numbered_buttons_are_per_channel_and_user(connectors, twilio_api):
    connectors.bot.reply_with("Hallo", {"text": "Kies", "buttons": [{"title": "Ja", "payload": "/affirm"}]})
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, "Hallo"))
    await twilio_api.async_wait_for(lambda r: len(twilio_api.messages) == 1)
    await connectors.post_twilio("sms", twilio_form(USER_SMS, "1"))
    messages = await connectors.bot.wait_for(2)
    assert messages[1].text == "1"


async def test_status_callbacks_are_recorded_once_each(connectors, twilio_api, database_url):
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, "Hallo"))
    await twilio_api.async_wait_for(lambda r: len(twilio_api.messages) == 1)
    await connectors.settle()
    store = ChannelStore(database_url)
    [queued] = [row for row in await _all_statuses(store)]
    sid = queued["message_sid"]
    assert queued["status"] == "queued"

    for status in ("sent", "delivered", "read", "read"):
        form = {"MessageSid": sid, "MessageStatus": status, "To": USER_WA, "AccountSid": "AC"}
        reply = await connectors.post_twilio("whatsapp", form, route="status")
        assert reply.status_code == 200
    failed = {
        "MessageSid": "SM" + "f" * 32,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
        "To": USER_WA,
    }
    assert (await connectors.post_twilio("whatsapp", failed, route="status")).status_code == 200

    assert [r["status"] for r in await store.statuses(sid)] == ["queued", "sent", "delivered", "read"]
    [undelivered] = await store.statuses("SM" + "f" * 32)
    assert undelivered["error_code"] == "30003"


async def test_forged_status_callback_is_refused(connectors, database_url):
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    assert (await connectors.post_twilio("sms", form, route="status", signed_with="nope")).status_code == 403
    assert (await connectors.post_twilio("sms", {"MessageSid": "SM1"}, route="status")).status_code == 400
    assert await ChannelStore(database_url).statuses("SM1") == []


async def _all_statuses(store: ChannelStore):
    """Every status row (test helper)."""
    import sqlalchemy as sa

    from channels.store import message_status

    def load():
        with store.engine.begin() as conn:
            return [dict(r) for r in conn.execute(sa.select(message_status)).mappings()]

    return await asyncio.to_thread(load)


async def test_send_retries_429_and_500_then_succeeds(env, twilio_api):
    twilio_api.fail_next(429, 500)
    output = output_for("sms", env)
    await output.send_text_message(CONV_SMS, "Hallo")
    assert [r.status for r in twilio_api.requests] == [429, 500, 201]


async def test_send_gives_up_after_bounded_retries(env, twilio_api):
    twilio_api.fail_next(503, 503, 503, 503, 503)
    with pytest.raises(DeliveryError, match="after 4 attempts"):
        await output_for("sms", env).send_text_message(CONV_SMS, "Hallo")
    assert len(twilio_api.requests) == 4


async def test_client_errors_are_not_retried(env, twilio_api, monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "9" * 32)
    with pytest.raises(DeliveryError, match="20003"):
        await output_for("sms", env | {"TWILIO_ACCOUNT_SID": "AC" + "9" * 32}).send_text_message(
            CONV_SMS, "Hallo"
        )
    assert len(twilio_api.requests) == 1


async def test_outbound_long_sms_is_split_on_sentences(env, twilio_api):
    text = " ".join(
        f"Zin {i}: de cursus Nederlands voor beginners start in september in Eindhoven." for i in range(12)
    )
    await output_for("sms", env).send_text_message(CONV_SMS, text)
    bodies = [m["Body"] for m in twilio_api.messages]
    assert len(bodies) > 2
    assert all(len(b) <= 320 and b.endswith(".") for b in bodies)
    assert " ".join(bodies) == text


async def test_whatsapp_push_outside_24h_window_without_template_raises(env, twilio_api, database_url):
    output = output_for("whatsapp", env)
    with pytest.raises(OutsideWhatsAppWindow) as error:
        await output.send_text_message(USER_WA, "Hallo, hier is je adviseur.")
    assert "24-hour window" in str(error.value) and "24 uur" in error.value.advisor_text["nl"]
    await ChannelStore(database_url).record_inbound("whatsapp", USER_WA, at=utcnow() - timedelta(hours=25))
    with pytest.raises(OutsideWhatsAppWindow):
        await output.send_text_message(USER_WA, "Hallo")
    assert twilio_api.requests == []


async def test_whatsapp_push_inside_window_is_free_form(env, twilio_api, database_url):
    await ChannelStore(database_url).record_inbound("whatsapp", USER_WA, at=utcnow() - timedelta(hours=23))
    output = output_for("whatsapp", env)
    assert await output.window_open(USER_WA)
    await output.send_text_message(USER_WA, "Hallo, hier is je adviseur.")
    [sent] = twilio_api.messages
    assert sent["Body"] == "Hallo, hier is je adviseur." and "ContentSid" not in sent


async def test_whatsapp_push_outside_window_uses_the_template(env, twilio_api, database_url, monkeypatch):
    monkeypatch.setenv("TWILIO_WHATSAPP_TEMPLATE_SID", TEST_TWILIO_TEMPLATE_SID)
    await ChannelStore(database_url).record_inbound("whatsapp", USER_WA, at=utcnow() - timedelta(hours=30))
    output = output_for("whatsapp", env | {"TWILIO_WHATSAPP_TEMPLATE_SID": TEST_TWILIO_TEMPLATE_SID})
    await output.send_text_message(USER_WA, "Je aanvraag is klaar.\nBel ons gerust.")
    [sent] = twilio_api.messages
    assert sent["ContentSid"] == TEST_TWILIO_TEMPLATE_SID
    assert json.loads(sent["ContentVariables"]) == {"1": "Je aanvraag is klaar. Bel ons gerust."}
    assert "Body" not in sent and sent["To"] == USER_WA


async def test_get_output_channel_pushes_like_rasas_api(env, twilio_api):
    # What `POST /conversations/{id}/tracker/events?execute_side_effects=true&output_channel=latest` does.
    channel = WhatsAppInput.from_credentials(whatsapp_credentials())
    await channel.store.record_inbound("whatsapp", USER_WA)
    output = channel.get_output_channel()
    await output.send_response(USER_WA, {"text": "Een adviseur helpt je nu verder."})
    assert twilio_api.messages[0]["Body"] == "Een adviseur helpt je nu verder."


async def test_inbound_opens_the_window_for_the_bot_reply(connectors, twilio_api, database_url):
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, "Hallo"))
    await twilio_api.async_wait_for(lambda r: len(twilio_api.messages) == 1)
    last = await ChannelStore(database_url).last_inbound_at("whatsapp", USER_WA)
    assert utcnow() - last < timedelta(minutes=1)


async def test_status_callback_url_absent_without_public_url(env, twilio_api, monkeypatch):
    monkeypatch.delenv("LEERWIJZER_PUBLIC_URL")
    output = output_for("sms", {k: v for k, v in env.items() if k != "LEERWIJZER_PUBLIC_URL"})
    await output.send_text_message(CONV_SMS, "Hallo")
    assert "StatusCallback" not in twilio_api.messages[0]


async def test_two_twilio_channels_run_side_by_side(env):
    server = await ConnectorServer(
        [WhatsAppInput.from_credentials(whatsapp_credentials())], EchoBot()
    ).start()
    try:
        assert (await server.client.get("/webhooks/whatsapp/")).json() == {
            "status": "ok",
            "channel": "whatsapp",
        }
        assert (await server.client.get(f"/webhooks/{uuid.uuid4().hex}/")).status_code == 404
    finally:
        await server.stop()
