"""Headless Debian Chromium driven by Playwright (its own browser download cannot work here)."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Launch /usr/bin/chromium headless; fail clearly when it is not installed."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian chromium is not installed: `make test-e2e` installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def serious_violations(page: Any) -> list[str]:
    """axe-core violations with impact serious or critical, as readable lines (with where)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def log_in(page: Any, url: str, username: str, password: str) -> None:
    """Log in on the advisor console's own page and wait for its live feed."""
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("#live")).to_have_text("live", timeout=15_000)


# The limit questions a search asks when the first message says none, in their order (words of
# the question), and the button of a user who does not mind (bot/domain/intake.yml).
DONT_MIND_BUTTONS = (
    ("online leren", "Allebei goed"),
    ("Hoe ver", "Maakt niet uit"),
    ("Hoeveel mag het kosten", "Meer"),
    # after "Meer", the highest amount (since session 4)
    ("hoogste bedrag", "Maakt niet uit"),
    ("Wanneer heb je tijd", "Maakt niet uit"),
)


def tap_through_limits(page: Any, keyboard: bool = False) -> None:
    """Answer the search's limit questions as a user who does not mind, with clicks or Tab/Enter."""
    from playwright.sync_api import expect

    for question, label in DONT_MIND_BUTTONS:
        # Wait for the question itself: an earlier question's button may still be on the page.
        expect(page.locator(".lw-msg.lw-bot").last).to_contain_text(question, timeout=30_000)
        button = page.get_by_role("button", name=label).last
        expect(button).to_be_visible(timeout=30_000)
        if keyboard:
            button.focus()
            page.keyboard.press("Enter")
        else:
            button.click()
