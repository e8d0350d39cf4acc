"""The whole handoff in headless Chromium: web widget user <-> advisor console <-> bot again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.browser import chromium

pytestmark = pytest.mark.e2e

SCREENSHOT = PROJECT_ROOT / "docs" / "img" / "console.png"
XSS_SCRIPT = "<script>window.__xss = 'script'</script>"
XSS_IMG = "<img src=x onerror=\"window.__xss = 'img'\">"


def user_says(page: Page, text: str) -> None:
    page.get_by_label("Typ je bericht").fill(text)
    page.keyboard.press("Enter")
    expect(page.locator(".lw-msg.lw-user").last).to_contain_text(text)


def test_user_asks_for_a_person_advisor_chats_and_hands_back(rasa_stack, console_stack, tmp_path):
    with chromium() as browser:
        user = browser.new_context().new_page()
        user.goto(rasa_stack.chat_url)
        bot = user.locator(".lw-msg.lw-bot")
        expect(bot.first).to_contain_text("Leerwijzer", timeout=30_000)

        # 1. The user asks for a person; the bot asks first, then says what happens and how long.
        user_says(user, "Ik wil graag een mens spreken")
        expect(bot.last).to_contain_text("Je komt dan in de wachtrij", timeout=30_000)
        user.get_by_role("button", name="Ja, graag").click()
        expect(bot.last).to_contain_text("adviseur", timeout=30_000)
        expect(bot.last).to_contain_text(re.compile(r"nummer \d+ in de rij"))
        expect(bot.last).to_contain_text("minuten")
        session_id = user.evaluate("JSON.parse(localStorage.getItem('leerwijzer.webchat')).session_id")

        # 2. The advisor logs in and sees the case in the queue, with its summary.
        advisor = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        advisor.goto(console_stack.url)
        advisor.get_by_label("Gebruikersnaam", exact=True).fill(console_stack.username)
        advisor.get_by_label("Wachtwoord", exact=True).fill(console_stack.password)
        advisor.get_by_role("button", name="Inloggen").click()
        expect(advisor.locator("#whoami")).to_contain_text("Eva")
        expect(advisor.locator("#live")).to_have_text("live", timeout=15_000)
        waiting = advisor.locator("#queue-waiting .case")
        expect(waiting.first).to_be_visible(timeout=15_000)
        waiting.first.click()
        expect(advisor.locator("#summary dd[data-key=channel]")).to_have_text("Website")
        expect(advisor.locator("#summary dd[data-key=language]")).to_have_text("Nederlands")
        expect(advisor.locator("#summary dd[data-key=reason]")).to_have_text("Vraagt om een mens")
        expect(advisor.locator("#transcript")).to_contain_text("Ik wil graag een mens spreken")

        # 3. While waiting, the bot stays silent and the message reaches the queue.
        bot_count = bot.count()
        user_says(user, "Hallo? Ik zoek werk in de zorg")
        expect(advisor.locator("#transcript")).to_contain_text("Ik zoek werk in de zorg", timeout=15_000)

        # 4. The advisor claims the chat; the user's messages arrive live; the bot stays silent.
        advisor.get_by_role("button", name="Oppakken").click()
        expect(advisor.locator("#owner")).to_have_attribute("data-owner", "advisor", timeout=10_000)
        expect(advisor.locator("#owner")).to_have_text("Bij adviseur Eva")
        # The user is told a person took over (and by whom).
        expect(bot.last).to_contain_text("Je praat nu met Eva, adviseur van de bibliotheek.", timeout=15_000)
        user_says(user, "Zijn er cursussen voor mij?")
        expect(advisor.locator("#transcript")).to_contain_text("Zijn er cursussen voor mij?", timeout=15_000)
        # A button click (a payload) must not wake the bot either.
        user_says(user, "/greet")
        expect(advisor.locator("#transcript .msg.user .text").last).to_have_text("/greet", timeout=15_000)

        # 5. Hostile text from the user is shown as text and never runs in the console.
        user_says(user, XSS_SCRIPT)
        user_says(user, XSS_IMG)
        expect(advisor.locator("#transcript")).to_contain_text(XSS_IMG, timeout=15_000)
        expect(advisor.locator("#transcript")).to_contain_text(XSS_SCRIPT)
        assert advisor.evaluate("window.__xss") is None
        assert advisor.locator("#transcript img").count() == 0
        assert advisor.locator("#transcript script").count() == 0

        # 6. The advisor answers; the user gets it in the widget.
        advisor.get_by_label("Bericht aan de gebruiker").fill("Hoi, ik ben Eva. Ik help je graag verder.")
        advisor.get_by_role("button", name="Versturen").click()
        expect(bot.last).to_contain_text("ik ben Eva", timeout=15_000)
        expect(advisor.locator("#transcript .msg.advisor").last).to_contain_text("ik ben Eva")
        assert bot.count() == bot_count + 2, "only the take-over notice and the advisor's message"

        # An internal note stays in the console.
        advisor.get_by_label("Notitie (de gebruiker ziet dit niet)").fill("Zoekt werk in de zorg, <b>nl</b>")
        advisor.get_by_role("button", name="Notitie opslaan").click()
        expect(advisor.locator("#notes")).to_contain_text("<b>nl</b>")

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        advisor.screenshot(path=str(SCREENSHOT), full_page=True)
        assert advisor.evaluate("window.__xss") is None

        # 7. Hand back: the bot says it is back, and answers the next message again.
        advisor.get_by_role("button", name="Teruggeven aan de bot").click()
        expect(bot.last).to_contain_text("weer met Leerwijzer", timeout=20_000)
        expect(advisor.locator("#owner")).to_have_attribute("data-owner", "bot", timeout=10_000)
        before = bot.count()
        user_says(user, "Ik zoek een computercursus in Helmond")
        expect(bot.nth(before)).to_be_visible(timeout=30_000)
        expect(user.locator(".lw-msg.lw-bot", has_text="Helmond").last).to_be_visible(timeout=30_000)
        assert session_id == user.evaluate(
            "JSON.parse(localStorage.getItem('leerwijzer.webchat')).session_id"
        )
