"""Privacy erase on the live stack: chat over REST, erase, then read the real databases."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import httpx
import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from leerwijzer.settings import PROJECT_ROOT
from tests.e2e.chat import say, texts

pytestmark = pytest.mark.e2e

# The eraser runs in a thread after Rasa saved the new session start; give it this long.
ERASE_DEADLINE_SECONDS = 20.0
# Event types that carry what a person wrote or was told.
TEXT_EVENTS = ("user", "bot")
# Helpdesk tables keyed by conversation id, and per-user tables keyed by sender.
HELPDESK_BY_CONVERSATION = ("hd_cases", "hd_messages", "hd_notes", "hd_events")
ROWS_BY_SENDER = (
    ("hd_conversations", "sender_id"),
    ("hd_tasks", "sender_id"),
    ("development_questions", "sender_id"),
    ("channel_button_offers", "recipient_id"),
    ("channel_last_inbound", "sender_id"),
    ("channel_message_status", "recipient_id"),
    ("channel_inbox", "conversation_id"),
)
# What the first message after the erase makes anew: its inbox row and the buttons offered.
NEW_SESSION_ROWS = ("channel_inbox", "channel_button_offers")


# ---- the chat ---------------------------------------------------------------------------


def tap(stack: Any, sender: str, replies: List[dict], payload: str) -> List[dict]:
    """Tap a button the bot offered in its last replies (fails when it was not offered)."""
    offered = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert payload in offered, f"the bot did not offer {payload!r}; it offered {offered}: {texts(replies)}"
    return say(stack, sender, payload)


@lru_cache(maxsize=1)
def domain() -> Domain:
    """The bot's real domain (responses in nl and en)."""
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain"))


def response_text(name: str, language: str) -> str:
    """The text of a domain response in one language (en: the `language == en` variant)."""
    for variant in domain().responses[name]:
        conditions = variant.get("condition") or []
        is_english = any(c.get("name") == "language" and c.get("value") == "en" for c in conditions)
        if is_english == (language == "en"):
            return variant["text"]
    raise AssertionError(f"{name} has no {language} variant")


INTAKE_ANSWERS = {
    # What the user answers to each intake question, by the question's response name.
    "utter_ask_intake_form_role": '/inform{"role": "employee"}',
    "utter_ask_intake_form_goal": '/inform{"goal": "grow_in_job"}',
    "utter_ask_intake_form_municipality": "Eindhoven",
    "utter_ask_budget": '/inform{"budget": "free"}',
    "utter_ask_time_preference": '/inform{"time_preference": "evenings"}',
    "utter_ask_intake_form_hours_per_week": '/inform{"hours_per_week": "1-2"}',
    "utter_ask_mode_preference": '/inform{"mode_preference": "online"}',
    "utter_ask_max_distance_km": '/inform{"max_distance_km": "any"}',
    "utter_ask_teaching_language": '/inform{"teaching_language": "nl"}',
}


def last_question(stack: Any, sender: str) -> str:
    """The response name of the bot's last message (the tracker's bot events carry it)."""
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30
    ).json()
    for event in reversed(tracker["events"]):
        if event["event"] == "bot":
            return (event.get("metadata") or {}).get("utter_action") or ""
    return ""


def complete_intake(stack: Any, sender: str, opening: str, topic_sentence: str) -> List[dict]:
    """Answer whatever the intake asks (it skips what the user already said), then confirm."""
    replies = say(stack, sender, opening)
    for _ in range(10):
        question = last_question(stack, sender)
        if question == "utter_intake_summary":
            # The summary ("Klopt dit?"): yes stores the record, searches, and offers an advisor.
            return tap(stack, sender, replies, "/affirm")
        if question == "utter_ask_intake_form_topic":
            replies = say(stack, sender, topic_sentence)
        elif question in INTAKE_ANSWERS:
            answer = INTAKE_ANSWERS[question]
            tapped = answer.startswith("/")
            replies = tap(stack, sender, replies, answer) if tapped else say(stack, sender, answer)
        else:
            raise AssertionError(f"unexpected question {question!r}: {texts(replies)}")
    raise AssertionError(f"the intake did not reach its summary: {texts(replies)}")


# ---- the databases ----------------------------------------------------------------------


def tracker_url(stack: Any) -> str:
    """SQLAlchemy URL of the stack's own tracker store (a SQLite path or a full URL)."""
    value = stack.settings.tracker_store_db
    return value if "://" in value else f"sqlite:///{value}"


def fetch(url: str, sql: str, **params: Any) -> List[sa.engine.Row]:
    """Run one read query on a fresh engine (so no connection stays open between checks)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))
    finally:
        engine.dispose()


def tables(url: str) -> List[str]:
    """Names of the tables that exist in a database."""
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def tracker_rows(stack: Any, sender: str) -> List[sa.engine.Row]:
    """The sender's rows in Rasa's `events` table, in id order."""
    return fetch(
        tracker_url(stack),
        "SELECT id, type_name, timestamp, data FROM events WHERE sender_id = :sender ORDER BY id",
        sender=sender,
    )


def rows_containing(url: str, needle: str) -> List[str]:
    """Every row of every table in a database whose text contains `needle` ("table: row")."""
    found = []
    for table in tables(url):
        for row in fetch(url, f'SELECT * FROM "{table}"'):
            if needle in " ".join(str(value) for value in row):
                found.append(f"{table}: {tuple(row)}"[:300])
    return found


@dataclass
class PersonalData:
    """What one conversation has stored in the app database."""

    conversation_ids: List[int] = field(default_factory=list)
    rows: Dict[str, int] = field(default_factory=dict)

    def total(self) -> int:
        """Number of rows over all tables."""
        return sum(self.rows.values())


def personal_data(stack: Any, sender: str, conversation_ids: List[int] | None = None) -> PersonalData:
    """Count the sender's rows in the app database: records, helpdesk and channel tables."""
    url = stack.settings.database_url
    existing = set(tables(url))
    data = PersonalData()
    if "hd_conversations" in existing:
        data.conversation_ids = [
            row.id for row in fetch(url, "SELECT id FROM hd_conversations WHERE sender_id = :s", s=sender)
        ]
    ids = sorted(set(data.conversation_ids) | set(conversation_ids or []))
    for table, column in ROWS_BY_SENDER:
        if table in existing:
            data.rows[table] = fetch(url, f"SELECT COUNT(*) FROM {table} WHERE {column} = :s", s=sender)[0][0]
    for table in HELPDESK_BY_CONVERSATION:
        if table in existing and ids:
            marks = ", ".join(str(int(i)) for i in ids)
            query = f"SELECT COUNT(*) FROM {table} WHERE conversation_id IN ({marks})"
            data.rows[table] = fetch(url, query)[0][0]
    return data


def describe(rows: List[sa.engine.Row], limit: int = 12) -> str:
    """Rows of the events table, one per line (the first `limit`), for assertion messages."""
    lines = [f"  id={r.id} {r.type_name} ts={r.timestamp:.4f} {r.data[:160]}" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"  ... and {len(rows) - limit} more, up to id={rows[-1].id}")
    return "\n".join(lines)


def left_behind(rows: List[sa.engine.Row], before_id: int, secret: str) -> List[sa.engine.Row]:
    """Rows that the erase should have removed: older rows, the secret, any user/bot text."""
    return [r for r in rows if r.id <= before_id or secret in r.data or r.type_name in TEXT_EVENTS]


def sqlite_files_holding(db: Path, secret: str) -> List[str]:
    """Files of a SQLite database (database, WAL, journal) whose raw bytes contain `secret`."""
    return [f.name for f in sorted(db.parent.glob(db.name + "*")) if secret.encode() in f.read_bytes()]


def tracker_files_holding(stack: Any, secret: str) -> List[str]:
    """SQLite tracker store files whose raw bytes contain `secret`."""
    if "://" in stack.settings.tracker_store_db:
        return []  # a server database: its files are not ours to read
    return sqlite_files_holding(Path(stack.settings.tracker_store_db), secret)


def app_files_holding(stack: Any, secret: str) -> List[str]:
    """SQLite app database files (records, helpdesk) whose raw bytes contain `secret`."""
    url = sa.engine.make_url(stack.settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return []
    return sqlite_files_holding(Path(url.database), secret)


def wait_for_erase(stack: Any, sender: str, before_id: int, secret: str) -> List[sa.engine.Row]:
    """Poll the tracker store until the erase is visible (or the deadline passes); return the rows."""
    deadline = time.monotonic() + ERASE_DEADLINE_SECONDS
    while True:
        rows = tracker_rows(stack, sender)
        done = not left_behind(rows, before_id, secret) and not tracker_files_holding(stack, secret)
        if done or time.monotonic() > deadline:
            return rows
        time.sleep(0.25)


# ---- the advisor ------------------------------------------------------------------------


def advisor_claims_and_hands_back(console: Any, sender: str) -> None:
    """An advisor claims the waiting chat in the console and hands it back to the bot."""
    with httpx.Client(base_url=console.url, timeout=30) as client:
        login = client.post("/api/login", json={"username": console.username, "password": console.password})
        assert login.status_code == 200, login.text
        # The session cookie is `Secure`; over plain http to loopback we send it ourselves.
        headers = {
            "X-CSRF-Token": login.json()["csrf_token"],
            "Cookie": f"lw_console={login.cookies['lw_console']}",
        }
        queue = client.get("/api/queue", headers=headers).json()
        waiting = [c for c in queue["waiting"] if c["sender_id"] == sender]
        assert waiting, f"the handoff did not queue {sender}: {queue}"
        conversation_id = waiting[0]["id"]
        claim = client.post(f"/api/conversations/{conversation_id}/claim", headers=headers)
        assert claim.status_code == 200, claim.text
        handback = client.post(f"/api/conversations/{conversation_id}/handback", headers=headers)
        assert handback.status_code == 200, handback.text
        assert handback.json()["owner"] == "bot"


# ---- the tests --------------------------------------------------------------------------


def erase_and_check(stack: Any, sender: str, secret: str, language: str, ask: str, greeting: str) -> None:
    """Ask to erase, confirm, then prove from the databases that everything of `sender` is gone."""
    app_url = stack.settings.database_url
    before = personal_data(stack, sender)
    assert before.rows.get("development_questions", 0) >= 1, "precondition: the intake stored a record"
    # The record holds the understood theme; the user's own words are in the tracker and transcript.
    topics = fetch(app_url, "SELECT topic FROM development_questions WHERE sender_id = :s", s=sender)
    assert any(row.topic for row in topics), f"precondition: the record has a topic: {topics}"
    assert any(secret in r.data for r in tracker_rows(stack, sender)), "precondition: tracker holds the text"

    # 1. The request: the bot asks first, in the user's language, and nothing is deleted yet.
    replies = say(stack, sender, ask)
    assert texts(replies) == response_text("utter_ask_confirm_delete", language), replies
    rows = tracker_rows(stack, sender)
    assert any(secret in r.data for r in rows), "erased before the user confirmed"
    # Only the request itself was added (its inbox row).
    asked = dict(before.rows, channel_inbox=before.rows["channel_inbox"] + 1)
    assert personal_data(stack, sender).rows == asked, "records erased before the user confirmed"
    before_id = max(r.id for r in rows)

    # 2. Confirm with the button the bot offered: the bot says the data is erased.
    replies = tap(stack, sender, replies, "/affirm")
    assert texts(replies) == response_text("utter_data_deleted", language), replies

    # 3. The tracker store: only the new session's bookkeeping stays (no text, no old rows).
    rows = wait_for_erase(stack, sender, before_id, secret)
    stale = left_behind(rows, before_id, secret)
    assert not stale, (
        f"{len(stale)} tracker rows of {sender} survived the erase or were written back "
        f"({ERASE_DEADLINE_SECONDS:.0f} s after the confirmation):\n{describe(stale)}"
    )
    starts = [r for r in rows if r.type_name == "session_started"]
    assert starts, f"the new session start is missing:\n{describe(rows)}"
    older = [r for r in rows if r.timestamp < starts[-1].timestamp]
    assert not older, f"rows older than the new session start:\n{describe(older)}"
    assert not rows_containing(tracker_url(stack), secret), "the text is still in the tracker store"
    # secure_delete (and the WAL checkpoint) must also overwrite the text in the file itself.
    assert not tracker_files_holding(stack, secret), "the text is still in the tracker store's file"

    # 4. The app database: records, helpdesk and channel rows of the sender are gone.
    after = personal_data(stack, sender, before.conversation_ids)
    assert after.total() == 0, f"rows of {sender} left after the erase: {after.rows} (before: {before.rows})"
    assert not rows_containing(app_url, secret), "the text is still in the app database"
    assert not app_files_holding(stack, secret), "the text is still in the app database's files"

    # 5. The chat goes on normally, and the next save does not bring old events back.
    replies = say(stack, sender, greeting)
    assert replies and replies[0].get("text") == response_text("utter_greet", language), replies
    rows = tracker_rows(stack, sender)
    stale = [r for r in rows if r.id <= before_id or secret in r.data]
    assert not stale, f"the next message wrote old events back:\n{describe(stale)}"
    user_texts = [r.data for r in rows if r.type_name == "user"]
    assert len(user_texts) == 1 and f'"text": "{greeting}"' in user_texts[0], (
        f"expected only the new message after the erase:\n{describe(rows)}"
    )
    assert not rows_containing(tracker_url(stack), secret), "the text came back in the tracker store"
    assert not tracker_files_holding(stack, secret), "the text came back in the tracker store's file"
    fresh = personal_data(stack, sender, before.conversation_ids)
    old_rows = {table: n for table, n in fresh.rows.items() if n and table not in NEW_SESSION_ROWS}
    assert not old_rows, f"rows of the erased conversation came back: {old_rows}"
    assert fresh.rows.get("channel_inbox") == 1, "only the greeting after the erase is kept"
    assert not rows_containing(app_url, secret), "the text came back in the app database"


def test_dutch_erase_after_intake_and_advisor_removes_everything(rasa_stack, console_stack):
    fragment = uuid.uuid4().hex[:10]
    sender, secret = f"rest:erase-nl-{fragment}", f"pottenbakken-{fragment}"
    replies = complete_intake(rasa_stack, sender, "ik wil hulp bij kiezen", f"ik wil {secret} leren")
    # Yes to an advisor: the helpdesk stores the case and the transcript; then hand back.
    replies = tap(rasa_stack, sender, replies, "/affirm")
    assert "adviseur" in texts(replies), replies
    advisor_claims_and_hands_back(console_stack, sender)
    stored = personal_data(rasa_stack, sender)
    assert stored.rows.get("hd_conversations") == 1 and stored.rows.get("hd_messages", 0) > 0, stored
    in_helpdesk = rows_containing(rasa_stack.settings.database_url, secret)
    assert any(line.startswith("hd_messages") for line in in_helpdesk), "precondition: transcript synced"

    erase_and_check(rasa_stack, sender, secret, "nl", "verwijder mijn gegevens", "hoi")


def test_english_erase_after_intake_removes_everything(rasa_stack):
    fragment = uuid.uuid4().hex[:10]
    sender, secret = f"rest:erase-en-{fragment}", f"pottery-{fragment}"
    replies = complete_intake(rasa_stack, sender, "help me pick a course", f"I want to learn {secret}")
    replies = tap(rasa_stack, sender, replies, "/deny")  # no advisor this time

    erase_and_check(rasa_stack, sender, secret, "en", "delete my data", "hello")
