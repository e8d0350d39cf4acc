"""Telegram connector through a real Sanic server against the fake Bot API."""

from __future__ import annotations

import asyncio

import pytest

from channels.delivery import DeliveryError
from channels.inbound import MEDIA_ONLY_PAYLOAD
from channels.registry import output_for
from tests.channels.conftest import CONV_TG, USER_TG, telegram_update


async def test_message_with_secret_reaches_bot_and_reply_is_sent(connectors, telegram_api):
    reply = await connectors.post_telegram(telegram_update("Hallo 😀"))
    assert reply.status_code == 200
    [message] = await connectors.bot.wait_for(1)
    assert (message.text, message.sender_id, message.input_channel) == ("Hallo 😀", CONV_TG, "telegram")
    assert message.metadata["language_code"] == "nl"
    [sent] = await _calls(telegram_api, "sendMessage", 1)
    assert sent["chat_id"] == str(USER_TG) and sent["text"] == "Echo: Hallo 😀"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "test-telegram-webhook-secreT"])
async def test_wrong_or_missing_secret_is_403(connectors, telegram_api, secret):
    reply = await connectors.post_telegram(telegram_update("Hallo"), secret=secret)
    assert reply.status_code == 403
    await connectors.settle()
    assert connectors.bot.messages == [] and telegram_api.requests == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'"text"',
        b"{}",
        b'{"update_id": "1"}',
        b'{"update_id": 1, "message": "x"}',
        b'{"update_id": 1, "message": {"message_id": 1}}',
    ],
)
async def test_malformed_updates_are_400(connectors, body):
    reply = await connectors.post_telegram(body)
    assert reply.status_code == 400
    assert (await connectors.client.get("/webhooks/telegram/")).status_code == 200


async def test_updates_we_do_not_handle_are_acknowledged_and_ignored(connectors):
    update = telegram_update("oud")
    update["edited_message"] = update.pop("message")
    assert (await connectors.post_telegram(update)).status_code == 200
    await connectors.settle()
    assert connectors.bot.messages == []


async def test_redelivered_update_gives_one_bot_turn(connectors, telegram_api):
    update = telegram_update("Hallo")
    replies = await asyncio.gather(*(connectors.post_telegram(update) for _ in range(3)))
    assert {r.status_code for r in replies} == {200}
    await connectors.settle()
    assert len(connectors.bot.messages) == 1
    assert len(telegram_api.calls("sendMessage")) == 1


async def test_photo_and_voice_are_media_and_caption_is_text(connectors):
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
        {"file_id": "big", "file_unique_id": "b", "width": 900, "height": 900},
    ]
    await connectors.post_telegram(telegram_update(None, photo=photo))
    await connectors.post_telegram(
        telegram_update(
            None, voice={"file_id": "v1", "file_unique_id": "v", "duration": 3, "mime_type": "audio/ogg"}
        )
    )
    await connectors.post_telegram(telegram_update(None, photo=photo, caption="mijn diploma"))
    messages = await connectors.bot.wait_for(3)
    by_text = {m.text: m for m in messages}
    assert by_text[MEDIA_ONLY_PAYLOAD].metadata["media"] in (
        [{"url": "telegram-file:big", "content_type": "image/jpeg"}],
        [{"url": "telegram-file:v1", "content_type": "audio/ogg"}],
    )
    assert by_text["mijn diploma"].metadata["media"] == [
        {"url": "telegram-file:big", "content_type": "image/jpeg"}
    ]


async def test_location_and_start_command(connectors):
    await connectors.post_telegram(telegram_update(None, location={"latitude": 51.44, "longitude": 5.47}))
    await connectors.post_telegram(telegram_update("/start"))
    messages = await connectors.bot.wait_for(2)
    located = next(m for m in messages if "location" in m.metadata)
    assert located.metadata["location"] == {"latitude": 51.44, "longitude": 5.47}
    # Telegram's automatic /start is the bot's welcome (with the privacy notice), in the
    # app's language: a greeting the server makes, not the user's text as a command.
    assert '/greet{"language": "nl"}' in {m.text for m in messages}


async def test_buttons_are_an_inline_keyboard_and_callback_queries_route_the_payload(
    connectors, telegram_api
):
    long_payload = '/choose_offer{"offer_id": "' + "x" * 80 + '"}'
    connectors.bot.reply_with(
        "Hallo",
        {
            "text": "Wat wil je?",
            "buttons": [
                {"title": "Cursus zoeken", "payload": "/search_offer"},
                {"title": "Deze cursus", "payload": long_payload},
                {"title": "Website", "url": "https://example.nl"},
            ],
        },
    )
    await connectors.post_telegram(telegram_update("Hallo"))
    [sent] = await _calls(telegram_api, "sendMessage", 1)
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert keyboard[0] == [{"text": "Cursus zoeken", "callback_data": "/search_offer"}]
    token = keyboard[1][0]["callback_data"]
    assert token.startswith("~cb:") and len(token.encode()) <= 64
    assert keyboard[2] == [{"text": "Website", "url": "https://example.nl"}]

    for data in ("/search_offer", token):
        update = {
            "update_id": 90_000 + len(data),
            "callback_query": {
                "id": f"cq-{len(data)}",
                "chat_instance": "ci",
                "data": data,
                "from": {"id": USER_TG, "is_bot": False, "first_name": "Anna"},
                "message": {
                    "message_id": 5,
                    "date": 1_700_000_000,
                    "chat": {"id": USER_TG, "type": "private"},
                    "text": "Wat wil je?",
                    "reply_markup": sent["reply_markup"],
                },
            },
        }
        assert (await connectors.post_telegram(update)).status_code == 200
    messages = await connectors.bot.wait_for(3)
    assert [m.text for m in messages[1:]] == ["/search_offer", long_payload]
    assert messages[1].metadata["button_reply"] == {"title": "Cursus zoeken", "payload": "/search_offer"}
    answered = await _calls(telegram_api, "answerCallbackQuery", 2)
    assert sorted(a["callback_query_id"] for a in answered) == sorted(["cq-13", f"cq-{len(token)}"])


async def test_send_retries_429_and_500_then_succeeds(env, telegram_api):
    telegram_api.fail_next(429, 500)
    await output_for("telegram", env).send_text_message(CONV_TG, "Hallo")
    assert [r.status for r in telegram_api.requests] == [429, 500, 200]


async def test_send_does_not_retry_bad_request_and_gives_up_after_bounded_retries(env, telegram_api):
    output = output_for("telegram", env)
    telegram_api.fail_next(400)
    with pytest.raises(DeliveryError, match="refused"):
        await output.send_text_message(CONV_TG, "Hallo")
    assert len(telegram_api.requests) == 1
    telegram_api.reset()
    telegram_api.fail_next(502, 502, 502, 502, 502)
    with pytest.raises(DeliveryError, match="after 4 attempts"):
        await output.send_text_message(CONV_TG, "Hallo")
    assert len(telegram_api.requests) == 4


async def test_long_text_is_split_at_4096(env, telegram_api):
    text = ("Dit is een zin over leren. " * 400).strip()
    await output_for("telegram", env).send_text_message(CONV_TG, text)
    parts = [c["text"] for c in telegram_api.calls("sendMessage")]
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert " ".join(parts) == text


async def test_push_through_get_output_channel(env, telegram_api):
    from channels.telegram import TelegramInput
    from tests.channels.conftest import telegram_credentials

    output = TelegramInput.from_credentials(telegram_credentials()).get_output_channel()
    await output.send_response(CONV_TG, {"text": "Een adviseur helpt je nu verder."})
    assert telegram_api.calls("sendMessage")[0]["text"] == "Een adviseur helpt je nu verder."


async def _calls(fake, method, count):
    """Wait until `count` successful calls of `method` were made."""
    await fake.async_wait_for(lambda r: len([x for x in r if x.path == method and x.status == 200]) >= count)
    return fake.calls(method)
