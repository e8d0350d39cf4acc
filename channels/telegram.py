"""Telegram via python-telegram-bot 22 in webhook mode: channel "telegram".

credentials.yml key: `channels.telegram.TelegramInput`; webhook at
/webhooks/telegram/webhook. Telegram sends the `secret_token` given to setWebhook back in
`X-Telegram-Bot-Api-Secret-Token`; anything else gets 403. Buttons become an inline
keyboard whose callback_data is the button payload (payloads over Telegram's 64-byte limit
are stored and sent as a short token); callback queries are inbound messages and are
answered with answerCallbackQuery.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import logging
import re
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from channels.delivery import (
    DeliveryError,
    GuardedOutput,
    RetryableError,
    RetryPolicy,
    spawn_in_order,
    with_retries,
)
from channels.formatting import TELEGRAM_PART_LIMIT, button_title, split_text
from channels.identity import ForeignConversation, conversation_id, provider_address
from channels.inbound import (
    GateUnavailable,
    InboundMessage,
    MediaItem,
    Receipt,
    clean_text,
    get_door,
    greeting_payload,
    keep_replaying,
)
from channels.store import ChannelStore
from leerwijzer.settings import ChannelSettings

logger = logging.getLogger(__name__)

TELEGRAM_API_BASE_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_LIMIT = 64
CALLBACK_TOKEN_PREFIX = "~cb:"
MAX_UPDATE_BYTES = 1024 * 1024
ALLOWED_UPDATES = ["message", "callback_query"]
MEDIA_PREFIX = "telegram-file:"
# "/start", "/start@LeerwijzerBot" or "/start <deep-link payload>".
START_COMMAND = re.compile(r"^/start(@\w+)?(\s+\S+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class TelegramConfig:
    """Bot token, webhook secret and where the Bot API lives (a fake in tests)."""

    token: str
    webhook_secret: str
    database_url: str
    api_base_url: str | None = None
    retry: RetryPolicy | None = field(default=None, compare=False)

    @property
    def bot_base_url(self) -> str:
        """Base URL in python-telegram-bot's format (token appended)."""
        return f"{(self.api_base_url or TELEGRAM_API_BASE_URL).rstrip('/')}/bot"


def _seconds(value: Any) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB settings."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramOutput(GuardedOutput, OutputChannel):
    """Sends messages through the Bot API; stateless (a short-lived client per call).

    Recipients are conversation ids (`telegram:<chat id>`); the chat id is taken from them.
    """

    def __init__(self, config: TelegramConfig) -> None:
        """Keep the config and the store."""
        self.config = config
        self.store = ChannelStore(config.database_url)

    @classmethod
    def name(cls) -> str:
        """Channel name, equal to the input channel's."""
        return "telegram"

    @asynccontextmanager
    async def bot(self) -> AsyncIterator[Bot]:
        """A Bot whose HTTP client is closed afterwards (safe on any event loop)."""
        request = HTTPXRequest(connection_pool_size=2)
        bot = Bot(
            self.config.token,
            base_url=self.config.bot_base_url,
            request=request,
            get_updates_request=request,
        )
        try:
            yield bot
        finally:
            await request.shutdown()

    async def call(self, what: str, action: Callable[[Bot], Awaitable[Any]]) -> Any:
        """Run one Bot API call with bounded retries on 429/5xx/network errors."""

        async def attempt() -> Any:
            async with self.bot() as bot:
                try:
                    return await action(bot)
                except RetryAfter as exc:
                    raise RetryableError("flood control", _seconds(exc.retry_after)) from exc
                except BadRequest as exc:
                    raise DeliveryError(f"Telegram refused {what}: {exc}", status=400) from exc
                except NetworkError as exc:  # 5xx, timeouts, connection problems
                    raise RetryableError(str(exc)) from exc
                except TelegramError as exc:
                    raise DeliveryError(f"Telegram refused {what}: {exc}") from exc

        return await with_retries(attempt, self.config.retry, what=f"Telegram {what}")

    async def callback_data(self, payload: str) -> str:
        """The payload itself when it fits in 64 bytes, else a stored short token."""
        if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith(
            CALLBACK_TOKEN_PREFIX
        ):
            return payload
        return CALLBACK_TOKEN_PREFIX + await self.store.save_callback_payload(payload)

    async def keyboard(self, buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup:
        """One button per row: URL buttons open links, others send their payload."""
        rows = []
        for button in buttons:
            title = button_title(button)[:100] or "?"
            url = button.get("url")
            if url:
                rows.append([InlineKeyboardButton(title, url=str(url))])
            else:
                payload = str(button.get("payload") or title)
                rows.append([InlineKeyboardButton(title, callback_data=await self.callback_data(payload))])
        return InlineKeyboardMarkup(rows)

    def button_store(self) -> ChannelStore:
        """Offered buttons go to this channel's own store."""
        return self.store

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split at Telegram's 4096-character limit."""
        chat = chat_id(recipient_id)
        for part in split_text(text, TELEGRAM_PART_LIMIT):
            await self.call("sendMessage", lambda bot, part=part: bot.send_message(chat, part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send text with an inline keyboard (on the last part when the text is split)."""
        await self.remember_buttons(recipient_id, buttons)
        chat = chat_id(recipient_id)
        markup = await self.keyboard(buttons)
        parts = split_text(text, TELEGRAM_PART_LIMIT) or ["…"]
        for index, part in enumerate(parts):
            reply_markup = markup if index == len(parts) - 1 else None
            await self.call(
                "sendMessage",
                lambda bot, part=part, reply_markup=reply_markup: bot.send_message(
                    chat, part, reply_markup=reply_markup
                ),
            )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send a photo by URL."""
        await self.call("sendPhoto", lambda bot: bot.send_photo(chat_id(recipient_id), image))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Call any Bot API method: {"method": "sendLocation", "latitude": ..., ...}."""
        message = dict(json_message)
        method = str(message.pop("method", "sendMessage"))
        message["chat_id"] = chat_id(recipient_id)  # never another chat than this conversation's
        await self.call(method, lambda bot: bot.do_api_request(method, api_kwargs=message))

    async def answer_callback_query(self, callback_query_id: str) -> None:
        """Stop the button's loading spinner in the user's app."""
        await self.call("answerCallbackQuery", lambda bot: bot.answer_callback_query(callback_query_id))


class TelegramInput(InputChannel):
    """Receives Telegram webhook updates (messages and button presses)."""

    def __init__(self, config: TelegramConfig) -> None:
        """Keep the config and the store."""
        self.config = config
        self.store = ChannelStore(config.database_url)

    @classmethod
    def name(cls) -> str:
        """Channel name; also the URL prefix (/webhooks/telegram/webhook)."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> TelegramInput:
        """Build from credentials.yml; refuse (the Rasa way) when credentials are missing."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        missing = [key for key in ("token", "webhook_secret") if not credentials.get(key)]
        if missing:
            logger.error("telegram channel: missing credentials %s", ", ".join(missing))
            cls.raise_missing_credentials_exception()
        settings = ChannelSettings.from_env()
        return cls(
            TelegramConfig(
                token=str(credentials["token"]),
                webhook_secret=str(credentials["webhook_secret"]),
                database_url=str(credentials.get("database_url") or settings.database_url),
                api_base_url=credentials.get("api_base_url") or settings.TELEGRAM_API_BASE_URL,
            )
        )

    def get_output_channel(self) -> TelegramOutput:
        """A fresh, stateless output (also used by Rasa's API for pushed messages)."""
        return TelegramOutput(self.config)

    def valid_secret(self, request: Request) -> bool:
        """Constant-time compare of the secret header with the configured secret."""
        given = (request.headers.get(SECRET_HEADER) or "").encode("utf-8")
        return hmac.compare_digest(given, self.config.webhook_secret.encode("utf-8"))

    def inbound_message(self, update: Update) -> Tuple[InboundMessage, str | None] | None:
        """Normalise an update; None for kinds we ignore; also return the callback id."""
        update_id = str(update.update_id)
        query = update.callback_query
        if query is not None:
            if not query.data:
                return None
            chat = query.message.chat.id if query.message else query.from_user.id
            title = _button_title(query.message, query.data)
            message = InboundMessage(
                channel=self.name(),
                sender_id=conversation_id(self.name(), str(chat)),
                text=title,
                provider_message_id=update_id,
                metadata={"provider": "telegram", "telegram_callback": True},
                # Taken only if this conversation was offered the button (see the door).
                payload=query.data,
            )
            return message, query.id
        tg_message = update.message
        if tg_message is None:
            return None
        metadata: Dict[str, Any] = {"provider": "telegram", "chat_type": tg_message.chat.type}
        language = tg_message.from_user.language_code if tg_message.from_user else None
        if language:
            metadata["language_code"] = language
        if tg_message.location:
            metadata["location"] = {
                "latitude": tg_message.location.latitude,
                "longitude": tg_message.location.longitude,
            }
        text = clean_text(tg_message.text or tg_message.caption)
        message = InboundMessage(
            channel=self.name(),
            sender_id=conversation_id(self.name(), str(tg_message.chat.id)),
            text=text,
            provider_message_id=update_id,
            media=_media(tg_message),
            metadata=metadata,
        )
        if START_COMMAND.match(text):
            # Telegram's own first message: the welcome and privacy notice, in the app's language.
            english = (language or "").startswith("en")
            message.trusted_payload = greeting_payload("en" if english else "nl")
        return message, None

    async def process(
        self,
        receipt: Receipt,
        callback_query_id: str | None,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Answer a button press, resolve a long payload's token, and deliver through the door."""
        output = self.get_output_channel()
        if callback_query_id:
            try:
                await output.answer_callback_query(callback_query_id)
            except DeliveryError as exc:
                logger.info("answerCallbackQuery failed: %s", exc)
        message = receipt.message
        if message.payload and message.payload.startswith(CALLBACK_TOKEN_PREFIX):
            token = message.payload[len(CALLBACK_TOKEN_PREFIX) :]
            message.payload = await self.store.callback_payload(token)
            if message.payload is None:
                logger.warning("Unknown Telegram callback token ignored")
        await get_door().deliver(receipt, output, on_new_message)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: GET / (health) and POST /webhook (updates)."""
        blueprint = Blueprint("telegram_webhook")

        async def replay(receipt: Receipt) -> None:
            await self.process(receipt, None, on_new_message)

        keep_replaying(blueprint, self.name(), replay)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            """Liveness of this channel."""
            return response.json({"status": "ok", "channel": self.name()})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            """Verify the secret, keep the update, answer Telegram, process in the background."""
            if not self.valid_secret(request):
                logger.warning("telegram webhook: wrong or missing secret token refused")
                return response.text("forbidden", status=403)
            body = request.body or b""
            if len(body) > MAX_UPDATE_BYTES:
                return response.text("update too large", status=413)
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return response.text("malformed JSON", status=400)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                return response.text("not a Telegram update", status=400)
            try:
                parsed = self.inbound_message(Update.de_json(data, None))
            except ForeignConversation:
                return response.text("unusable chat id", status=400)
            except Exception:  # de_json raises KeyError/TypeError/... on odd shapes
                logger.info("telegram webhook: unparsable update refused", exc_info=True)
                return response.text("malformed update", status=400)
            if parsed is not None:
                message, callback_query_id = parsed
                try:
                    receipt = await get_door().receive(message)
                except GateUnavailable:
                    # Not kept: Telegram delivers the update again later.
                    return response.text("temporarily unavailable", status=503)
                spawn_in_order(
                    self.name(),
                    message.sender_id,
                    self.process(receipt, callback_query_id, on_new_message),
                    "telegram inbound",
                )
            return response.json({"ok": True})

        return blueprint


def chat_id(recipient_id: str) -> str:
    """The Telegram chat id of a conversation id (`telegram:424242` -> `424242`)."""
    return provider_address("telegram", recipient_id)


def _button_title(message: Any, data: str) -> str:
    """Find the pressed button's text in the message's inline keyboard."""
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            if button.callback_data == data:
                return clean_text(button.text)[:200]
    return ""


def _media(message: Message) -> List[MediaItem]:
    """Photos, voice notes, audio, video and documents as `telegram-file:<file_id>` items.

    The real download URL contains the bot token, so we keep the file id; the advisor
    console resolves it with getFile when someone opens it.
    """
    items = []
    if message.photo:
        items.append(MediaItem(MEDIA_PREFIX + message.photo[-1].file_id, "image/jpeg"))
    for attachment, default_type in (
        (message.voice, "audio/ogg"),
        (message.audio, "audio/mpeg"),
        (message.video, "video/mp4"),
        (message.video_note, "video/mp4"),
        (message.document, "application/octet-stream"),
        (message.sticker, "image/webp"),
    ):
        if attachment is not None:
            content_type = getattr(attachment, "mime_type", None) or default_type
            items.append(MediaItem(MEDIA_PREFIX + attachment.file_id, content_type))
    return items


async def register_webhook(public_url: str, settings: ChannelSettings | None = None) -> Dict[str, Any]:
    """Call setWebhook with our URL and secret token; return getWebhookInfo."""
    settings = settings or ChannelSettings.from_env()
    if not settings.TELEGRAM_BOT_TOKEN or not settings.TELEGRAM_WEBHOOK_SECRET:
        raise SystemExit("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first.")
    output = TelegramOutput(
        TelegramConfig(
            token=settings.TELEGRAM_BOT_TOKEN,
            webhook_secret=settings.TELEGRAM_WEBHOOK_SECRET,
            database_url="sqlite://",
            api_base_url=settings.TELEGRAM_API_BASE_URL,
        )
    )
    url = f"{public_url.rstrip('/')}/webhooks/telegram/webhook"
    await output.call(
        "setWebhook",
        lambda bot: bot.set_webhook(
            url, secret_token=settings.TELEGRAM_WEBHOOK_SECRET, allowed_updates=ALLOWED_UPDATES
        ),
    )
    info = await output.call("getWebhookInfo", lambda bot: bot.get_webhook_info())
    return info.to_dict()


def main(argv: List[str] | None = None) -> None:
    """CLI: `python -m channels.telegram set-webhook [--public-url URL]`."""
    parser = argparse.ArgumentParser(prog="python -m channels.telegram")
    parser.add_argument("command", choices=["set-webhook"])
    parser.add_argument("--public-url", help="defaults to LEERWIJZER_PUBLIC_URL")
    args = parser.parse_args(argv)
    settings = ChannelSettings.from_env()
    public_url = args.public_url or settings.LEERWIJZER_PUBLIC_URL
    if not public_url:
        raise SystemExit("Give --public-url or set LEERWIJZER_PUBLIC_URL.")
    print(json.dumps(asyncio.run(register_webhook(public_url, settings)), indent=2))


if __name__ == "__main__":
    main()
