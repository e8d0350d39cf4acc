"""The door every inbound user message passes through, whatever the channel.

Order matters: verify (done by the connector) -> dedupe by the provider's message id ->
ask who owns the conversation -> only a bot-owned conversation reaches Rasa. Gating here,
not only with Rasa's pause, keeps the bot silent even after `/restart` or session expiry.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Protocol

from rasa.core.channels.channel import OutputChannel, UserMessage

logger = logging.getLogger(__name__)

# Longest text we pass on; beyond this NLU gains nothing and memory is at risk.
MAX_TEXT_CHARS = 2000

# Messages without readable text become these intents, so the bot answers kindly
# ("I can only read text") instead of guessing an intent for an empty string.
MEDIA_ONLY_PAYLOAD = "/media_received"
EMPTY_PAYLOAD = "/empty_message"


@dataclass(frozen=True)
class MediaItem:
    """A picture, voice note or file the user sent; kept aside for the advisor."""

    url: str
    content_type: str = ""


@dataclass
class InboundMessage:
    """A user message after signature check, normalised the same way for every channel."""

    channel: str
    sender_id: str
    text: str
    provider_message_id: str | None = None
    media: List[MediaItem] = field(default_factory=list)
    metadata: Dict[str, Any] = field(default_factory=dict)


class RouteOutcome(str, enum.Enum):
    """What happened to an inbound message."""

    TO_BOT = "to_bot"
    TO_ADVISOR = "to_advisor"
    DUPLICATE = "duplicate"


class ConversationGate(Protocol):
    """Who answers a conversation: the bot, or the advisor queue/console."""

    async def first_delivery(self, channel: str, provider_message_id: str) -> bool:
        """Record a provider message id; False when it was seen before."""

    async def admit(self, message: InboundMessage) -> RouteOutcome:
        """Log the message and return TO_BOT or TO_ADVISOR."""


class BotOnlyGate:
    """Gate used until the helpdesk is configured: no dedupe memory, the bot answers all."""

    def __init__(self) -> None:
        """Keep seen ids in memory (one process only; the helpdesk gate persists them)."""
        self._seen: set = set()

    async def first_delivery(self, channel: str, provider_message_id: str) -> bool:
        """Remember the id in this process."""
        key = (channel, provider_message_id)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    async def admit(self, message: InboundMessage) -> RouteOutcome:
        """Always hand the message to the bot."""
        return RouteOutcome.TO_BOT


_gate: ConversationGate | None = None


def get_gate() -> ConversationGate:
    """Return the process-wide gate, built on first use from the settings."""
    global _gate
    if _gate is None:
        try:
            from helpdesk.gate import DatabaseGate  # the helpdesk's persistent gate
        except ImportError:
            logger.info("Helpdesk gate not available: every message goes to the bot.")
            _gate = BotOnlyGate()
        else:
            _gate = DatabaseGate.from_settings()
    return _gate


def set_gate(gate: ConversationGate | None) -> None:
    """Replace the gate (tests); None means build it again from the settings."""
    global _gate
    _gate = gate


def clean_text(raw: Any) -> str:
    """Turn whatever the provider sent into safe text: str, no NULs, trimmed, bounded."""
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = str(raw).replace("\x00", "").strip()
    return text[:MAX_TEXT_CHARS]


async def route_inbound(
    message: InboundMessage,
    output_channel: OutputChannel,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    gate: ConversationGate | None = None,
) -> RouteOutcome:
    """Dedupe, log and route one inbound message; only bot-owned chats reach Rasa."""
    gate = gate or get_gate()
    if message.provider_message_id and not await gate.first_delivery(
        message.channel, message.provider_message_id
    ):
        logger.info("Duplicate delivery %s on %s ignored.", message.provider_message_id, message.channel)
        return RouteOutcome.DUPLICATE
    outcome = await gate.admit(message)
    if outcome is RouteOutcome.TO_BOT:
        text = message.text or (MEDIA_ONLY_PAYLOAD if message.media else EMPTY_PAYLOAD)
        metadata = dict(message.metadata)
        if message.media:
            metadata["media"] = [{"url": m.url, "content_type": m.content_type} for m in message.media]
        await on_new_message(
            UserMessage(
                text,
                output_channel,
                message.sender_id,
                input_channel=message.channel,
                metadata=metadata,
            )
        )
    return outcome
