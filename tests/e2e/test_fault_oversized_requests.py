"""Attack probe: a 20 MB request is refused with 413 before its body is read.

Sanic's default limit is 100 MB: one 20 MB REST body was accepted and stored four times. Rasa's
app now gets LEERWIJZER_MAX_REQUEST_BYTES (bot/server.py), and Sanic refuses by Content-Length.
"""

from __future__ import annotations

import select
import socket
from typing import Tuple
from urllib.parse import urlsplit

import pytest

from tests.e2e.chat import say

pytestmark = [pytest.mark.e2e, pytest.mark.probe]

TWENTY_MB = 20 * 1024 * 1024


def post_oversized(base_url: str, path: str, size: int = TWENTY_MB) -> Tuple[int, int]:
    """POST `size` bytes to `path`, reading the answer as soon as the server sends one.

    The server may answer and close before the client has sent everything, so the body is
    written in pieces while watching for the answer (an ordinary client would only see a
    broken pipe).

    Returns:
        The HTTP status and how many body bytes were sent before the answer came.
    """
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        sock.setblocking(False)
        piece = b" " * 65536
        sent, answer, can_send = 0, b"", True
        while b"\r\n" not in answer:
            want_write = [sock] if can_send and sent < size else []
            readable, writable, _ = select.select([sock], want_write, [], 60)
            if not readable and not writable:
                raise AssertionError(f"no answer from {path} after {sent} bytes")
            if readable:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
            elif writable:
                try:
                    sent += sock.send(piece[: size - sent])
                except (BrokenPipeError, ConnectionResetError):
                    can_send = False  # the server stopped reading: its answer is on the way
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split()[1]), sent


@pytest.mark.parametrize(
    "path", ["/webhooks/rest/webhook", "/webhooks/whatsapp/webhook", "/webhooks/telegram/webhook"]
)
def test_twenty_megabytes_get_413(rasa_stack, path):
    status, _ = post_oversized(rasa_stack.rasa_url, path)
    assert status == 413


def test_the_api_refuses_oversized_bodies_too(rasa_stack):
    status, _ = post_oversized(rasa_stack.rasa_url, "/conversations/x/tracker/events")
    assert status == 413


def test_normal_messages_still_pass(rasa_stack):
    assert say(rasa_stack, "e2e-size-check", "hoi " * 50), "a message well under the limit gets answers"
