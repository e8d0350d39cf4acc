"""What the WhatsApp and SMS connectors share: Twilio webhook handling and REST sending.

Inbound: the form is parsed, X-Twilio-Signature is checked over the configured public URL
(LEERWIJZER_PUBLIC_URL + path, because proxies rewrite URLs), the message is kept by the
inbound door (dedupe, ownership, inbox), and only then does Twilio get its empty TwiML
answer; the bot's work runs in a background task and is replayed if this process dies.
Conversation ids: `whatsapp:+316...` and `sms:+316...` (channels/identity.py).
Outbound: replies go through Twilio's REST API with httpx (async, bounded retries); buttons
become ONE numbered list whose options are stored so "1", "2" or the words map back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, Mapping, Type
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels.delivery import GuardedOutput, RetryPolicy, TwilioRestClient, spawn_in_order
from channels.formatting import WHATSAPP_PART_LIMIT, match_button_reply, numbered_list, split_text
from channels.identity import ForeignConversation, conversation_id, provider_address
from channels.inbound import (
    GateUnavailable,
    InboundMessage,
    MediaItem,
    Receipt,
    clean_text,
    get_door,
    keep_replaying,
)
from channels.store import ChannelStore
from leerwijzer.settings import ChannelSettings

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MAX_MEDIA = 10
MAX_SENDER_CHARS = 128
MAX_FORM_BYTES = 64 * 1024

# Delivery statuses Twilio reports (WhatsApp adds "read").
KNOWN_STATUSES = frozenset(
    {
        "accepted",
        "scheduled",
        "queued",
        "sending",
        "sent",
        "delivered",
        "undelivered",
        "failed",
        "read",
        "receiving",
        "received",
        "canceled",
        "partially_delivered",
    }
)


@dataclass(frozen=True)
class TwilioConfig:
    """Everything a Twilio connector needs; built from credentials.yml (env-expanded)."""

    account_sid: str
    auth_token: str
    from_number: str
    database_url: str
    api_base_url: str | None = None
    public_url: str | None = None
    template_sid: str | None = None
    retry: RetryPolicy | None = field(default=None, compare=False)


class TwilioForm(dict):
    """Form fields as lists of values, with the `getall` RequestValidator understands."""

    def getall(self, name: str) -> List[str]:
        """All values of a field."""
        return self[name]

    def first(self, name: str, default: str = "") -> str:
        """The first value of a field, or `default`."""
        values = self.get(name)
        return values[0] if values else default


def parse_twilio_form(request: Request) -> TwilioForm | None:
    """Parse an application/x-www-form-urlencoded body; None when it is not one."""
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return None
    body = request.body or b""
    if len(body) > MAX_FORM_BYTES:
        return None
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return None
    return TwilioForm(parsed)


def signed_url(request: Request, public_url: str | None) -> str:
    """The URL Twilio signed: the public base URL plus the path (and query) we received."""
    if not public_url:
        return request.url
    url = public_url.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string
    return url


def twiml_ok() -> HTTPResponse:
    """Empty TwiML: Twilio needs no inline reply, ours follows through the REST API."""
    return response.text(EMPTY_TWIML, content_type="text/xml")


class TwilioOutputBase(GuardedOutput, OutputChannel):
    """Sends bot messages through Twilio's REST API; stateless apart from the database.

    Recipients are conversation ids; `address` turns one into the provider's address.
    """

    channel_name: ClassVar[str] = "twilio"
    part_limit: ClassVar[int] = WHATSAPP_PART_LIMIT

    def __init__(self, config: TwilioConfig) -> None:
        """Build the REST client and the store from the config."""
        self.config = config
        self.client = TwilioRestClient(
            config.account_sid, config.auth_token, config.api_base_url, config.retry
        )
        self.store = ChannelStore(config.database_url)

    @classmethod
    def name(cls) -> str:
        """Channel name, equal to the input channel's."""
        return cls.channel_name

    def button_store(self) -> ChannelStore:
        """Offered buttons go to this channel's own store."""
        return self.store

    # Hooks for the concrete channels.
    def address(self, recipient_id: str) -> str:
        """The provider's address of a conversation of this channel (ForeignConversation else)."""
        return provider_address(self.name(), recipient_id)

    def split(self, text: str) -> List[str]:
        """Split a long text into parts the channel accepts."""
        return split_text(text, self.part_limit)

    async def plan(self, recipient_id: str, text: str, media_url: str | None = None) -> List[Dict[str, Any]]:
        """Return the API requests for one bot message (empty: send nothing)."""
        parts = self.split(text) if text else []
        if not parts and not media_url:
            return []
        requests = []
        for index, part in enumerate(parts or [""]):
            params = self.base_params(recipient_id)
            params["Body"] = part
            if media_url and index == 0:
                params["MediaUrl"] = media_url
            requests.append(params)
        return requests

    def base_params(self, recipient_id: str) -> Dict[str, Any]:
        """To, From (or MessagingServiceSid) and StatusCallback for one request."""
        params: Dict[str, Any] = {"To": self.address(recipient_id)}
        sender = self.config.from_number
        if sender.startswith("MG"):
            params["MessagingServiceSid"] = sender
        else:
            params["From"] = sender
        callback = self.status_callback_url
        if callback:
            params["StatusCallback"] = callback
        return params

    @property
    def status_callback_url(self) -> str | None:
        """Public URL of our /status route (None without LEERWIJZER_PUBLIC_URL)."""
        if not self.config.public_url:
            return None
        return f"{self.config.public_url.rstrip('/')}/webhooks/{self.name()}/status"

    async def post(self, recipient_id: str, params: Dict[str, Any]) -> Dict[str, Any]:
        """Send one API request and record the message id with its first status."""
        reply = await self.client.create_message(params)
        sid = reply.get("sid")
        if sid:
            await self.store.record_status(
                self.name(), sid, str(reply.get("status") or "queued"), recipient_id
            )
        return reply

    async def deliver(
        self, recipient_id: str, text: str, media_url: str | None = None
    ) -> List[Dict[str, Any]]:
        """Plan and send one bot message; return Twilio's replies."""
        replies = []
        for params in await self.plan(recipient_id, text, media_url):
            replies.append(await self.post(recipient_id, params))
        return replies

    # Rasa's OutputChannel interface.
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text (split only when longer than the channel allows)."""
        await self.deliver(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send ONE message with a numbered list and remember the options.

        The numbers go on across the turn ("3. Hier wil ik heen" under the third walk-in hour),
        so a typed number means one button of everything the turn offered.
        """
        offered = await self.remember_buttons(recipient_id, buttons)
        first = len(offered) - len(buttons) + 1
        await self.deliver(recipient_id, numbered_list(text, offered[first - 1 :], first))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send an image as media."""
        await self.deliver(recipient_id, "", media_url=image)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Send custom JSON: {"text"|"body", "media_url", "content_sid", "content_variables"}."""
        content_sid = json_message.get("content_sid")
        if content_sid:
            params = self.base_params(recipient_id)
            params["ContentSid"] = content_sid
            variables = json_message.get("content_variables")
            if variables is not None:
                params["ContentVariables"] = (
                    variables if isinstance(variables, str) else json.dumps(variables)
                )
            await self.post(recipient_id, params)
            return
        text = str(json_message.get("text") or json_message.get("body") or "")
        await self.deliver(recipient_id, text, json_message.get("media_url"))


class TwilioInputBase(InputChannel):
    """Receives Twilio webhooks for one sending number (WhatsApp or SMS)."""

    channel_name: ClassVar[str] = "twilio"
    output_class: ClassVar[Type[TwilioOutputBase]] = TwilioOutputBase
    required_credentials: ClassVar[tuple] = ("account_sid", "auth_token", "from_number")

    def __init__(self, config: TwilioConfig) -> None:
        """Keep the config; the validator signs with the auth token."""
        self.config = config
        self.validator = RequestValidator(config.auth_token)
        self.store = ChannelStore(config.database_url)
        if not config.public_url:
            logger.warning(
                "%s: LEERWIJZER_PUBLIC_URL is not set; Twilio signatures are checked against "
                "the URL this server sees, which breaks behind a proxy.",
                self.channel_name,
            )

    @classmethod
    def name(cls) -> str:
        """Channel name; also the URL prefix (/webhooks/<name>/webhook)."""
        return cls.channel_name

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> TwilioInputBase:
        """Build from credentials.yml; refuse (the Rasa way) when credentials are missing."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        missing = [key for key in cls.required_credentials if not credentials.get(key)]
        if missing:
            logger.error("%s channel: missing credentials %s", cls.name(), ", ".join(missing))
            cls.raise_missing_credentials_exception()
        return cls(cls.config_from_credentials(credentials))

    @classmethod
    def config_from_credentials(
        cls, credentials: Mapping[str, Any], env: Mapping[str, str] | None = None
    ) -> TwilioConfig:
        """Merge credentials with optional settings from the environment."""
        settings = ChannelSettings.from_env(env)
        return TwilioConfig(
            account_sid=str(credentials["account_sid"]),
            auth_token=str(credentials["auth_token"]),
            from_number=cls.normalise_from(str(credentials["from_number"])),
            database_url=str(credentials.get("database_url") or settings.database_url),
            api_base_url=credentials.get("api_base_url") or settings.TWILIO_API_BASE_URL,
            public_url=credentials.get("public_url") or settings.LEERWIJZER_PUBLIC_URL,
            template_sid=credentials.get("template_sid") or settings.TWILIO_WHATSAPP_TEMPLATE_SID,
        )

    @classmethod
    def normalise_from(cls, number: str) -> str:
        """Normalise the configured sender (WhatsApp adds the prefix)."""
        return number.strip()

    def get_output_channel(self) -> TwilioOutputBase:
        """A fresh, stateless output (also used by Rasa's API for pushed messages)."""
        return self.output_class(self.config)

    # Inbound parsing.
    def valid_signature(self, request: Request, form: TwilioForm) -> bool:
        """Check X-Twilio-Signature over the public URL and the form fields."""
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return False
        url = signed_url(request, self.config.public_url)
        try:
            return bool(self.validator.validate(url, form, signature))
        except Exception:  # malformed URL or header: treat as forged
            logger.debug("Signature check raised", exc_info=True)
            return False

    def inbound_message(self, form: TwilioForm) -> InboundMessage:
        """Normalise a Twilio inbound form; ValueError when it is not a message."""
        sender = form.first("From").strip()
        if not sender or len(sender) > MAX_SENDER_CHARS:
            raise ValueError("missing or invalid From")
        try:
            conversation = conversation_id(self.name(), sender)
        except ForeignConversation as exc:
            raise ValueError("unusable From") from exc
        metadata: Dict[str, Any] = {"provider": "twilio"}
        for key, name in (("ProfileName", "profile_name"), ("WaId", "wa_id"), ("To", "to")):
            if form.first(key):
                metadata[name] = clean_text(form.first(key))[:128]
        location = _location(form)
        if location:
            metadata["location"] = location
        text = self.clean_body(form.first("Body"))
        payload = None
        if form.first("ButtonPayload"):
            # A WhatsApp button reply: its title is what the user saw and tapped.
            payload = clean_text(form.first("ButtonPayload"))
            text = clean_text(form.first("ButtonText"))[:200] or text
        return InboundMessage(
            channel=self.name(),
            sender_id=conversation,
            text=text,
            provider_message_id=(form.first("MessageSid") or form.first("SmsMessageSid"))[:64] or None,
            media=_media(form),
            metadata=metadata,
            payload=payload,
        )

    def clean_body(self, raw: str) -> str:
        """Clean the typed text (bounded, trimmed; the door makes sure it is never a command)."""
        return clean_text(raw)

    # Processing after Twilio got its answer.
    async def before_bot(self, receipt: Receipt, output: OutputChannel) -> bool:
        """Handle a message without the bot (SMS keywords); True when handled."""
        return False

    async def process(self, receipt: Receipt, on_new_message: Any) -> None:
        """Record the inbound time, map numbered replies and deliver through the door."""
        message = receipt.message
        output = self.get_output_channel()
        await self.store.record_inbound(self.name(), message.sender_id)
        if await self.before_bot(receipt, output):
            if receipt.inbox_id is not None:
                await get_door().gate.done(receipt.inbox_id)
            return
        offer = await self.store.get_button_offer(self.name(), message.sender_id)
        if offer and not message.payload and message.text and not message.media:
            choice = match_button_reply(message.text, offer)
            if choice:
                message.payload = str(choice["payload"])
        if offer:
            # "1", "2" mean something only right after the list that numbered them.
            await self.store.clear_button_offer(self.name(), message.sender_id)
        await get_door().deliver(receipt, output, on_new_message, offered=offer or [])

    def blueprint(self, on_new_message: Any) -> Blueprint:
        """Routes: GET / (health), POST /webhook (messages), POST /status (delivery)."""
        blueprint = Blueprint(f"{self.name()}_webhook")

        async def replay(receipt: Receipt) -> None:
            await self.process(receipt, on_new_message)

        keep_replaying(blueprint, self.name(), replay)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            """Liveness of this channel."""
            return response.json({"status": "ok", "channel": self.name()})

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            """Verify, keep the message, answer Twilio, handle it in the background."""
            if len(request.body or b"") > MAX_FORM_BYTES:
                return response.text("form too large", status=413)
            form = parse_twilio_form(request)
            if form is None:
                return response.text("expected a form body", status=400)
            if not self.valid_signature(request, form):
                logger.warning("%s webhook: invalid Twilio signature refused", self.name())
                return response.text("invalid signature", status=403)
            try:
                message = self.inbound_message(form)
            except ValueError as exc:
                return response.text(str(exc), status=400)
            try:
                receipt = await get_door().receive(message)
            except GateUnavailable:
                # Not kept, so not acknowledged: Twilio reports the failure and can retry.
                return response.text("temporarily unavailable", status=503)
            if receipt.outcome.value != "duplicate":
                spawn_in_order(
                    self.name(),
                    message.sender_id,
                    self.process(receipt, on_new_message),
                    f"{self.name()} inbound",
                )
            return twiml_ok()

        @blueprint.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            """Record a delivery status callback (known statuses only)."""
            form = parse_twilio_form(request)
            if form is None:
                return response.text("expected a form body", status=400)
            if not self.valid_signature(request, form):
                logger.warning("%s status: invalid Twilio signature refused", self.name())
                return response.text("invalid signature", status=403)
            sid = form.first("MessageSid") or form.first("SmsSid")
            state = (form.first("MessageStatus") or form.first("SmsStatus")).strip().lower()
            if not sid or not state:
                return response.text("missing MessageSid or MessageStatus", status=400)
            if state not in KNOWN_STATUSES:
                # Answer 200 so Twilio does not retry, but store nothing we do not know.
                logger.info("%s status: unknown status ignored", self.name())
                return response.text("", status=200)
            recipient = None
            if form.first("To"):
                try:
                    recipient = conversation_id(self.name(), form.first("To"))
                except ForeignConversation:
                    recipient = None
            error_code = form.first("ErrorCode") or None
            await self.store.record_status(self.name(), sid, state, recipient, error_code)
            if state in ("failed", "undelivered"):
                logger.warning(
                    "%s message %s %s (error %s)", self.name(), sid, state, form.first("ErrorCode")
                )
            return response.text("", status=200)

        return blueprint


def _media(form: TwilioForm) -> List[MediaItem]:
    """MediaUrlN / MediaContentTypeN pairs, at most NumMedia (bounded)."""
    try:
        count = int(form.first("NumMedia", "0") or 0)
    except ValueError:
        count = 0
    items = []
    for index in range(max(0, min(count, MAX_MEDIA))):
        url = form.first(f"MediaUrl{index}").strip()
        if url:
            content_type = form.first(f"MediaContentType{index}")[:100]
            items.append(MediaItem(url=url[:2000], content_type=content_type))
    return items


def _location(form: TwilioForm) -> Dict[str, Any] | None:
    """Latitude/Longitude (+ Address, Label) as metadata, when valid."""
    try:
        latitude = float(form.first("Latitude"))
        longitude = float(form.first("Longitude"))
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    location: Dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for key in ("Address", "Label"):
        if form.first(key):
            location[key.lower()] = clean_text(form.first(key))[:300]
    return location
