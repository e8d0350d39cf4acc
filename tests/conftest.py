"""Fixtures shared by every test folder: a seeded catalogue database and the real stack."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Iterator

import pytest

from leerwijzer.settings import PROJECT_ROOT, Settings, get_settings
from offer_catalogue.database import sample_sqlite_database


def free_port() -> int:
    """Ask the OS for a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seeded_sqlite_url(folder: Path) -> str:
    """Create a SQLite database in `folder`, migrate it and load the sample catalogue."""
    return sample_sqlite_database(folder)


@pytest.fixture(scope="session")
def sample_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a SQLite database with the sample catalogue (built once per test run)."""
    return seeded_sqlite_url(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture()
def app_settings(sample_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Point the process settings at the sample database for one test."""
    monkeypatch.setenv("LEERWIJZER_DATABASE_URL", sample_database_url)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def trained_model() -> Path:
    """The model `make train` built: LEERWIJZER_TEST_MODEL, else the newest in models/."""
    configured = os.environ.get("LEERWIJZER_TEST_MODEL")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else PROJECT_ROOT / path
    models = sorted((PROJECT_ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.fail("No trained model: run `make train` (make test does it for you).")
    return models[-1]


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory, sample_database_url: str) -> Iterator[object]:
    """The real action server and Rasa server, as `make run` starts them, on free ports.

    Secrets are made by the launcher as in `make run` (kept in the stack's own runtime folder,
    passed to the children only through the environment); tests read them from
    `stack.secrets` (by variable name) and `stack.token` (RASA_API_TOKEN).
    """
    from leerwijzer.launcher import Stack
    from tests.fakes import channel_test_env, shared_fake_telegram, shared_fake_twilio

    folder = tmp_path_factory.mktemp("stack")
    settings = Settings(
        runtime_dir=folder,
        database_url=sample_database_url,
        tracker_store_db=str(folder / "tracker.db"),
        rasa_port=free_port(),
        action_port=free_port(),
        console_port=free_port(),
    )
    # Every channel is on, talking to fake Twilio and Telegram APIs on loopback.
    extra_env = channel_test_env(shared_fake_twilio().base_url, shared_fake_telegram().base_url)
    # An advisor is always "in office" for the end-to-end run; the offline path is tested
    # at API level (tests/helpdesk/test_offline.py). Fast polling keeps the console live.
    extra_env.update(LEERWIJZER_OFFICE_HOURS="always", LEERWIJZER_HELPDESK_POLL_SECONDS="0.5")
    stack = Stack(model=trained_model(), settings=settings, extra_env=extra_env, log_dir=folder / "logs")
    try:
        stack.start(timeout=300)
    except Exception:
        for log in sorted((folder / "logs").glob("*.log")):
            print(f"----- {log.name} -----\n{log.read_text(errors='replace')[-4000:]}")
        raise
    yield stack
    stack.stop()
