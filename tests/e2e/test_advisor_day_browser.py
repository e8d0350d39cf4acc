"""An advisor's day in headless Chromium, through the console's own page.

A coordinator writes a standard reply; an advisor sees the waiting count in the tab title,
opens the longest-waiting chat, claims it, sends the standard reply and hands back with the
keyboard; then calls back a task (number masked until opened) and records how it ended. The
page is checked with axe at 1280 px and on a tablet.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from helpdesk import store, tasks
from helpdesk.database import session_scope
from helpdesk.models import END_RELEASED, OWNER_WAITING, Task
from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.browser import chromium, log_in, serious_violations
from tests.helpdesk.support import add_account

pytestmark = pytest.mark.e2e

SCREENSHOT = PROJECT_ROOT / "docs" / "img" / "console-day.png"
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
CLOCK = re.compile(r"^\d\d:\d\d$")


def start_of_the_day(database_url: str) -> None:
    """An empty queue: chats other tests left waiting go back to the bot."""
    with session_scope(database_url) as session:
        for item in store.queue(session)["waiting"]:
            store.return_to_bot(session, item["id"], OWNER_WAITING, None, END_RELEASED)


def test_an_advisors_day_in_the_console(rasa_stack, console_stack):
    start_of_the_day(console_stack.database_url)
    cora = f"cora-{uuid.uuid4().hex[:6]}"
    add_account(console_stack.database_url, cora, "cora-password-1", "coordinator")
    reply_text = f"Met je bibliotheekpas leen je ook e-books. Code {uuid.uuid4().hex[:4]}."
    with session_scope(console_stack.database_url) as session:
        task_id = tasks.create_task(
            session, "callback", f"sms:+3161234{uuid.uuid4().int % 10000:04d}", "sms", "nl",
            {"question": "ik wil leren werken met de computer", "municipality": "Helmond"},
            phone="0612345678", preferred_time="dinsdagochtend", name="Leonie",
        ).id

    with chromium() as browser:
        # 1. The coordinator adds a standard reply for everyone.
        coordinator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in(coordinator, console_stack.url, cora, "cora-password-1")
        expect(coordinator.get_by_role("heading", name="Standaardantwoorden")).to_be_visible()
        # Accounts stay with the admins.
        expect(coordinator.get_by_role("heading", name="Adviseurs", exact=True)).to_be_hidden()
        coordinator.get_by_label("Titel").fill("Bibliotheekpas")
        coordinator.get_by_label("Tekst", exact=True).fill(reply_text)
        coordinator.get_by_role("button", name="Standaardantwoord opslaan").click()
        expect(coordinator.locator("#replies")).to_contain_text("Bibliotheekpas")

        # 2. A user on the website asks for a person.
        user = browser.new_context().new_page()
        user.goto(rasa_stack.chat_url)
        bot = user.locator(".lw-msg.lw-bot")
        expect(bot.first).to_contain_text("Leerwijzer", timeout=30_000)
        user.get_by_label("Typ je bericht").fill("Ik wil graag een mens spreken over een cursus")
        user.keyboard.press("Enter")
        expect(bot.last).to_contain_text("Je komt dan in de wachtrij", timeout=30_000)
        user.get_by_role("button", name="Ja, graag").click()
        expect(bot.last).to_contain_text("adviseur", timeout=30_000)

        # 3. The advisor's tab title counts the waiting chat; times read as clock times.
        advisor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in(advisor, console_stack.url, console_stack.username, console_stack.password)
        expect(advisor).to_have_title(re.compile(r"^\(1\) Leerwijzer"), timeout=15_000)
        waiting = advisor.locator("#queue-waiting .case").first
        expect(waiting).to_contain_text("Website")
        expect(waiting).to_contain_text(re.compile(r"Wacht < 1 min · sinds \d\d:\d\d"))
        assert serious_violations(advisor) == []

        # 4. Keyboard only: Alt+N opens the longest-waiting chat, Alt+O claims it.
        advisor.keyboard.press("Alt+N")
        expect(advisor.locator("#transcript")).to_contain_text("een mens spreken over een cursus")
        # The question in the person's own words heads the summary.
        expect(advisor.locator("#summary dd[data-key=question]")).to_have_text(
            "Ik wil graag een mens spreken over een cursus"
        )
        expect(advisor.locator("#claim")).to_be_focused()
        advisor.keyboard.press("Alt+O")
        expect(advisor.locator("#owner")).to_have_attribute("data-owner", "advisor", timeout=10_000)
        expect(bot.last).to_contain_text("Je praat nu met", timeout=15_000)
        expect(advisor).to_have_title(re.compile(r"^Leerwijzer"), timeout=15_000)
        stamps = advisor.locator("#transcript time").all_text_contents()
        assert stamps and all(CLOCK.match(stamp) for stamp in stamps), stamps

        # 5. A message over the limit is not sent but explained (a reply added to long text).
        box = advisor.get_by_label("Bericht aan de gebruiker")
        box.evaluate("(box, text) => { box.value = text; }", "x" * 2001)
        advisor.get_by_role("button", name="Versturen").click()
        expect(advisor.locator("#status")).to_contain_text("Het mag er 2000 zijn")
        box.fill("")
        # The standard reply goes into the message box; Ctrl+Enter sends it.
        advisor.get_by_label("Standaardantwoord").select_option(label="Bibliotheekpas")
        expect(advisor.get_by_label("Bericht aan de gebruiker")).to_have_value(reply_text)
        advisor.get_by_label("Bericht aan de gebruiker").focus()
        advisor.keyboard.press("Control+Enter")
        expect(bot.last).to_contain_text(reply_text, timeout=15_000)
        expect(advisor.get_by_label("Bericht aan de gebruiker")).to_have_value("")

        # 6. The call-back task: the question, the number masked until opened, then done.
        task = advisor.locator(f"#tasks li[data-id='{task_id}']")
        expect(task.locator("strong")).to_have_text("Terugbellen: Leonie")
        expect(task).to_contain_text("Vraag: ik wil leren werken met de computer")
        expect(task).to_contain_text("SMS")
        expect(task.locator(".number")).to_have_text("••••••••78")
        assert "0612345678" not in advisor.content()
        task.get_by_role("button", name="Toon nummer (wordt vastgelegd)").click()
        expect(task.get_by_role("link", name="0612345678")).to_have_attribute("href", "tel:0612345678")
        assert not ISO_TIME.search(advisor.locator("main").inner_text())
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        advisor.screenshot(path=str(SCREENSHOT), full_page=True)
        task.get_by_label("Uitkomst").select_option(label="Niet bereikt")
        task.get_by_role("button", name="Gedaan").click()
        expect(task).to_have_count(0, timeout=10_000)
        with session_scope(console_stack.database_url) as session:
            done = session.get(Task, task_id)
            assert (done.status, done.outcome) == ("done", "not_reached")
            assert done.phone_opened_by is not None

        # 7. Alt+T hands the chat back; the bot greets the user again.
        advisor.locator("#transcript").click()
        advisor.keyboard.press("Alt+T")
        expect(bot.last).to_contain_text("weer met Leerwijzer", timeout=20_000)
        expect(advisor.locator("#owner")).to_have_attribute("data-owner", "bot", timeout=10_000)

        # 8. On a tablet the page fits its width and stays accessible.
        advisor.set_viewport_size({"width": 800, "height": 1100})
        assert advisor.evaluate("document.documentElement.scrollWidth") <= 800
        assert serious_violations(advisor) == []
