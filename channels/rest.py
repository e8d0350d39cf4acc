"""REST channel (`/webhooks/rest/webhook`) that passes through the same door as every channel.

Rasa's built-in RestInput hands every message straight to the bot, from anyone, for any
sender id. This one needs `Authorization: Bearer <LEERWIJZER_REST_TOKEN>` (without a
configured token the channel is off), qualifies the sender as `rest:<sender>` so a REST
client can never address another channel's conversation, validates the body (400 instead
of a crash), dedupes by an optional `message_id`, and asks the gate first, so the bot stays
silent while an advisor owns the conversation.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.delivery import GuardedOutput
from channels.identity import ForeignConversation, conversation_id
from channels.inbound import GateUnavailable, InboundMessage, RouteOutcome, install_on_start, route_inbound

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128


class RestOutput(GuardedOutput, CollectingOutputChannel):
    """Collects the bot's replies to return them in the HTTP response."""

    @classmethod
    def name(cls) -> str:
        """Channel name, as stored in the tracker."""
        return GatedRestInput.name()

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Collect the message and remember its buttons (their payloads may come back)."""
        await self.remember_buttons(recipient_id, buttons)
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)


class GatedRestInput(InputChannel):
    """Synchronous JSON channel: POST a message, get the bot's replies in the response."""

    def __init__(self, token: str | None = None) -> None:
        """Keep the bearer token clients must send (None: the channel refuses every message)."""
        self.token = token

    @classmethod
    def name(cls) -> str:
        """Channel name used in the URL (/webhooks/rest/webhook)."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """The token comes from the environment (LEERWIJZER_REST_TOKEN), never from a file."""
        from leerwijzer.settings import get_settings

        return cls(get_settings().rest_token)

    def authorized(self, request: Request) -> bool:
        """Constant-time check of `Authorization: Bearer <token>`."""
        if not self.token:
            return False
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: `/` health and `/webhook`."""
        rest = Blueprint("gated_rest_webhook", __name__)
        install_on_start(rest)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "channel": self.name()})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.authorized(request):
                return response.json({"error": "Send Authorization: Bearer <REST token>."}, status=401)
            try:
                body = request.json
            except Exception:  # sanic raises on bodies that are not JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "Send a JSON object with sender and message."}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return response.json({"error": "sender must be a non-empty string."}, status=400)
            try:
                conversation = conversation_id(self.name(), sender.strip())
            except ForeignConversation:
                error = {"error": "sender may hold letters, digits and :+._@- only."}
                return response.json(error, status=400)
            message_id = body.get("message_id")
            collector = RestOutput()
            try:
                outcome = await route_inbound(
                    InboundMessage(
                        channel=self.name(),
                        sender_id=conversation,
                        text=body.get("message") if isinstance(body.get("message"), str) else "",
                        # The client picks the id: dedupe within its own conversation only.
                        provider_message_id=f"{conversation}/{str(message_id)[:100]}" if message_id else None,
                        metadata=body.get("metadata"),  # cleaned and bounded by the door
                    ),
                    collector,
                    on_new_message,
                )
            except GateUnavailable:
                return response.json({"error": "Temporarily unavailable; try again."}, status=503)
            if outcome is RouteOutcome.DUPLICATE:
                return response.json([], headers={"X-Leerwijzer-Duplicate": "1"})
            return response.json(collector.messages)

        return rest
