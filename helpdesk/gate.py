"""The persistent conversation gate used by channels/inbound.py.

It asks the ownership table who owns a conversation. Bot-owned messages go to Rasa;
messages of waiting or advisor-owned conversations are logged for the advisor, the consoles
are woken up, and Rasa never sees them (so `/restart`, button clicks or session expiry
cannot make the bot talk while a person owns the chat).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, TypeVar

from channels.inbound import InboundMessage, RouteOutcome
from helpdesk import store
from helpdesk.broker import notifier_for
from helpdesk.database import session_scope
from leerwijzer.settings import Settings, get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseGate:
    """ConversationGate backed by the helpdesk tables; keeps no state in process memory."""

    def __init__(self, database_url: str, broker_url: str = "", poll_seconds: float = 1.0) -> None:
        self.database_url = database_url
        self.broker_url = broker_url
        self.poll_seconds = poll_seconds

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> DatabaseGate:
        """Build the gate from the settings."""
        settings = settings or get_settings()
        return cls(settings.database_url, settings.helpdesk_broker_url, settings.helpdesk_poll_seconds)

    async def _run(self, work: Callable[[Any], T]) -> T:
        """Run blocking database work in a thread with its own session."""

        def run() -> T:
            with session_scope(self.database_url) as session:
                return work(session)

        return await asyncio.to_thread(run)

    async def first_delivery(self, channel: str, provider_message_id: str) -> bool:
        """Record a provider message id; False when any process saw it before."""
        return await self._run(lambda s: store.first_delivery(s, channel, provider_message_id))

    async def admit(self, message: InboundMessage) -> RouteOutcome:
        """Return TO_BOT for bot-owned chats; otherwise log the message for the advisor."""
        media = [{"url": m.url, "content_type": m.content_type} for m in message.media]
        try:
            owner = await self._run(
                lambda s: store.admit_user_message(
                    s, message.sender_id, message.channel, message.text, media or None
                )
            )
        except Exception:
            # Without the ownership record we cannot know; the bot answering beats silence.
            logger.exception("Helpdesk gate failed; handing the message to the bot.")
            return RouteOutcome.TO_BOT
        if owner in store.HELD_OWNERS:
            await notifier_for(self.broker_url, self.poll_seconds).publish()
            return RouteOutcome.TO_ADVISOR
        return RouteOutcome.TO_BOT
