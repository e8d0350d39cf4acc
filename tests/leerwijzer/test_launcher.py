"""`make run`'s launcher: starts every process, prints the URLs, and Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from leerwijzer.launcher import compose_credentials
from leerwijzer.settings import PROJECT_ROOT
from tests.conftest import free_port, trained_model


def children_of(pid: int) -> list[int]:
    """PIDs whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False


def test_credentials_name_only_channels_and_no_secrets(tmp_path):
    target = tmp_path / "credentials.yml"
    env = {"TWILIO_AUTH_TOKEN": "s3cret-token", "TELEGRAM_BOT_TOKEN": "123:abc"}
    channels = compose_credentials(target, env)
    assert "GatedRestInput" in channels and "WebChatInput" in channels
    written = target.read_text()
    assert "s3cret-token" not in written and "123:abc" not in written


@pytest.mark.e2e
def test_ctrl_c_stops_every_child(tmp_path, sample_database_url):
    ports = {"rasa": free_port(), "action": free_port()}
    env = dict(
        os.environ,
        PYTHONPATH=str(PROJECT_ROOT),
        LEERWIJZER_RUNTIME_DIR=str(tmp_path),
        LEERWIJZER_DATABASE_URL=sample_database_url,
        LEERWIJZER_TRACKER_DB=str(tmp_path / "tracker.db"),
        LEERWIJZER_RASA_PORT=str(ports["rasa"]),
        LEERWIJZER_ACTION_PORT=str(ports["action"]),
        LEERWIJZER_CONSOLE_PORT=str(free_port()),
    )
    env.pop("RASA_API_TOKEN", None)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "leerwijzer.launcher", "--model", str(trained_model())],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = launcher.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        output = "".join(lines)
        assert "Press Ctrl-C" in output, output[-3000:]
        assert f"http://127.0.0.1:{ports['rasa']}/webhooks/webchat/chat" in output
        assert "made for this run" in output  # no token configured: one is made and shown
        children = children_of(launcher.pid)
        assert len(children) >= 3  # console, action server, Rasa
        page = httpx.get(f"http://127.0.0.1:{ports['rasa']}/webhooks/webchat/chat", timeout=30)
        assert page.status_code == 200 and "widget.js" in page.text

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0
        assert not [pid for pid in children if alive(pid)]
    finally:
        if launcher.poll() is None:
            launcher.kill()
