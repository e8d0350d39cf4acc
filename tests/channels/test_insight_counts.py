"""A new chat is counted once, at its first kept message, with its channel and language."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.database import session_scope
from helpdesk.models import InsightCount
from tests.channels.conftest import USER_SMS, USER_WA, telegram_update, twilio_form


def chats(url: str) -> dict:
    with session_scope(url) as session:
        rows = session.execute(select(InsightCount).where(InsightCount.metric == "chat")).scalars()
        return {(row.channel, row.language): row.count for row in rows}


async def test_only_a_conversations_first_message_counts_a_chat(connectors, twilio_api, database_url):
    first = twilio_form(USER_WA, "Hallo, ik wil graag iets leren")
    await connectors.post_twilio("whatsapp", first)
    await connectors.post_twilio("whatsapp", first)  # Twilio's retry of the same message
    await connectors.post_twilio("whatsapp", twilio_form(USER_WA, "over computers"))
    await connectors.bot.wait_for(2)
    assert chats(database_url) == {("whatsapp", "nl"): 1}


async def test_the_language_is_the_first_messages_when_it_is_clear(connectors, twilio_api, database_url):
    await connectors.post_twilio("sms", twilio_form(USER_SMS, "Hi, I would like to learn Dutch"))
    await connectors.bot.wait_for(1)
    assert chats(database_url) == {("sms", "en"): 1}


async def test_telegrams_start_counts_in_the_apps_language(connectors, telegram_api, database_url):
    update = telegram_update("/start")
    update["message"]["from"]["language_code"] = "en"
    assert (await connectors.post_telegram(update)).status_code == 200
    await connectors.bot.wait_for(1)
    assert chats(database_url) == {("telegram", "en"): 1}
