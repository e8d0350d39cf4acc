"""A conversation that starts from a learning ambassador's link or code is greeted for them.

The web chat brings the `ref` of its page URL; a WhatsApp or SMS first message carries the
ambassador's prefilled "... code ABCD2345"; Telegram's deep link arrives as "/start ABCD2345".
With a valid, active code for a conversation not yet referred, the message becomes the server's
own greeting payload with the ambassador's name and place (a trusted payload: no client text
becomes a command). Anything else passes unchanged: a forged code is an ordinary message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from typing import Awaitable, Callable

import sqlalchemy as sa

from channels.inbound import GREETING, InboundMessage, greeting_payload, payload_language
from channels.store import inbox
from helpdesk import ambassadors
from leerwijzer.redact import mask_id

logger = logging.getLogger(__name__)

TELEGRAM_START = re.compile(r"^/start(?:@\w+)?\s+(\S+)\s*$", re.IGNORECASE)
# What may reach a payload from a name a coordinator typed: letters, digits, spaces and a few marks.
UNSAFE = re.compile(r"[^\w .,'&()-]+")


def _safe(text: str) -> str:
    """Text fit for a payload and a greeting: safe characters, single spaces."""
    return " ".join(UNSAFE.sub(" ", text).split())


def referred_greeting(language: str, welcome: ambassadors.Welcome) -> str:
    """The server's greeting payload with the ambassador's name and place, made safe."""
    return greeting_payload(
        language, ambassador_name=_safe(welcome.name)[:80], ambassador_place=_safe(welcome.place)[:120]
    )


def code_of(message: InboundMessage) -> str | None:
    """The ambassador code a first message carries, if any."""
    start = TELEGRAM_START.match(message.text or "")
    if start:
        return ambassadors.clean_code(start.group(1))
    return ambassadors.code_in_text(message.text or "")


def _start(database_url: str, code: str, message: InboundMessage) -> ambassadors.Welcome | None:
    from helpdesk.database import session_scope

    with session_scope(database_url, write=True) as session:
        earlier = session.execute(
            sa.select(inbox.c.id).where(inbox.c.conversation_id == message.sender_id).limit(1)
        ).first()
        if earlier is not None:
            # Not the conversation's first message: a forwarded invite mid-chat stays a message.
            return None
        # A provider's retry after the gate failed: the referral is there, the welcome is not yet.
        return ambassadors.start_referral(
            session, code, message.sender_id, message.channel
        ) or ambassadors.welcome_of(session, message.sender_id, code)


async def with_referral(
    message: InboundMessage, database_url: str, code: str | None = None
) -> InboundMessage:
    """The message as the referred greeting when it starts from a valid code, else unchanged.

    `code`: one the connector read itself (the web chat page's `ref`); otherwise it is read from
    the text. A database failure leaves the message as it was: a chat is never lost for a count.
    """
    if message.payload or (message.trusted_payload and not GREETING.match(message.trusted_payload)):
        return message
    code = ambassadors.clean_code(code) if code is not None else code_of(message)
    if code is None:
        return message
    try:
        welcome = await asyncio.to_thread(_start, database_url, code, message)
    except Exception:  # noqa: BLE001 - the chat goes on without the referral
        logger.exception("Recording the referral of %s failed", mask_id(message.sender_id))
        return message
    if welcome is None:
        return message
    return dataclasses.replace(
        message, trusted_payload=referred_greeting(payload_language(message.trusted_payload) or "nl", welcome)
    )


def referral_hook(database_url: str) -> Callable[[InboundMessage], Awaitable[InboundMessage]]:
    """The door's referral hook for the app database (channels.inbound.Door)."""

    async def referral(message: InboundMessage) -> InboundMessage:
        return await with_referral(message, database_url)

    return referral
