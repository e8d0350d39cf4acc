"""Web chat channel: socket.io with session persistence, plus the embeddable widget.

Rasa's own SocketIOInput is not reused as is: with python-socketio 5.x its
`enter_room` is a coroutine that Rasa 3.6 never awaits, so bot replies never reach a
persistent session's room. This module awaits it, routes every message through the
shared inbound door (dedupe + advisor gate), and can use a Redis or RabbitMQ client
manager so any Rasa replica can reach a browser connected to another one.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

import socketio
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.inbound import InboundMessage, clean_text, route_inbound

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
MAX_SESSION_ID_CHARS = 64


def _client_manager(manager_url: str | None) -> socketio.AsyncManager | None:
    """Build a broker-backed socket.io manager so replicas share rooms, or None."""
    if not manager_url:
        return None
    if manager_url.startswith(("redis://", "rediss://")):
        return socketio.AsyncRedisManager(manager_url)
    if manager_url.startswith(("amqp://", "amqps://")):
        return socketio.AsyncAioPikaManager(manager_url)
    raise ValueError(f"Unsupported socket.io manager URL scheme: {manager_url.split(':')[0]}")


def _valid_session_id(value: Any) -> str | None:
    """Accept only short, printable session ids chosen by the widget."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_SESSION_ID_CHARS or not value.replace("-", "").isalnum():
        return None
    return value


class WebChatOutput(SocketIOOutput):
    """Sends bot and advisor messages to the browser room of one conversation."""

    @classmethod
    def name(cls) -> str:
        """Channel name, as stored in the tracker's latest input channel."""
        return WebChatInput.name()


class WebChatInput(InputChannel):
    """Socket.io input for the web widget, with persistent sessions across reloads."""

    @classmethod
    def name(cls) -> str:
        """Channel name used in URLs (/webhooks/webchat/) and in trackers."""
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """Build from credentials.yml; the web channel needs no secrets."""
        credentials = credentials or {}
        origins = credentials.get("allowed_origins") or os.environ.get("LEERWIJZER_WIDGET_ORIGINS", "*")
        return cls(
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            allowed_origins=origins,
            manager_url=credentials.get("manager_url")
            or os.environ.get("LEERWIJZER_SOCKETIO_MANAGER_URL")
            or None,
        )

    def __init__(
        self,
        socketio_path: str = "/socket.io",
        allowed_origins: str = "*",
        manager_url: str | None = None,
    ) -> None:
        """Create the channel; the socket.io server is made when Rasa asks for the blueprint."""
        self.socketio_path = socketio_path
        self.allowed_origins = (
            "*" if allowed_origins.strip() == "*" else [o.strip() for o in allowed_origins.split(",")]
        )
        self.manager_url = manager_url
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

        @sio.on("connect")
        async def connect(sid: str, environ: Dict, auth: Dict | None = None) -> bool:
            return True

        @sio.on("session_request")
        async def session_request(sid: str, data: Dict | None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = _valid_session_id(data.get("session_id")) or uuid.uuid4().hex
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(USER_EVENT)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session_id = _valid_session_id(data.get("session_id"))
            if session_id is None:
                await sio.emit("session_error", {"reason": "missing session_id"}, room=sid)
                return
            if session_id not in sio.rooms(sid):
                await sio.enter_room(sid, session_id)
            metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
            message_id = data.get("message_id")
            await route_inbound(
                InboundMessage(
                    channel=self.name(),
                    sender_id=session_id,
                    text=clean_text(data.get("message")),
                    provider_message_id=str(message_id)[:100] if message_id else None,
                    metadata=metadata,
                ),
                WebChatOutput(sio, BOT_EVENT),
                on_new_message,
            )

        return webchat
