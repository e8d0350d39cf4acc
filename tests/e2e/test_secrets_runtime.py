"""Attack probe: secrets and phone numbers stay out of process arguments and log files.

Anyone on the machine can read every process's command line (`ps`, /proc/<pid>/cmdline), and
log files travel (support tickets, CI artefacts). The stack is chatted with over REST, WhatsApp
and Telegram, then every child's command line and every log file are searched for each secret
value and for full phone numbers.
"""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path
from typing import Any, List

import httpx
import pytest
from twilio.request_validator import RequestValidator

from leerwijzer.launcher import SECRET_NAMES
from leerwijzer.redact import mask_phones
from tests.e2e.chat import say, texts
from tests.fakes import (
    TEST_TELEGRAM_BOT_TOKEN,
    TEST_TELEGRAM_WEBHOOK_SECRET,
    TEST_TWILIO_AUTH_TOKEN,
    shared_fake_telegram,
    shared_fake_twilio,
)

pytestmark = [pytest.mark.e2e, pytest.mark.probe]


def descendants(pid: int) -> List[int]:
    """`pid`'s children, grandchildren ... (e.g. Sanic workers), read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found += children
        todo += children
    return found


def command_line(pid: int) -> str:
    """A process's arguments as `ps` shows them."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""  # it ended meanwhile


def test_every_secret_is_made_and_kept_private(rasa_stack):
    assert set(rasa_stack.secrets) == set(SECRET_NAMES)
    assert all(len(value) >= 16 for value in rasa_stack.secrets.values())
    assert rasa_stack.token == rasa_stack.secrets["RASA_API_TOKEN"]
    assert rasa_stack.secrets_file.stat().st_mode & 0o777 == 0o600


def test_no_secret_on_any_command_line(rasa_stack):
    pids = [process.pid for process in rasa_stack.processes.values()]
    assert len(pids) == 3
    pids += [child for pid in pids for child in descendants(pid)]
    for pid in pids:
        line = command_line(pid)
        leaked = [name for name, value in rasa_stack.secrets.items() if value in line]
        assert not leaked, f"{leaked} visible in the command line of process {pid}"
    rasa_line = command_line(rasa_stack.processes["rasa"].pid)
    assert "--enable-api" in rasa_line and "--auth-token" not in rasa_line and "--jwt-secret" not in rasa_line


def test_the_api_still_needs_its_token(rasa_stack):
    # The token reaches Rasa through the environment: without it 401, with it 200.
    assert httpx.get(f"{rasa_stack.rasa_url}/status", timeout=30).status_code == 401
    status = httpx.get(f"{rasa_stack.rasa_url}/status", params={"token": rasa_stack.token}, timeout=30)
    assert status.status_code == 200


def _chat_on_every_channel(stack: Any, phone: str) -> None:
    """One conversation per channel, with a phone number in the sender id or the text."""
    replies = say(stack, f"e2e-logscan-{uuid.uuid4().hex[:8]}", f"Bel mij terug op 0{phone[3:]}")
    assert replies, "the bot must answer"
    assert texts(say(stack, f"e2e-logscan-{uuid.uuid4().hex[:8]}", "Ik zoek een computercursus in Helmond"))

    twilio, telegram = shared_fake_twilio(), shared_fake_telegram()
    url = f"{stack.rasa_url}/webhooks/whatsapp/webhook"
    form = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": f"whatsapp:{phone}",
        "To": "whatsapp:+3197010000001",
        "Body": "Hallo",
        "NumMedia": "0",
        "AccountSid": "AC",
    }
    signature = RequestValidator(TEST_TWILIO_AUTH_TOKEN).compute_signature(url, form)
    answer = httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)
    assert answer.status_code == 200, answer.text
    twilio.wait_for(lambda _: twilio.messages_to(f"whatsapp:{phone}"), timeout=60)

    chat_id = random.randint(10_000_000, 99_999_999)
    update = {
        "update_id": random.randint(1, 2**31),
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "text": f"mijn nummer is {phone}",
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Anna", "language_code": "nl"},
        },
    }
    answer = httpx.post(
        f"{stack.rasa_url}/webhooks/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": TEST_TELEGRAM_WEBHOOK_SECRET},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    telegram.wait_for(
        lambda _: [c for c in telegram.calls("sendMessage") if str(c.get("chat_id")) == str(chat_id)],
        timeout=60,
    )


def test_no_secret_and_no_phone_number_in_any_log(rasa_stack):
    phone = f"+316{random.randint(10_000_000, 99_999_999)}"
    _chat_on_every_channel(rasa_stack, phone)
    # An operator's script with the token in the URL, and a caller with a wrong action secret:
    # both end up in access or error logs.
    httpx.get(f"{rasa_stack.rasa_url}/status", params={"token": rasa_stack.token}, timeout=30)
    httpx.post(
        f"{rasa_stack.action_server_url}/webhook",
        json={"next_action": "action_delete_my_data", "sender_id": f"whatsapp:{phone}"},
        headers={"X-Leerwijzer-Action-Secret": "wrong-secret-guess"},
        timeout=30,
    )
    time.sleep(1)  # let the children flush their last lines (nothing is asserted about time)

    logs = sorted(rasa_stack.log_dir.glob("*.log"))
    assert {log.name for log in logs} >= {"rasa.log", "actions.log", "console.log"}
    secret_values = {
        **rasa_stack.secrets,
        "TELEGRAM_BOT_TOKEN": TEST_TELEGRAM_BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TEST_TELEGRAM_WEBHOOK_SECRET,
        "TWILIO_AUTH_TOKEN": TEST_TWILIO_AUTH_TOKEN,
    }
    for log in logs:
        text = log.read_text(errors="replace")
        leaked = [name for name, value in secret_values.items() if value in text]
        assert not leaked, f"{leaked} in {log.name}"
        assert phone[1:] not in text and phone[3:] not in text, f"the phone number is in {log.name}"
        phone_lines = [line for line in text.splitlines() if mask_phones(line) != line]
        assert not phone_lines, f"full phone numbers in {log.name}: {phone_lines[:3]}"
    for name in ("rasa.log", "actions.log"):  # our processes: no per-request httpx lines at INFO
        assert "HTTP Request:" not in (rasa_stack.log_dir / name).read_text(errors="replace"), name
