"""Wake-ups for live consoles: database polling (embedded) or Redis pub/sub (scale-out).

Events themselves live in the `hd_events` table, so nothing is lost when a console restarts
or misses a wake-up; the broker only shortens the time until a console looks again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

logger = logging.getLogger(__name__)

CHANNEL = "leerwijzer:helpdesk:events"


class Notifier(Protocol):
    """Publishes "something changed" and lets a console wait for it."""

    async def publish(self) -> None:
        """Tell every console instance to look at the event feed."""

    def subscribe(self) -> Subscription:
        """A subscription for one live connection."""


class Subscription(Protocol):
    """One listener; `wait` returns on a wake-up or after the timeout."""

    async def wait(self, timeout: float) -> None:
        """Wait for a wake-up or the timeout."""

    async def close(self) -> None:
        """Release the listener."""


class PollingSubscription:
    """Embedded default: look at the database every `interval` seconds."""

    def __init__(self, interval: float) -> None:
        self.interval = interval

    async def wait(self, timeout: float) -> None:
        """Sleep one polling interval."""
        await asyncio.sleep(min(self.interval, timeout))

    async def close(self) -> None:
        """Nothing to release."""


class PollingNotifier:
    """No external service: consoles poll the event table."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval

    async def publish(self) -> None:
        """Nothing to do: pollers will see the new rows."""

    def subscribe(self) -> PollingSubscription:
        """A polling listener."""
        return PollingSubscription(self.interval)


class RedisSubscription:
    """Listens on the Redis channel; a safety poll still runs every `timeout` seconds."""

    def __init__(self, client: object) -> None:
        self.pubsub = client.pubsub()  # type: ignore[attr-defined]
        self.subscribed = False

    async def wait(self, timeout: float) -> None:
        """Return on the first wake-up message or after the timeout."""
        if not self.subscribed:
            await self.pubsub.subscribe(CHANNEL)
            self.subscribed = True
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=remaining)
            if message is not None:
                return

    async def close(self) -> None:
        """Unsubscribe and give the connection back."""
        try:
            await self.pubsub.unsubscribe(CHANNEL)
            await self.pubsub.close()
        except Exception:  # the connection may already be gone
            logger.debug("Redis pub/sub close failed", exc_info=True)


class RedisNotifier:
    """Scale-out: a Redis pub/sub message wakes every console instance at once."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis_asyncio

        self.url = url
        self.client = redis_asyncio.from_url(url)

    async def publish(self) -> None:
        """Publish a wake-up; a failure only delays consoles until their safety poll."""
        try:
            await self.client.publish(CHANNEL, "1")
        except Exception:
            logger.warning("Could not publish a helpdesk wake-up to Redis", exc_info=True)

    def subscribe(self) -> RedisSubscription:
        """A Redis listener."""
        return RedisSubscription(self.client)


_notifiers: dict = {}


def notifier_for(url: str | None, poll_seconds: float = 1.0) -> Notifier:
    """Notifier for a broker URL: empty means polling; redis:// means Redis pub/sub."""
    url = (url or "").strip()
    loop_key = (url, id(asyncio.get_event_loop()) if url else 0)
    if loop_key in _notifiers:
        return _notifiers[loop_key]
    if not url:
        notifier: Notifier = PollingNotifier(poll_seconds)
    elif url.startswith(("redis://", "rediss://", "unix://")):
        notifier = RedisNotifier(url)
    else:
        raise ValueError(f"Unsupported helpdesk broker URL scheme: {url.split(':')[0]}")
    _notifiers[loop_key] = notifier
    return notifier
