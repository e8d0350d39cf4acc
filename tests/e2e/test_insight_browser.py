"""The library's insight in headless Chromium: a real chat is counted, a coordinator reads the page.

A user asks the web chat for a computer course in Helmond: the real Rasa and action servers
count a new web chat and a fitting search. Earlier months' figures for Asten are added as the
counters would have made them. A coordinator opens the insight page from the console, filters
on Asten, reads the chart and the table (a figure under 5 shows as "<5"), downloads the CSV, and
the page has no serious accessibility problem at desktop and tablet width. Figures are rounded
to 5 on the page (eight questions show as 10, six as 5).
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Dict, Tuple

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from helpdesk import counts
from helpdesk.database import session_scope
from helpdesk.models import InsightCount
from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.browser import chromium, log_in, serious_violations, tap_through_limits
from tests.helpdesk.support import add_account

pytestmark = pytest.mark.e2e

SCREENSHOT = PROJECT_ROOT / "docs" / "img" / "insight.png"
PASSWORD = "coordinator-password-2"
EARLIER = "2026-01"  # a month no other test counts in


def counted(database_url: str) -> Dict[Tuple[str, str, str, str, str], int]:
    """Every count by (metric, channel, theme, municipality, detail), summed over the rest."""
    totals: Dict[Tuple[str, str, str, str, str], int] = {}
    with session_scope(database_url) as session:
        for row in session.execute(select(InsightCount)).scalars():
            key = (row.metric, row.channel, row.theme, row.municipality, row.detail)
            totals[key] = totals.get(key, 0) + row.count
    return totals


def seed_earlier_month(database_url: str) -> None:
    """Asten, January: six searches for sign language that were too far, two that fitted.

    Counted as the search action counts them: once, and once per theme.
    """
    with session_scope(database_url, write=True) as session:
        for detail, times in (("distance", 6), ("fitted", 2)):
            for _ in range(times):
                counts.count_question(
                    session, ["sign_language"], channel="sms", municipality="Asten", detail=detail
                )
        session.execute(
            update(InsightCount)
            .where(InsightCount.municipality == "Asten", InsightCount.channel == "sms")
            .values(month=EARLIER)
        )


def test_a_real_chat_is_counted_and_a_coordinator_reads_the_insight(rasa_stack, console_stack):
    url = console_stack.database_url
    cora = f"cora-{uuid.uuid4().hex[:6]}"
    add_account(url, cora, PASSWORD, "coordinator")
    before = counted(url)
    with chromium() as browser:
        user = browser.new_context().new_page()
        user.goto(rasa_stack.chat_url)
        expect(user.locator(".lw-msg.lw-bot").first).to_contain_text("Leerwijzer", timeout=30_000)
        user.get_by_label("Typ je bericht").fill("Ik zoek een computercursus in Helmond")
        user.keyboard.press("Enter")
        tap_through_limits(user)
        expect(user.get_by_role("button", name="Dit helpt me")).to_be_visible(timeout=30_000)
        after = counted(url)
        grown = {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}
        assert grown == {
            ("chat", "webchat", "", "", ""): 1,
            ("search", "webchat", "", "Helmond", "fitted"): 1,
            ("search_theme", "webchat", "computer_basics", "Helmond", "fitted"): 1,
        }

        seed_earlier_month(url)
        coordinator = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        ).new_page()
        log_in(coordinator, console_stack.url, cora, PASSWORD)
        coordinator.get_by_role("link", name="Inzicht: wat vraagt de regio?").click()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text("Inzicht: wat vraagt de regio?")
        coordinator.get_by_label("Van maand").fill(EARLIER)
        coordinator.get_by_label("Tot en met maand").fill(EARLIER)
        coordinator.get_by_label("Gemeente (alleen zoekvragen)").select_option("Asten")
        coordinator.get_by_role("button", name="Toon").click()
        expect(coordinator.get_by_label("Gemeente (alleen zoekvragen)")).to_have_value("Asten")

        unmet = coordinator.locator("section#unmet")
        chart = unmet.get_by_role("img")
        alt = "Staafdiagram Wat mensen zoeken en niet vinden. Grootste: Te ver weg: 5."
        expect(chart).to_have_attribute("alt", alt + " Alle cijfers staan in de tabel.")
        coordinator.wait_for_load_state("load")  # the charts are images: loaded with the page
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
        unmet.get_by_text("Tabel", exact=True).click()
        expect(unmet.get_by_role("row", name="Gebarentaal Te ver weg Asten 5")).to_be_visible()
        questions = coordinator.locator("section#questions")
        questions.get_by_text("Tabel", exact=True).click()
        # Two fitted plus six too far: eight questions about sign language in Asten that month,
        # shown rounded to 10 (every figure is rounded to 5, so a hidden one cannot be worked out).
        expect(questions.get_by_role("row", name=f"Gebarentaal Asten {EARLIER} 10")).to_be_visible()
        # No chat started in January (0 is shown as 0: nobody); 1 to 4 would show as "<5".
        months = coordinator.locator("section#months")
        months.get_by_text("Tabel", exact=True).click()
        expect(months.get_by_role("row", name=f"{EARLIER} 0 10")).to_be_visible()

        with coordinator.expect_download() as download:
            unmet.get_by_role("link", name="Deze tabel als CSV").click()
        rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
        assert rows == [
            ["Thema", "Wat niet paste", "Gemeente", "Zoekvragen"],
            ["Gebarentaal", "Te ver weg", "Asten", "5"],
        ]

        assert serious_violations(coordinator) == []
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        coordinator.screenshot(path=str(SCREENSHOT), full_page=True)
        coordinator.set_viewport_size({"width": 800, "height": 1000})
        assert serious_violations(coordinator) == []
