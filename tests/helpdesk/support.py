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
from typing import Dict, Iterator

import httpx
from aiohttp import web

from helpdesk import auth
from helpdesk.database import engine_for, session_scope
from leerwijzer.settings import PROJECT_ROOT
from tests.fakes.server import FakeServer, RecordedRequest

ADMIN_PASSWORD = "admin-password-123"
ADVISOR_PASSWORD = "advisor-password-123"
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
    with session_scope(url) as session:
        return auth.create_advisor(session, username, username.title(), password, role, rounds=4).id


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

    def routes(self, app: web.Application) -> None:
        """Register the tracker events and trigger_intent routes."""

        async def events(request: web.Request) -> web.Response:
            return await self._handle(request)

        app.router.add_post("/conversations/{sender}/tracker/events", events)
        app.router.add_post("/conversations/{sender}/trigger_intent", events)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        failure = self._next_failure()
        self._record(
            RecordedRequest(
                method=request.method,
                path=request.path,
                params={"query": dict(request.query), "body": body},
                headers=dict(request.headers),
                status=failure or 200,
            )
        )
        if failure:
            return web.json_response({"error": "fail"}, status=failure)
        return web.json_response({"sender_id": request.match_info["sender"], "events": []})

    def bodies(self, sender: str | None = None) -> list:
        """Bodies of the requests for one sender (or all), in order."""
        return [
            (r.path.rsplit("/", 1)[-1] if r.path.endswith("trigger_intent") else "events", r.params["body"])
            for r in self.requests
            if sender is None or f"/conversations/{sender}/" in r.path
        ]


@dataclass
class Console:
    """A console process started for a test."""

    base_url: str
    process: subprocess.Popen
    log: Path

    def client(self) -> httpx.Client:
        """A fresh HTTP client (own cookie jar)."""
        return httpx.Client(base_url=self.base_url, timeout=20)

    def login(self, username: str, password: str) -> LoggedIn:
        """Log in; return a client that sends the CSRF header."""
        client = self.client()
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
