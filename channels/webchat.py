"""Web chat channel: socket.io with session persistence, plus the embeddable widget.

Rasa's own SocketIOInput is not reused as is: with python-socketio 5.x its
`enter_room` is a coroutine that Rasa 3.6 never awaits, so bot replies never reach a
persistent session's room. This module awaits it, routes every message through the
shared inbound door (dedupe + advisor gate), and can use a Redis or RabbitMQ client
manager so any Rasa replica can reach a browser connected to another one.

Sessions are issued by the server: the browser gets a token `<id>.<signature>` signed with
LEERWIJZER_WEB_SESSION_SECRET and brings it back after a reload; the conversation id is
`web:<id>`. A browser cannot choose or guess another conversation, and the greeting of a new
conversation is sent by the server, so no client text is ever taken as a command.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List

import socketio
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.delivery import GuardedOutput
from channels.identity import conversation_id
from channels.inbound import (
    GateUnavailable,
    InboundMessage,
    Receipt,
    get_door,
    greeting_payload,
    keep_replaying,
    route_inbound,
)
from channels.referrals import with_referral
from leerwijzer.redact import mask_id
from leerwijzer.settings import get_settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "webchat_static"
STATIC_FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "chat.html": "text/html; charset=utf-8",
    "vendor/socket.io.min.js": "application/javascript; charset=utf-8",
}
USER_EVENT = "user_uttered"
BOT_EVENT = "bot_uttered"
MAX_TOKEN_CHARS = 100


def _client_manager(manager_url: str | None) -> socketio.AsyncManager | None:
    """Build a broker-backed socket.io manager so replicas share rooms, or None."""
    if not manager_url:
        return None
    if manager_url.startswith(("redis://", "rediss://")):
        return socketio.AsyncRedisManager(manager_url)
    if manager_url.startswith(("amqp://", "amqps://")):
        return socketio.AsyncAioPikaManager(manager_url)
    raise ValueError(f"Unsupported socket.io manager URL scheme: {manager_url.split(':')[0]}")


class SessionSigner:
    """Issues web session tokens `<id>.<signature>` and checks the ones browsers bring back.

    The conversation id is `web:<id>`; only this server (holding the key) can make a token for
    it, so a browser can resume its own conversation after a reload but never pick another.
    """

    def __init__(self, secret: str) -> None:
        """Keep the signing key."""
        if not secret:
            raise ValueError("the web chat needs LEERWIJZER_WEB_SESSION_SECRET to sign sessions")
        self.key = secret.encode("utf-8")

    def _signature(self, session: str) -> str:
        digest = hmac.new(self.key, session.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode("ascii")

    def issue(self) -> str:
        """A new token for a new conversation."""
        session = uuid.uuid4().hex
        return f"{session}.{self._signature(session)}"

    def conversation(self, token: Any) -> str | None:
        """The conversation id of a token this server signed, else None."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            return None
        session, _, signature = token.strip().partition(".")
        if not session.isalnum() or not signature:
            return None
        expected = self._signature(session).encode("ascii")
        if not hmac.compare_digest(signature.encode("ascii", "replace"), expected):
            return None
        return conversation_id("webchat", session)


class WebChatOutput(GuardedOutput, SocketIOOutput):
    """Sends bot and advisor messages to the browser room of one conversation."""

    @classmethod
    def name(cls) -> str:
        """Channel name, as stored in the tracker's latest input channel."""
        return WebChatInput.name()

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send the buttons and remember them (their payloads may come back as text)."""
        await self.remember_buttons(recipient_id, buttons)
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)


class WebChatInput(InputChannel):
    """Socket.io input for the web widget, with server-signed sessions that survive reloads."""

    @classmethod
    def name(cls) -> str:
        """Channel name used in URLs (/webhooks/webchat/) and in trackers."""
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """Build from credentials.yml; the signing key comes from the environment only."""
        credentials = credentials or {}
        origins = credentials.get("allowed_origins") or os.environ.get("LEERWIJZER_WIDGET_ORIGINS", "*")
        return cls(
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            allowed_origins=origins,
            manager_url=credentials.get("manager_url")
            or os.environ.get("LEERWIJZER_SOCKETIO_MANAGER_URL")
            or None,
            session_secret=get_settings().web_session_secret or "",
        )

    def __init__(
        self,
        socketio_path: str = "/socket.io",
        allowed_origins: str = "*",
        manager_url: str | None = None,
        session_secret: str = "",
    ) -> None:
        """Create the channel; the socket.io server is made when Rasa asks for the blueprint."""
        self.socketio_path = socketio_path
        self.allowed_origins = (
            "*" if allowed_origins.strip() == "*" else [o.strip() for o in allowed_origins.split(",")]
        )
        self.manager_url = manager_url
        self.signer = SessionSigner(session_secret)
        self.sio: socketio.AsyncServer | None = None

    def get_output_channel(self) -> OutputChannel | None:
        """Output used by Rasa's API to push advisor messages to a browser."""
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, BOT_EVENT)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: `/` health, the widget files, the demo chat page, and socket.io."""
        sio = socketio.AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.allowed_origins,
            client_manager=_client_manager(self.manager_url),
        )
        self.sio = sio
        webchat = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)

        async def replay(receipt: Receipt) -> None:
            # A kept message whose process died: the answer goes to the browser's room.
            await get_door().deliver(receipt, WebChatOutput(sio, BOT_EVENT), on_new_message)

        keep_replaying(webchat, self.name(), replay)

        @webchat.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "channel": self.name()})

        @webchat.route("/chat", methods=["GET"])
        async def chat_page(_: Request) -> HTTPResponse:
            return await response.file(STATIC_DIR / "chat.html", mime_type=STATIC_FILES["chat.html"])

        @webchat.route("/static/<name:path>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            # Only the files listed above: no path from the request touches the disk.
            if name not in STATIC_FILES:
                return response.json({"error": "not found"}, status=404)
            return await response.file(
                STATIC_DIR / name,
                mime_type=STATIC_FILES[name],
                headers={"Cache-Control": "public, max-age=300"},
            )

        async def route(conversation: str, message: InboundMessage) -> None:
            try:
                await route_inbound(message, WebChatOutput(sio, BOT_EVENT), on_new_message)
            except GateUnavailable:
                await sio.emit("session_error", {"reason": "unavailable"}, room=conversation)

        @sio.on("connect")
        async def connect(sid: str, environ: Dict, auth: Dict | None = None) -> bool:
            return True

        @sio.on("session_request")
        async def session_request(sid: str, data: Dict | None) -> None:
            # The browser brings back the token we signed, or gets a new conversation.
            data = data if isinstance(data, dict) else {}
            conversation = self.signer.conversation(data.get("session_id"))
            token = data.get("session_id") if conversation else self.signer.issue()
            conversation = conversation or self.signer.conversation(token)
            await sio.save_session(sid, {"conversation": conversation})
            await sio.enter_room(sid, conversation)
            await sio.emit("session_confirm", token, room=sid)
            if data.get("greet") is True and token != data.get("session_id"):
                # A new conversation starts with the greeting, made here, not by the browser.
                language = "en" if data.get("language") == "en" else "nl"
                greeting = InboundMessage(
                    channel=self.name(),
                    sender_id=conversation,
                    text="",
                    trusted_payload=greeting_payload(language),
                )
                if data.get("ref"):
                    # Opened from an ambassador's link or QR code ("?ref=CODE" on the page).
                    database = get_settings().database_url
                    greeting = await with_referral(greeting, database, str(data["ref"])[:32])
                await route(conversation, greeting)

        @sio.on(USER_EVENT)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session = await sio.get_session(sid)
            conversation = session.get("conversation") if isinstance(session, dict) else None
            if conversation is None:
                await sio.emit("session_error", {"reason": "missing session"}, room=sid)
                return
            message_id = data.get("message_id")
            logger.debug("web message for %s", mask_id(conversation))
            await route(
                conversation,
                InboundMessage(
                    channel=self.name(),
                    sender_id=conversation,
                    text=data.get("message") if isinstance(data.get("message"), str) else "",
                    # The browser picks the id: dedupe within its own conversation only.
                    provider_message_id=f"{conversation}/{str(message_id)[:100]}" if message_id else None,
                    metadata=data.get("metadata"),  # cleaned and bounded by the door
                ),
            )

        return webchat
