"""The door every inbound user message passes through, whatever the channel.

1. The connector verifies who is writing (signature, secret, signed session, token) and makes
   a channel-qualified conversation id (channels/identity.py).
2. `Door.receive` keeps the message in ONE database transaction of the gate: dedupe by the
   provider's message id, per-conversation rate limit, ownership check (an advisor's chat is
   logged for the advisor), and a durable inbox row. Only then may a webhook be acknowledged:
   a message that was acknowledged is never lost, even if this process dies next.
3. `Door.deliver` hands a bot-owned message to Rasa: typed text can never become a command,
   a button payload counts only when it is one this conversation was offered, and a
   conversation that Rasa still has paused while the helpdesk says the bot owns it is resumed
   (and logged). The inbox row is marked done afterwards.
4. `Door.replay` answers inbox rows that were kept but never delivered (the process died):
   each channel runs it when the server starts and every few seconds after.

Gating here, not only with Rasa's pause, keeps the bot silent even after `/restart` or
session expiry. The gate is injected at start-up; without one (or when it fails) messages are
refused, never silently given to the bot.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Protocol

from rasa.core.channels.channel import OutputChannel, UserMessage

from channels.identity import ForeignConversation, belongs_to
from channels.store import ChannelStore
from leerwijzer.redact import mask_id

logger = logging.getLogger(__name__)

# Longest text we pass on; beyond this NLU gains nothing and memory is at risk.
MAX_TEXT_CHARS = 2000
# Client metadata (REST, web) larger than this as JSON is dropped.
MAX_METADATA_CHARS = 2000

# Messages without readable text become these intents, so the bot answers kindly
# ("I can only read text") instead of guessing an intent for an empty string.
MEDIA_ONLY_PAYLOAD = "/media_received"
EMPTY_PAYLOAD = "/empty_message"


# The greeting a new conversation starts with, made by the server (web session, Telegram /start).
def greeting_payload(language: str, **referral: str) -> str:
    """The server's own greeting of a new chat ('/greet{"language": "nl"}'), never a client's.

    `referral`: the ambassador's name and place of a chat from their link (channels/referrals.py).
    """
    entities = {"language": "en" if language == "en" else "nl", **referral}
    return "/greet" + json.dumps(entities, ensure_ascii=False)


GREETING = re.compile(r"^/greet(\{.*\})?$")


def payload_language(trusted_payload: str | None) -> str | None:
    """The language of the server's greeting payload ("nl" or "en"), None for anything else."""
    found = GREETING.match(trusted_payload or "")
    if not found:
        return None
    try:
        language = json.loads(found.group(1) or "{}").get("language")
    except ValueError:
        return None
    return "en" if language == "en" else "nl"


# Said once when a conversation sends more messages per minute than allowed.
RATE_LIMIT_TEXT = (
    "Je stuurt veel berichten snel achter elkaar. Wacht even een minuut, dan lees ik weer mee.\n"
    "You are sending many messages quickly. Please wait a minute, then I will read along again."
)

# Characters Rasa (or a look-alike-normalising step) could read as the intent prefix "/".
SLASHES = frozenset("/\u2044\u2215\u29f8\u2571\u27cb\u2afd\uff0f\u01c0\u30fb")
# Invisible characters a client could put before a slash.
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u180e")


class GateUnavailable(RuntimeError):
    """The ownership record cannot be read: refuse the message (the provider retries)."""


@dataclass(frozen=True)
class MediaItem:
    """A picture, voice note or file the user sent; kept aside for the advisor."""

    url: str
    content_type: str = ""


@dataclass
class InboundMessage:
    """A user message after the writer was verified, normalised the same way for every channel.

    `text` is what the user typed (never trusted as a command). `payload` is a button payload
    the user chose, set only by the connector from a provider's button reply or a numbered
    choice; it reaches the bot only when this conversation was offered that button.
    """

    channel: str
    sender_id: str
    text: str
    provider_message_id: str | None = None
    media: List[MediaItem] = field(default_factory=list)
    metadata: Dict[str, Any] = field(default_factory=dict)
    payload: str | None = None
    # Set by the server itself (e.g. the greeting of a new web session), never by a client.
    trusted_payload: str | None = None

    def to_json(self) -> str:
        """Serialise for the inbox."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> InboundMessage:
        """Rebuild a message kept in the inbox."""
        data = json.loads(text)
        data["media"] = [MediaItem(**item) for item in data.get("media") or []]
        return cls(**data)


class RouteOutcome(str, enum.Enum):
    """What happened to an inbound message."""

    TO_BOT = "to_bot"
    TO_ADVISOR = "to_advisor"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"


@dataclass
class Receipt:
    """The gate's answer for one kept message."""

    outcome: RouteOutcome
    message: InboundMessage
    inbox_id: int | None = None
    # The conversation went through a handoff before: check that Rasa is not still paused.
    was_handed_off: bool = False
    # The first message over the rate limit in this minute: tell the user once.
    notify_rate_limit: bool = False


class ConversationGate(Protocol):
    """Who answers a conversation, and the durable inbox of messages not yet answered."""

    async def receive(self, message: InboundMessage, rate_limit_per_minute: int) -> Receipt:
        """Dedupe, rate-limit, check ownership and keep the message, in one transaction."""

    async def done(self, inbox_id: int) -> None:
        """Mark a kept message as answered."""

    async def claim_pending(self, channel: str, limit: int = 20) -> List[Receipt]:
        """Take kept messages of a channel that were never answered (their process died)."""


def neutralize_command(text: str) -> str:
    """Typed text that can never be read as a Rasa intent payload ("/intent{...}").

    Rasa strips the text and treats a leading "/" as a command. We strip whitespace,
    invisible characters and slash look-alikes from the start until none is left, so
    "/ /restart", "/ + tab + /inform{...}", a zero-width space before "/restart" and a
    full-width slash all become plain text that NLU classifies.
    """
    text = (text or "").strip()
    while text and (text[0] in SLASHES or text[0] in INVISIBLE or _folds_to_slash(text[0])):
        text = text[1:].strip()
    return text


def _folds_to_slash(char: str) -> bool:
    """True for any character that Unicode compatibility folding turns into "/"."""
    return unicodedata.normalize("NFKC", char) == "/"


def clean_text(raw: Any) -> str:
    """Turn whatever the provider sent into safe text: str, no NULs, trimmed, bounded."""
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = str(raw).replace("\x00", "").strip()
    return text[:MAX_TEXT_CHARS]


def clean_metadata(raw: Any) -> Dict[str, Any]:
    """Client metadata as a small dict; anything else or anything too large becomes {}."""
    if not isinstance(raw, dict):
        return {}
    try:
        size = len(json.dumps(raw, ensure_ascii=False, default=str))
    except (TypeError, ValueError):
        return {}
    return raw if size <= MAX_METADATA_CHARS else {}


def bot_text(message: InboundMessage, offered: List[Dict[str, str]] | None) -> str:
    """What Rasa gets: a trusted or offered payload, else the neutralised typed text."""
    if message.trusted_payload:
        return message.trusted_payload
    payloads = {str(button.get("payload")) for button in offered or ()}
    chosen = message.payload
    if chosen is None and message.text.strip() in payloads:
        chosen = message.text.strip()  # web and REST clients send the payload as text
    if chosen is not None and chosen in payloads:
        return chosen
    if chosen is not None:
        logger.warning(
            "%s: button payload not offered to %s ignored", message.channel, mask_id(message.sender_id)
        )
    text = neutralize_command(message.text)
    if text:
        return text
    return MEDIA_ONLY_PAYLOAD if message.media else EMPTY_PAYLOAD


def _looks_like_choice(message: InboundMessage) -> bool:
    """Only then is it worth reading the offered buttons (saves a query per message)."""
    text = message.text.strip()
    return bool(message.payload) or (bool(text) and text[0] in SLASHES)


ResumeHook = Callable[[str], Awaitable[bool]]
# Turns a first message with an ambassador's code into the referred greeting (channels/referrals.py).
ReferralHook = Callable[["InboundMessage"], Awaitable["InboundMessage"]]


class Door:
    """The inbound door: a gate (ownership + inbox) and the channels' offered buttons."""

    def __init__(
        self,
        gate: ConversationGate,
        store: ChannelStore | None,
        rate_limit_per_minute: int = 20,
        resume_if_paused: ResumeHook | None = None,
        referral: ReferralHook | None = None,
    ) -> None:
        """Keep the gate, the button store, the hook that un-pauses Rasa's tracker, the referral hook."""
        self.gate = gate
        self.store = store
        self.rate_limit_per_minute = rate_limit_per_minute
        self.resume_if_paused = resume_if_paused
        self.referral = referral

    async def receive(self, message: InboundMessage) -> Receipt:
        """Check the id belongs to the channel, then keep the message (GateUnavailable on failure)."""
        if not belongs_to(message.channel, message.sender_id):
            raise ForeignConversation(f"{message.channel} cannot write to another channel's conversation")
        message.text = clean_text(message.text)
        message.metadata = clean_metadata(message.metadata)
        if self.referral is not None:
            # Before the gate: a provider's retry of a referred first message finds the referral
            # made and passes as it is, and the gate then drops it as a duplicate.
            message = await self.referral(message)
        try:
            return await self.gate.receive(message, self.rate_limit_per_minute)
        except Exception as exc:
            logger.exception("Helpdesk gate failed for %s: message refused", mask_id(message.sender_id))
            raise GateUnavailable(str(exc)) from exc

    async def deliver(
        self,
        receipt: Receipt,
        output: OutputChannel,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        offered: List[Dict[str, str]] | None = None,
    ) -> None:
        """Hand a bot-owned message to Rasa (or say "slow down" once), then mark it done.

        `offered`: the buttons the channel already read for this message (else read here).
        """
        message = receipt.message
        try:
            if receipt.outcome is RouteOutcome.RATE_LIMITED:
                if receipt.notify_rate_limit:
                    await output.send_text_message(message.sender_id, RATE_LIMIT_TEXT)
                return
            if receipt.outcome is not RouteOutcome.TO_BOT:
                return
            wants_offer = not message.trusted_payload and _looks_like_choice(message)
            if offered is None and wants_offer and self.store is not None:
                offered = await self.store.get_button_offer(message.channel, message.sender_id)
            if (
                receipt.was_handed_off
                and self.resume_if_paused is not None
                and await self.resume_if_paused(message.sender_id)
            ):
                logger.warning(
                    "Conversation %s was paused in Rasa while the helpdesk says the bot owns it: resumed.",
                    mask_id(message.sender_id),
                )
            metadata = dict(message.metadata)
            if message.media:
                metadata["media"] = [{"url": m.url, "content_type": m.content_type} for m in message.media]
            text = bot_text(message, offered)
            if message.payload and text == message.payload:
                metadata["button_reply"] = {"title": message.text, "payload": text}
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    message.sender_id,
                    input_channel=message.channel,
                    metadata=metadata,
                )
            )
        finally:
            if receipt.inbox_id is not None:
                await self.gate.done(receipt.inbox_id)

    async def replay(
        self,
        channel: str,
        handle: Callable[[Receipt], Awaitable[Any]],
    ) -> int:
        """Answer kept messages of a channel that no process answered; return how many."""
        receipts = await self.gate.claim_pending(channel)
        for receipt in receipts:
            logger.info("Answering a kept %s message of %s", channel, mask_id(receipt.message.sender_id))
            try:
                await handle(receipt)
            except Exception:  # noqa: BLE001 - one bad message must not stop the others
                logger.exception("Kept %s message of %s failed", channel, mask_id(receipt.message.sender_id))
        return len(receipts)


_door: Door | None = None


def get_door() -> Door:
    """The door injected at start-up; GateUnavailable when there is none."""
    if _door is None:
        raise GateUnavailable("no conversation gate was installed at start-up")
    return _door


def set_door(door: Door | None) -> None:
    """Install the door (start-up, tests); None removes it."""
    global _door
    _door = door


async def route_inbound(
    message: InboundMessage,
    output_channel: OutputChannel,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    door: Door | None = None,
) -> RouteOutcome:
    """Receive and, when the bot owns the chat, deliver one message (for synchronous channels)."""
    door = door or get_door()
    receipt = await door.receive(message)
    if receipt.outcome is RouteOutcome.DUPLICATE:
        logger.info("Duplicate delivery on %s ignored.", message.channel)
    else:
        await door.deliver(receipt, output_channel, on_new_message)
    return receipt.outcome


REPLAY_EVERY_SECONDS = 5.0


def keep_replaying(
    blueprint: Any,
    channel: str,
    handle: Callable[[Receipt], Awaitable[Any]],
) -> None:
    """Run `Door.replay` for a channel when the server starts and every few seconds after."""

    async def loop() -> None:
        while True:
            try:
                if _door is not None:
                    await _door.replay(channel, handle)
            except Exception:  # noqa: BLE001 - the next round tries again
                logger.exception("Replaying kept %s messages failed", channel)
            await asyncio.sleep(REPLAY_EVERY_SECONDS)

    install_on_start(blueprint)

    @blueprint.listener("after_server_start")
    async def start_replay(app: Any, _loop: Any) -> None:
        task = asyncio.get_running_loop().create_task(loop())
        app.ctx.__dict__.setdefault("leerwijzer_replay_tasks", []).append(task)

    @blueprint.listener("before_server_stop")
    async def stop_replay(app: Any, _loop: Any) -> None:
        for task in app.ctx.__dict__.pop("leerwijzer_replay_tasks", []):
            task.cancel()


def install_on_start(blueprint: Any) -> None:
    """Every channel's blueprint installs the door when the server starts (once per process)."""

    @blueprint.listener("after_server_start")
    async def install(app: Any, _loop: Any) -> None:
        install_door(app)


def install_door(app: Any = None) -> Door:
    """Build the door from the settings once per process (start-up of the Rasa server)."""
    global _door
    if _door is None:
        from channels.referrals import referral_hook
        from helpdesk.gate import DatabaseGate  # the helpdesk owns who answers a chat
        from leerwijzer.settings import get_settings

        settings = get_settings()
        _door = Door(
            DatabaseGate.from_settings(settings),
            ChannelStore(settings.database_url),
            settings.rate_limit_per_minute,
            resume_hook(app) if app is not None else None,
            referral_hook(settings.database_url),
        )
    elif app is not None and _door.resume_if_paused is None:
        _door.resume_if_paused = resume_hook(app)
    return _door


def resume_hook(app: Any) -> ResumeHook:
    """A hook that resumes a paused tracker through the Rasa agent of this server."""

    async def resume_if_paused(sender_id: str) -> bool:
        from rasa.shared.core.constants import ACTION_LISTEN_NAME
        from rasa.shared.core.events import ActionExecuted, ConversationResumed

        agent = getattr(app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return False
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.tracker_store.retrieve(sender_id)
            if tracker is None or not tracker.is_paused():
                return False
            tracker.update(ConversationResumed())
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await agent.tracker_store.save(tracker)
        return True

    return resume_if_paused
