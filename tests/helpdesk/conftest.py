"""Fixtures for helpdesk tests: a private database copy, a fake Rasa API, a console process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import free_port
from tests.helpdesk.support import (
    ADMIN_PASSWORD,
    ADVISOR_PASSWORD,
    TEST_JWT_SECRET,
    Console,
    FakeRasa,
    add_account,
    copy_sample_database,
    start_console,
)


@dataclass
class Helpdesk:
    """A running console with its database, fake Rasa and accounts."""

    database_url: str
    console: Console
    rasa: FakeRasa
    log_dir: Path


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    """Rasa's HTTP API as a recording fake (the e2e tests use the real one)."""
    server = FakeRasa().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def helpdesk(
    sample_database_url: str, tmp_path_factory: pytest.TempPathFactory, fake_rasa: FakeRasa
) -> Iterator[Helpdesk]:
    """A console process on a private copy of the sample database, office always open."""
    folder = tmp_path_factory.mktemp("helpdesk")
    url = copy_sample_database(sample_database_url, folder)
    add_account(url, "admin", ADMIN_PASSWORD, "admin")
    add_account(url, "anna", ADVISOR_PASSWORD)
    add_account(url, "bram", ADVISOR_PASSWORD)
    console = start_console(
        free_port(),
        {
            "LEERWIJZER_DATABASE_URL": url,
            "LEERWIJZER_RASA_URL": fake_rasa.base_url,
            # Set, to show that the console does not use it: it signs JWTs with the secret.
            "RASA_API_TOKEN": "fake-static-token",
            "RASA_JWT_SECRET": TEST_JWT_SECRET,
            "LEERWIJZER_TRACKER_DB": str(folder / "tracker.db"),  # the purge must not touch var/
            "LEERWIJZER_OFFICE_HOURS": "always",
            "LEERWIJZER_HELPDESK_POLL_SECONDS": "0.3",
        },
        folder / "logs",
    )
    yield Helpdesk(url, console, fake_rasa, folder / "logs")
    console.stop()
