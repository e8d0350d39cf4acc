"""Attack probe: the action server answers only Rasa.

`rasa run actions` listened on 0.0.0.0 without any check: a hand-made tracker posted to
/webhook erased another user's records. Now it listens on loopback and needs the shared secret
that Rasa sends in a header; chats still run their actions.
"""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Set

import httpx
import pytest

from actions.server import SECRET_HEADER
from tests.e2e.chat import search, texts

pytestmark = [pytest.mark.e2e, pytest.mark.probe]

# What an attacker would post: "erase the data of that WhatsApp user".
FORGED_CALL = {
    "next_action": "action_delete_my_data",
    "sender_id": "whatsapp:+31612345678",
    "tracker": {"sender_id": "whatsapp:+31612345678", "slots": {}, "events": [], "latest_message": {}},
    "domain": {},
    "version": "3.6.21",
}


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "guessed-secret"}, {SECRET_HEADER: ""}])
def test_a_call_without_the_secret_gets_401(rasa_stack, headers):
    base = rasa_stack.action_server_url
    assert httpx.post(f"{base}/webhook", json=FORGED_CALL, headers=headers, timeout=30).status_code == 401
    assert httpx.get(f"{base}/actions", headers=headers, timeout=30).status_code == 401


def test_the_health_check_stays_open(rasa_stack):
    assert httpx.get(f"{rasa_stack.action_server_url}/health", timeout=30).status_code == 200


def test_the_secret_opens_the_door(rasa_stack):
    secret = rasa_stack.secrets["LEERWIJZER_ACTION_SECRET"]
    listed = httpx.get(f"{rasa_stack.action_server_url}/actions", headers={SECRET_HEADER: secret}, timeout=30)
    assert listed.status_code == 200
    assert "action_delete_my_data" in {action["name"] for action in listed.json()}


def _listening_addresses(port: int) -> Set[str]:
    """Local addresses of the TCP sockets listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    words = [bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, 32, 8)]
                    found.add(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
    return found


def test_it_listens_on_loopback_only(rasa_stack):
    addresses = _listening_addresses(rasa_stack.settings.action_port)
    assert addresses == {"127.0.0.1"}, addresses


def test_a_real_chat_still_runs_the_actions(rasa_stack):
    replies = search(rasa_stack, f"e2e-{uuid.uuid4().hex}", "Ik zoek een computercursus in Helmond")
    # Only the search action names places and offers, and asks with buttons whether it helped.
    assert "Helmond" in texts(replies)
    assert replies[-1].get("buttons"), replies
