"""A small aiohttp server on 127.0.0.1 in its own thread, usable from any event loop."""

from __future__ import annotations

import asyncio
import atexit
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, List

from aiohttp import web


@dataclass
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    params: Dict[str, Any]
    headers: Dict[str, str]
    status: int = 0
    received_at: float = field(default_factory=time.monotonic)


class FakeServer:
    """Base class: records requests, can fail the next ones, runs in a background thread."""

    def __init__(self) -> None:
        """Prepare state; call `start()` to listen."""
        self._lock = threading.Lock()
        self._requests: List[RecordedRequest] = []
        self._failures: Deque[int] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # Subclasses add routes.
    def routes(self, app: web.Application) -> None:
        """Register the fake's routes."""
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        """Listen on a free loopback port in a daemon thread."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            app = web.Application()
            self.routes(app)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.SockSite(self._runner, sock).start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start")
        atexit.register(self.stop)
        return self

    def stop(self) -> None:
        """Stop the server thread."""
        if self._loop and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread:
                self._thread.join(5)

    # Test controls.
    def reset(self) -> None:
        """Forget recorded requests and queued failures."""
        with self._lock:
            self._requests.clear()
            self._failures.clear()

    def fail_next(self, *statuses: int) -> None:
        """Answer the next requests with these HTTP statuses (then succeed again)."""
        with self._lock:
            self._failures.extend(statuses)

    def _next_failure(self) -> int | None:
        """Pop a queued failure status, if any."""
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def _record(self, request: RecordedRequest) -> None:
        """Store a request."""
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> List[RecordedRequest]:
        """Every request received so far (a copy)."""
        with self._lock:
            return list(self._requests)

    def wait_for(
        self, predicate: Callable[[List[RecordedRequest]], bool], timeout: float = 10.0
    ) -> List[RecordedRequest]:
        """Block until predicate(requests) holds; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.requests):
                return self.requests
            time.sleep(0.02)
        raise AssertionError(f"{type(self).__name__}: condition not met; got {self.requests!r}")

    async def async_wait_for(
        self, predicate: Callable[[List[RecordedRequest]], bool], timeout: float = 10.0
    ) -> List[RecordedRequest]:
        """Like wait_for, without blocking the caller's event loop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.requests):
                return self.requests
            await asyncio.sleep(0.02)
        raise AssertionError(f"{type(self).__name__}: condition not met; got {self.requests!r}")


async def read_params(request: web.Request) -> Dict[str, Any]:
    """Form or JSON body as a dict (form fields with one value become strings)."""
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    form = await request.post()
    params: Dict[str, Any] = {}
    for key in form:
        values = form.getall(key)
        params[key] = values[0] if len(values) == 1 else list(values)
    return params
