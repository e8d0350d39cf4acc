"""E2E fixtures for the helpdesk: the advisor console that the launcher started."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.helpdesk.support import ADVISOR_PASSWORD, add_account


@dataclass
class ConsoleStack:
    """The running console, its URL and the advisor account made for the tests."""

    url: str
    username: str
    password: str
    database_url: str


@pytest.fixture(scope="session")
def console_stack(rasa_stack: object) -> ConsoleStack:
    """`python -m helpdesk.console` as `make run` starts it, with an advisor account."""
    database_url = rasa_stack.settings.database_url  # type: ignore[attr-defined]
    add_account(database_url, "eva", ADVISOR_PASSWORD)
    return ConsoleStack(rasa_stack.console_url, "eva", ADVISOR_PASSWORD, database_url)  # type: ignore[attr-defined]
