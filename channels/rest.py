"""REST channel (`/webhooks/rest/webhook`) that passes through the same door as every channel.

Rasa's built-in RestInput hands every message straight to the bot. This one validates the
body (400 on malformed input instead of a crash), dedupes by an optional `message_id`,
and asks the gate first, so the bot stays silent while an advisor owns the conversation.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.inbound import InboundMessage, RouteOutcome, clean_text, route_inbound

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128


class RestOutput(CollectingOutputChannel):
    """Collects the bot's replies to return them in the HTTP response."""

    @classmethod
    def name(cls) -> str:
        """Channel name, as stored in the tracker."""
        return GatedRestInput.name()


class GatedRestInput(InputChannel):
    """Synchronous JSON channel: POST a message, get the bot's replies in the response."""

    @classmethod
    def name(cls) -> str:
        """Channel name used in the URL (/webhooks/rest/webhook)."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """The REST channel needs no secrets."""
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: `/` health and `/webhook`."""
        rest = Blueprint("gated_rest_webhook", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "channel": self.name()})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises on bodies that are not JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "Send a JSON object with sender and message."}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return response.json({"error": "sender must be a non-empty string."}, status=400)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            message_id = body.get("message_id")
            collector = RestOutput()
            outcome = await route_inbound(
                InboundMessage(
                    channel=self.name(),
                    sender_id=sender.strip(),
                    text=clean_text(body.get("message")),
                    provider_message_id=str(message_id)[:100] if message_id else None,
                    metadata=metadata,
                ),
                collector,
                on_new_message,
            )
            if outcome is RouteOutcome.DUPLICATE:
                return response.json([], headers={"X-Leerwijzer-Duplicate": "1"})
            return response.json(collector.messages)

        return rest
