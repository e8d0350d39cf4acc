"""Outbound delivery: async Twilio REST client with bounded retries, and background tasks."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Set, Tuple, TypeVar

import httpx
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

T = TypeVar("T")

TWILIO_API_BASE_URL = "https://api.twilio.com"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a send is retried (exponential backoff with jitter)."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, hint: float | None = None) -> float:
        """Seconds to wait before attempt `attempt + 1`; a server hint wins, within bounds."""
        if hint is not None and hint >= 0:
            return min(hint, self.max_delay)
        backoff = self.base_delay * (2 ** (attempt - 1))
        return min(backoff * (1 + random.random() * 0.2), self.max_delay)


# Module-level default; tests swap it for a faster one.
DEFAULT_RETRY = RetryPolicy()


class DeliveryError(RasaException):
    """A message could not be delivered to the provider (after retries, or refused)."""

    def __init__(self, message: str, status: int | None = None, code: Any | None = None) -> None:
        """Keep the HTTP status and the provider's error code for the caller."""
        super().__init__(message)
        self.status = status
        self.code = code


class RetryableError(Exception):
    """Raised inside a send attempt that may succeed when tried again."""

    def __init__(self, message: str, delay_hint: float | None = None) -> None:
        """Keep the provider's Retry-After hint, if any."""
        super().__init__(message)
        self.delay_hint = delay_hint


async def with_retries(
    attempt: Callable[[], Awaitable[T]], policy: RetryPolicy | None = None, what: str = "send"
) -> T:
    """Run `attempt` until it succeeds, retrying RetryableError with bounded backoff."""
    policy = policy or DEFAULT_RETRY
    for number in range(1, policy.max_attempts + 1):
        try:
            return await attempt()
        except RetryableError as exc:
            if number >= policy.max_attempts:
                raise DeliveryError(f"{what} failed after {number} attempts: {exc}") from exc
            delay = policy.delay(number, exc.delay_hint)
            logger.warning("%s attempt %d failed (%s); retrying in %.2fs", what, number, exc, delay)
            await asyncio.sleep(delay)
    raise DeliveryError(f"{what} failed: no attempts allowed")  # pragma: no cover


def _retry_after(headers: httpx.Headers) -> float | None:
    """Parse a numeric Retry-After header."""
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None


class TwilioRestClient:
    """Minimal async client for Twilio's Messages API (stateless: one HTTP client per call)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        timeout: float = 10.0,
    ) -> None:
        """Configure account, credentials and API base URL (a fake in tests)."""
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.base_url = (base_url or TWILIO_API_BASE_URL).rstrip("/")
        self.policy = policy
        self.timeout = timeout

    @property
    def messages_url(self) -> str:
        """URL of the account's Messages resource."""
        return f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    async def create_message(self, params: Dict[str, Any]) -> Dict[str, Any]:
        """POST one message; retry 429/5xx and network errors, raise DeliveryError otherwise."""
        data = {key: value for key, value in params.items() if value not in (None, "", [])}

        async def attempt() -> Dict[str, Any]:
            async with httpx.AsyncClient(
                auth=(self.account_sid, self.auth_token), timeout=self.timeout
            ) as client:
                try:
                    reply = await client.post(self.messages_url, data=data)
                except httpx.TransportError as exc:
                    raise RetryableError(f"network error: {exc!r}") from exc
            if reply.status_code in RETRY_STATUSES:
                raise RetryableError(f"HTTP {reply.status_code}", _retry_after(reply.headers))
            if reply.status_code >= 400:
                body = _json_or_empty(reply)
                raise DeliveryError(
                    f"Twilio refused the message: HTTP {reply.status_code} "
                    f"code {body.get('code')}: {body.get('message', reply.text[:200])}",
                    status=reply.status_code,
                    code=body.get("code"),
                )
            return _json_or_empty(reply)

        return await with_retries(attempt, self.policy, what="Twilio send")


def _json_or_empty(reply: httpx.Response) -> Dict[str, Any]:
    """Decode a JSON object body, or return {}."""
    try:
        body = reply.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class GuardedOutput:
    """Mixin for our output channels: what every channel does the same around sending.

    - A bot message that cannot be delivered is logged, not raised: if it were raised, Rasa
      would not save the tracker, so an action's work (an erase!) would be half undone and the
      user would get silence on the next message too. An advisor's message (metadata
      source=advisor, set by the console) still raises, so the console can say it failed.
    - The buttons of every message are remembered per conversation, because a button payload
      is accepted from a user only when this conversation was offered that button. Every
      button of the bot's turn is kept: three walk-in hours are three messages, and each can be
      tapped (web, REST, Telegram) or chosen by its number (WhatsApp, SMS number on across the
      turn: "1", "2", "3").
    """

    def button_store(self) -> Any:
        """The ChannelStore to remember offered buttons in (None: do not remember)."""
        from channels.store import ChannelStore  # late: the store imports nothing of ours

        return ChannelStore.default()

    async def remember_buttons(
        self, recipient_id: str, buttons: List[Dict[str, Any]]
    ) -> List[Dict[str, str]]:
        """Store the buttons offered to a conversation this turn; all of them, these last.

        The previous turn's offer is replaced. One output channel object serves one turn (each
        connector makes one per message), so what it offered before in this turn stays valid.
        """
        from channels.formatting import offered_buttons

        turn: Dict[str, List[Dict[str, str]]] = self.__dict__.setdefault("_buttons_this_turn", {})
        remembered = turn[recipient_id] = [*turn.get(recipient_id, []), *offered_buttons(buttons)]
        store = self.button_store()
        if store is not None:
            await store.save_button_offer(self.name(), recipient_id, remembered)  # type: ignore[attr-defined]
        return remembered

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Send as Rasa does; log (not raise) a bot message that could not be delivered."""
        from_advisor = message.get("source") == "advisor"
        try:
            await super().send_response(recipient_id, message)  # type: ignore[misc]
        except DeliveryError as exc:
            if from_advisor:
                raise
            from leerwijzer.redact import mask_id

            logger.warning(
                "%s: bot message to %s not delivered: %s", self.name(), mask_id(recipient_id), exc  # type: ignore[attr-defined]
            )


_background: Set[asyncio.Task[Any]] = set()


def spawn(coro: Awaitable[Any], name: str) -> asyncio.Task[Any]:
    """Run work after the webhook answered; keep a reference and log failures."""
    task = asyncio.ensure_future(coro)
    _background.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        _background.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            logger.error("Background %s failed", name, exc_info=finished.exception())

    task.add_done_callback(done)
    return task


_sender_locks: Dict[Tuple[int, str, str], asyncio.Lock] = {}
_sender_users: Dict[Tuple[int, str, str], int] = {}


def spawn_in_order(channel: str, sender_id: str, coro: Awaitable[Any], name: str) -> asyncio.Task[Any]:
    """Like `spawn`, but one sender's messages are handled one at a time, in arrival order."""
    key = (id(asyncio.get_running_loop()), channel, sender_id)

    async def ordered() -> Any:
        # Runs its first step in creation order; asyncio.Lock queues waiters FIFO.
        lock = _sender_locks.setdefault(key, asyncio.Lock())
        _sender_users[key] = _sender_users.get(key, 0) + 1
        try:
            async with lock:
                return await coro
        finally:
            _sender_users[key] -= 1
            if not _sender_users[key]:
                _sender_users.pop(key, None)
                _sender_locks.pop(key, None)

    return spawn(ordered(), name)


async def drain_background(timeout: float = 10.0) -> None:
    """Wait until background work of the current loop is done (tests, graceful stop)."""
    loop = asyncio.get_running_loop()
    pending: List[asyncio.Task[Any]] = [t for t in _background if t.get_loop() is loop]
    while pending:
        await asyncio.wait(pending, timeout=timeout)
        pending = [t for t in _background if t.get_loop() is loop and not t.done()]
