"""The chat page in headless Chromium: type a question, read the answer, reload, keep it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import chromium, tap_through_limits

pytestmark = pytest.mark.e2e


def test_chat_page_answers_and_survives_a_reload(rasa_stack, tmp_path):
    with chromium() as browser:
        page = browser.new_page()
        page.goto(rasa_stack.chat_url)
        bot_messages = page.locator(".lw-msg.lw-bot")
        expect(bot_messages.first).to_contain_text("Leerwijzer", timeout=30_000)

        page.get_by_label("Typ je bericht").fill("Ik zoek een computercursus in Helmond")
        page.keyboard.press("Enter")
        expect(page.locator(".lw-msg.lw-user").last).to_have_text(
            "Jij: Ik zoek een computercursus in Helmond"
        )
        tap_through_limits(page)
        expect(page.locator(".lw-msg.lw-bot", has_text="Helmond").first).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Dit helpt me")).to_be_visible(timeout=30_000)
        before = bot_messages.count()
        session_id = page.evaluate("JSON.parse(localStorage.getItem('leerwijzer.webchat')).session_id")
        page.screenshot(path=str(tmp_path / "chat.png"))

        page.reload()
        expect(bot_messages).to_have_count(before, timeout=10_000)
        assert (
            page.evaluate("JSON.parse(localStorage.getItem('leerwijzer.webchat')).session_id") == session_id
        )

        # The conversation continues on the server too: answering the question gets a reply.
        page.get_by_role("button", name="Dit helpt me").click()
        expect(bot_messages).to_have_count(before + 1, timeout=30_000)
        expect(bot_messages.last).to_contain_text("Fijn")
