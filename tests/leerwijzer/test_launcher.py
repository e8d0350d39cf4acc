"""`make run`'s launcher: secrets only in the environment, restarts with backoff, Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from leerwijzer import launcher
from leerwijzer.launcher import (
    SECRET_NAMES,
    Stack,
    compose_credentials,
    load_or_create_secrets,
    restart_delay,
)
from leerwijzer.settings import PROJECT_ROOT, Settings
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
    for name in SECRET_NAMES:
        env.pop(name, None)
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
        # No secret configured: each is made, kept in secrets.env, and only its place is shown.
        kept = secrets_in(tmp_path / "secrets.env")
        assert set(kept) == set(SECRET_NAMES)
        assert str(tmp_path / "secrets.env") in output
        assert not [name for name, value in kept.items() if value in output]
        children = children_of(launcher.pid)
        assert len(children) >= 3  # console, action server, Rasa
        for pid in children:
            command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            assert not [name for name, value in kept.items() if value in command_line], command_line
        page = httpx.get(f"http://127.0.0.1:{ports['rasa']}/webhooks/webchat/chat", timeout=30)
        assert page.status_code == 200 and "widget.js" in page.text

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0
        assert not [pid for pid in children if alive(pid)]
    finally:
        if launcher.poll() is None:
            launcher.kill()


def secrets_in(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    return {name: value for name, value in dotenv_values(path).items() if value}


# ---- secrets ------------------------------------------------------------------------------


def test_secrets_are_made_once_kept_private_and_reused(tmp_path):
    path = tmp_path / "run" / "secrets.env"
    first, made = load_or_create_secrets(path, {})
    assert set(first) == set(SECRET_NAMES) and sorted(made) == sorted(SECRET_NAMES)
    assert len(set(first.values())) == len(SECRET_NAMES)  # each one different
    assert all(len(value) >= 32 for value in first.values())
    assert path.stat().st_mode & 0o777 == 0o600
    assert secrets_in(path) == first

    again, made_again = load_or_create_secrets(path, {})
    assert again == first and made_again == []


def test_environment_wins_and_is_never_written_to_disk(tmp_path):
    path = tmp_path / "secrets.env"
    kept, _ = load_or_create_secrets(path, {})
    given = {"RASA_API_TOKEN": "from-the-environment-0123456789"}
    values, made = load_or_create_secrets(path, given)
    assert values["RASA_API_TOKEN"] == "from-the-environment-0123456789" and made == []
    assert "from-the-environment" not in path.read_text()
    assert load_or_create_secrets(path, {})[0] == kept  # the kept one is back when the env is unset


def test_a_widened_secrets_file_is_made_private_again(tmp_path):
    path = tmp_path / "secrets.env"
    load_or_create_secrets(path, {})
    path.chmod(0o644)
    load_or_create_secrets(path, {})
    assert path.stat().st_mode & 0o777 == 0o600


class FakeProcess:
    """Stands in for subprocess.Popen: records how it was started, dies when told."""

    started: list[FakeProcess] = []

    def __init__(self, args, **kwargs):
        self.args = list(args)
        self.env = kwargs["env"]
        self.pid = None  # no real process group: the launcher must never signal one for a fake
        self.returncode = None
        FakeProcess.started.append(self)

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        return self.returncode

    def die(self, code=-9):
        self.returncode = code


def fake_stack(tmp_path, **kwargs) -> Stack:
    settings = Settings(
        runtime_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        tracker_store_db=str(tmp_path / "tracker.db"),
        rasa_port=free_port(),
        action_port=free_port(),
        console_port=free_port(),
    )
    return Stack(model=tmp_path / "model.tar.gz", settings=settings, **kwargs)


def test_no_secret_on_any_command_line_only_in_the_environment(tmp_path, monkeypatch):
    FakeProcess.started = []
    monkeypatch.setattr(launcher.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(launcher, "wait_until_up", lambda *args, **kwargs: None)
    for name in SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    stack = fake_stack(tmp_path)
    stack.start()
    try:
        assert len(FakeProcess.started) == 3
        secret_values = {stack.token, *stack.secrets.values()}
        for process in FakeProcess.started:
            assert not [value for value in secret_values if any(value in arg for arg in process.args)]
            assert {name: process.env[name] for name in SECRET_NAMES} == stack.secrets
        assert set(stack.secrets) == set(SECRET_NAMES)
        assert stack.token == stack.secrets["RASA_API_TOKEN"]
        commands = [" ".join(process.args) for process in FakeProcess.started]
        assert any("-m actions.server" in command for command in commands)
        assert not any("rasa run actions" in command or "/rasa run" in command for command in commands)
    finally:
        stack.stop()


# ---- supervision --------------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def supervised(tmp_path):
    FakeProcess.started = []
    clock, lines = Clock(), []
    stack = fake_stack(tmp_path, popen=FakeProcess, clock=clock, report=lines.append)
    stack.launch()
    lines.clear()
    return stack, clock, lines


def test_restart_pauses_double_up_to_30_seconds():
    assert [restart_delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_dead_child_is_started_again_and_the_others_keep_running(tmp_path):
    stack, clock, lines = supervised(tmp_path)
    console, actions, rasa = (stack.children[name].process for name in ("console", "actions", "rasa"))
    actions.die(-9)

    stack.check_children()
    assert lines == [
        "The action server stopped (killed by SIGKILL); starting it again in 1 s. "
        "The other processes keep running."
    ]
    assert stack.children["actions"].process is actions  # not before the pause is over

    clock.now += 1
    stack.check_children()
    restarted = stack.children["actions"].process
    assert restarted is not actions and restarted.args == actions.args and restarted.poll() is None
    assert stack.children["console"].process is console and console.poll() is None
    assert stack.children["rasa"].process is rasa and rasa.poll() is None
    assert len(lines) == 1  # one line per death


def test_quick_deaths_lengthen_the_pause_and_a_stable_minute_resets_it(tmp_path):
    stack, clock, lines = supervised(tmp_path)
    pauses = []
    for _ in range(7):  # dies right after every start
        stack.children["rasa"].process.die(1)
        stack.check_children()
        pause = stack.children["rasa"].restart_at - clock.now
        pauses.append(pause)
        clock.now += pause - 0.5
        stack.check_children()
        assert stack.children["rasa"].process.poll() == 1, "started before its pause was over"
        clock.now += 0.5
        stack.check_children()
        assert stack.children["rasa"].process.poll() is None
    assert pauses == [1, 2, 4, 8, 16, 30, 30]
    assert all("Rasa server stopped (exit code 1)" in line for line in lines)

    clock.now += 60  # a minute of healthy uptime
    stack.children["rasa"].process.die(1)
    stack.check_children()
    assert stack.children["rasa"].restart_at - clock.now == 1


def test_a_stopped_stack_starts_nothing_again(tmp_path):
    stack, clock, lines = supervised(tmp_path)
    stack.children["console"].process.die(0)
    stack.stop()
    clock.now += 60
    stack.check_children()
    assert lines == [] and stack.children == {}


def test_the_stack_never_shows_its_secrets_in_repr(tmp_path, monkeypatch):
    # repr() lands in tracebacks and pytest reports (e.g. "where ... = f(Stack(...))").
    for name in SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    stack = fake_stack(tmp_path, extra_env={"TWILIO_AUTH_TOKEN": "twilio-secret-0123456789"})
    stack.settings = stack.settings.copy(update={"rasa_api_token": "api-token-0123456789"})
    stack.environment()
    shown = repr(stack)
    assert "twilio-secret-0123456789" not in shown and "api-token-0123456789" not in shown
    assert not [value for value in stack.secrets.values() if value in shown]
