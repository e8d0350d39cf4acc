"""Conversation ids that say which channel proved them.

Every conversation id (Rasa's sender id, the helpdesk's `sender_id`) starts with the name of
the channel that verified the writer, so a client of one channel can never address another
channel's conversation: the REST channel only ever makes `rest:...` ids, the web chat only
`web:...` ids it signed itself, and so on.

| channel  | proved by                         | conversation id           | provider address |
|----------|-----------------------------------|---------------------------|------------------|
| whatsapp | Twilio signature                  | `whatsapp:+31612345678`   | the same         |
| sms      | Twilio signature                  | `sms:+31687654321`        | `+31687654321`   |
| telegram | webhook secret header             | `telegram:424242`         | `424242`         |
| webchat  | session id signed by this server  | `web:<id>`                | the socket room  |
| rest     | bearer token                      | `rest:<client's id>`      | (HTTP response)  |

The ids are sent to Rasa's HTTP API as they are (Rasa does not URL-decode the path), so
they only hold characters that need no encoding in a URL path: see ADDRESSABLE.
"""

from __future__ import annotations

import re

PREFIXES = {
    "whatsapp": "whatsapp:",
    "sms": "sms:",
    "telegram": "telegram:",
    "webchat": "web:",
    "rest": "rest:",
}
# Characters a conversation id may hold: letters, digits and ':+._@-' (no '/', '%', '?').
ADDRESSABLE = re.compile(r"^[A-Za-z0-9:+._@-]{1,200}$")


class ForeignConversation(ValueError):
    """A conversation id that the given channel did not make (or that cannot be addressed)."""


def conversation_id(channel: str, provider_id: str) -> str:
    """The conversation id for a writer proved by `channel` (e.g. sms, "+316..." -> "sms:+316...")."""
    prefix = PREFIXES[channel]
    provider_id = str(provider_id).strip()
    # WhatsApp's own address already carries the prefix.
    value = provider_id if provider_id.startswith(prefix) else prefix + provider_id
    if not ADDRESSABLE.match(value):
        raise ForeignConversation(f"{channel}: id has characters a conversation id may not hold")
    return value


def provider_address(channel: str, conversation: str) -> str:
    """The provider's address inside a conversation id; ForeignConversation for another channel's."""
    prefix = PREFIXES[channel]
    if not conversation.startswith(prefix):
        raise ForeignConversation(f"{channel}: not a conversation of this channel")
    return conversation if channel == "whatsapp" else conversation[len(prefix) :]


def channel_of(conversation: str) -> str | None:
    """The channel a conversation id belongs to, or None for an id of no channel."""
    for channel, prefix in PREFIXES.items():
        if conversation.startswith(prefix):
            return channel
    return None


def belongs_to(channel: str, conversation: str) -> bool:
    """True when `conversation` is an addressable id made by `channel`."""
    return conversation.startswith(PREFIXES.get(channel, "\0")) and bool(ADDRESSABLE.match(conversation))
