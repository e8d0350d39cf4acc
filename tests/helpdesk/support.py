"""Helpers for helpdesk tests: throwaway databases, a console process, an HTTP client."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator

import httpx
from aiohttp import web

from helpdesk import auth
from helpdesk.database import engine_for, session_scope
from leerwijzer.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port
from tests.fakes.server import FakeServer, RecordedRequest

ADMIN_PASSWORD = "admin-password-123"
ADVISOR_PASSWORD = "advisor-password-123"
COORDINATOR_PASSWORD = "coordinator-password-123"
# The secret Rasa (here: the fakes) checks the console's JWTs with; long enough for HS256.
TEST_JWT_SECRET = "test-jwt-secret-for-the-helpdesk-tests-0123456789"
PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def copy_sample_database(sample_database_url: str, folder: Path) -> str:
    """A private copy of the seeded catalogue database, with the helpdesk tables added."""
    source = Path(sample_database_url.removeprefix("sqlite:///"))
    target = folder / f"helpdesk-{uuid.uuid4().hex[:8]}.db"
    shutil.copy(source, target)
    url = f"sqlite:///{target}"
    engine_for(url)
    return url


def add_account(url: str, username: str, password: str, role: str = "advisor") -> int:
    """Create an advisor or admin (bcrypt cost 4 to keep tests fast); return its id."""
    # write=True: it reads (is the name free?) then writes, while the console may be writing.
    with session_scope(url, write=True) as session:
        return auth.create_advisor(session, username, username.title(), password, role, rounds=4).id


def new_coordinator(helpdesk: Any) -> LoggedIn:
    """A new coordinator account on a running test console, logged in."""
    name = f"coord-{uuid.uuid4().hex[:6]}"
    add_account(helpdesk.database_url, name, COORDINATOR_PASSWORD, "coordinator")
    return helpdesk.console.login(name, COORDINATOR_PASSWORD)


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database for one test run, dropped afterwards."""
    import sqlalchemy as sa

    name = f"lw_helpdesk_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        from helpdesk.database import dispose_engines

        dispose_engines()
        with admin.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


class FakeRasa(FakeServer):
    """Rasa's HTTP API as the console uses it: records events and triggered intents."""

    def __init__(self) -> None:
        """Prepare state; call `start()` to listen."""
        super().__init__()
        self._resumes_to_refuse = 0

    def routes(self, app: web.Application) -> None:
        """Register the tracker events and trigger_intent routes."""

        async def events(request: web.Request) -> web.Response:
            return await self._handle(request)

        app.router.add_post("/conversations/{sender}/tracker/events", events)
        app.router.add_post("/conversations/{sender}/trigger_intent", events)

    def refuse_resumes(self, count: int = 1) -> None:
        """Answer the next `count` resume requests with HTTP 500 (other requests still succeed)."""
        with self._lock:
            self._resumes_to_refuse += count

    def _refuse_this_resume(self, body: object) -> bool:
        """True (and counted) when `body` is a resume and one should be refused."""
        is_resume = isinstance(body, list) and bool(body) and body[0] == {"event": "resume"}
        with self._lock:
            if is_resume and self._resumes_to_refuse > 0:
                self._resumes_to_refuse -= 1
                return True
        return False

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        failure = 500 if self._refuse_this_resume(body) else self._next_failure()
        self._record(
            RecordedRequest(
                method=request.method,
                path=request.path,
                # raw_path: the request line as sent, query and any percent-encoding included.
                params={"query": dict(request.query), "body": body, "raw_path": request.raw_path},
                headers=dict(request.headers),
                status=failure or 200,
            )
        )
        if failure:
            return web.json_response({"error": "fail"}, status=failure)
        return web.json_response({"sender_id": request.match_info["sender"], "events": []})

    def bodies(self, sender: str | None = None, answered: bool = False) -> list:
        """Bodies of the requests for one sender (or all), in order; `answered`: only those answered 200."""
        return [
            (r.path.rsplit("/", 1)[-1] if r.path.endswith("trigger_intent") else "events", r.params["body"])
            for r in self.requests
            if (sender is None or f"/conversations/{sender}/" in r.path) and (not answered or r.status == 200)
        ]


@dataclass
class Console:
    """A console process started for a test."""

    base_url: str
    process: subprocess.Popen
    log: Path

    def client(self, local_address: str | None = None) -> httpx.Client:
        """A fresh HTTP client (own cookie jar); `local_address` e.g. 127.0.0.2 to call from there."""
        transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
        return httpx.Client(base_url=self.base_url, timeout=20, transport=transport)

    def login(self, username: str, password: str, local_address: str | None = None) -> LoggedIn:
        """Log in; return a client that sends the CSRF header."""
        client = self.client(local_address)
        reply = client.post("/api/login", json={"username": username, "password": password})
        assert reply.status_code == 200, reply.text
        return LoggedIn(client, reply.json()["csrf_token"])

    def stop(self) -> None:
        """Stop the process."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class LoggedIn:
    """An advisor's HTTP session with the CSRF token."""

    http: httpx.Client
    csrf: str

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        """GET."""
        return self.http.get(path, **kwargs)

    def post(self, path: str, json: dict | None = None) -> httpx.Response:
        """POST with the CSRF header."""
        return self.http.post(path, json=json, headers={"X-CSRF-Token": self.csrf})


def start_console(port: int, env_overrides: Dict[str, str], log_dir: Path, timeout: float = 60) -> Console:
    """Run `python -m helpdesk.console` and wait for /health."""
    env = dict(os.environ)
    env.update(
        {
            "LEERWIJZER_CONSOLE_PORT": str(port),
            "LEERWIJZER_HOST": "127.0.0.1",
            "LEERWIJZER_CONSOLE_COOKIE_SECURE": "false",
            "PYTHONPATH": str(PROJECT_ROOT),
            # The console refuses to start without it (tests may override it with "").
            "RASA_JWT_SECRET": TEST_JWT_SECRET,
        }
    )
    env.update(env_overrides)
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"console-{port}.log"
    with open(log, "ab") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "helpdesk.console"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"console exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return Console(base, process, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"console did not start: {log.read_text(errors='replace')[-3000:]}")


class InProcessConsole:
    """The console app served on loopback inside the test's own event loop.

    For tests that must look inside the process (which thread runs a query, the background
    tasks); the other tests use a real `python -m helpdesk.console` process.
    """

    def __init__(self, settings: Settings) -> None:
        """Build the app; `start()` listens."""
        from sanic import Sanic

        from helpdesk.console import create_app

        # Sanic 21.12 patches its protocol at the first start of a process and fails at the
        # next start unless test mode is on (see tests/channels/conftest.py).
        Sanic.test_mode = True
        self.port = free_port()
        self.app = create_app(settings, name=f"console_test_{uuid.uuid4().hex[:12]}")
        self.server: Any = None

    @property
    def base_url(self) -> str:
        """Where the app listens."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> InProcessConsole:
        """Listen, running the app's start-up listeners (background tasks) too."""
        self.server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        return self

    async def stop(self) -> None:
        """Stop the background tasks and close the server."""
        await self.server.before_stop()
        await self.server.close()
        await self.server.after_stop()

    async def login(self, username: str, password: str) -> AsyncLoggedIn:
        """Log in with an async client that sends the CSRF header."""
        client = httpx.AsyncClient(base_url=self.base_url, timeout=20)
        reply = await client.post("/api/login", json={"username": username, "password": password})
        assert reply.status_code == 200, reply.text
        return AsyncLoggedIn(client, reply.json()["csrf_token"])


@dataclass
class AsyncLoggedIn:
    """An advisor's async HTTP session with the CSRF token."""

    http: httpx.AsyncClient
    csrf: str

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET."""
        return await self.http.get(path, **kwargs)

    async def post(self, path: str, json: dict | None = None) -> httpx.Response:
        """POST with the CSRF header."""
        return await self.http.post(path, json=json, headers={"X-CSRF-Token": self.csrf})
