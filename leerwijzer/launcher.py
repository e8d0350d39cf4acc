"""Start every Leerwijzer process in one terminal, print the URLs, stop them all on Ctrl-C.

Used by `make run` and by the end-to-end tests, so the tests drive exactly what users run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import yaml
from dotenv import dotenv_values

from leerwijzer.settings import PROJECT_ROOT, Settings, get_settings

VENV_BIN = Path(sys.executable).parent
BASE_CREDENTIALS = PROJECT_ROOT / "bot" / "credentials.yml"


def say(message: str) -> None:
    """Print a progress line at once (children's output interleaves with ours)."""
    print(f"[leerwijzer] {message}", flush=True)


def compose_credentials(target: Path, env: Dict[str, str]) -> List[str]:
    """Write Rasa's credentials file: the always-on channels plus those with secrets set.

    The file references secrets as ${VAR}; Rasa reads their values from the environment,
    so no secret is ever written to disk.

    Returns:
        The names of the enabled channels.
    """
    credentials = yaml.safe_load(BASE_CREDENTIALS.read_text(encoding="utf-8")) or {}
    try:
        from channels.registry import enabled_channels
    except ImportError:  # the provider channels are optional
        enabled_channels = None
    if enabled_channels is not None:
        credentials.update(enabled_channels(env))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(credentials, sort_keys=False), encoding="utf-8")
    return [name.rsplit(".", 1)[-1] for name in credentials]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll a health URL until it answers 200, the process dies, or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} never came up: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Stack:
    """The running processes: action server, Rasa server and advisor console."""

    model: Path
    settings: Settings = field(default_factory=get_settings)
    extra_env: Dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return self.settings.rasa_url

    @property
    def console_url(self) -> str:
        """The advisor console."""
        return f"http://{self.settings.host}:{self.settings.console_port}"

    @property
    def chat_url(self) -> str:
        """The public chat page served by the web chat channel."""
        return f"{self.rasa_url}/webhooks/webchat/chat"

    def environment(self) -> Dict[str, str]:
        """Environment shared by every child: settings made explicit, plus extras."""
        env = dict(os.environ)
        # Children (and Rasa's ${VAR} expansion) must see `.env` too; real env vars win.
        for name, value in dotenv_values(PROJECT_ROOT / ".env").items():
            if value is not None:
                env.setdefault(name, value)
        env.update(self.extra_env)
        env.setdefault("RASA_API_TOKEN", self.settings.rasa_api_token or secrets.token_urlsafe(24))
        env["LEERWIJZER_ACTION_URL"] = self.settings.action_url
        env["LEERWIJZER_TRACKER_DB"] = self.settings.tracker_store_db
        env["LEERWIJZER_DATABASE_URL"] = self.settings.database_url
        env["LEERWIJZER_RUNTIME_DIR"] = str(self.settings.runtime_dir)
        env["LEERWIJZER_HOST"] = self.settings.host
        env["LEERWIJZER_RASA_PORT"] = str(self.settings.rasa_port)
        env["LEERWIJZER_ACTION_PORT"] = str(self.settings.action_port)
        env["LEERWIJZER_CONSOLE_PORT"] = str(self.settings.console_port)
        env["LEERWIJZER_RASA_URL"] = self.settings.rasa_url
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        return env

    def _spawn(self, name: str, args: List[str], env: Dict[str, str]) -> subprocess.Popen:
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
        )
        self.processes[name] = process
        return process

    def start(self, timeout: float = 240.0) -> None:
        """Start all processes and wait until each answers its health check."""
        started = time.monotonic()
        env = self.environment()
        self.token = env["RASA_API_TOKEN"]
        Path(self.settings.tracker_store_db).parent.mkdir(parents=True, exist_ok=True)
        credentials = self.settings.runtime_dir / "credentials.yml"
        channels = compose_credentials(credentials, env)
        say(f"Channels on: {', '.join(channels)}")
        actions = self._spawn(
            "actions",
            [
                str(VENV_BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(self.settings.action_port),
            ],
            env,
        )
        rasa = self._spawn(
            "rasa",
            [
                # Rasa's own CLI with one speed fix applied (see bot/server.py).
                str(VENV_BIN / "python"),
                "-m",
                "bot.server",
                "run",
                "--model",
                str(self.model),
                "--enable-api",
                "--auth-token",
                env["RASA_API_TOKEN"],
                "--cors",
                "*",
                "--credentials",
                str(credentials),
                "--endpoints",
                str(self.settings.endpoints_file),
                "--interface",
                self.settings.host,
                "--port",
                str(self.settings.rasa_port),
            ],
            env,
        )
        console = self._spawn(
            "console",
            [sys.executable, "-m", "helpdesk.console"],
            env,
        )
        try:
            wait_until_up(f"{self.console_url}/health", console, timeout)
            say(f"Advisor console up ({time.monotonic() - started:.0f} s)")
            wait_until_up(f"http://{self.settings.host}:{self.settings.action_port}/health", actions, timeout)
            say(f"Action server up ({time.monotonic() - started:.0f} s)")
            wait_until_up(f"{self.rasa_url}/webhooks/webchat/", rasa, timeout)
            say(f"Rasa server up ({time.monotonic() - started:.0f} s)")
        except Exception:
            self.stop()
            raise

    def stop(self, grace: float = 15.0) -> None:
        """Stop children: SIGTERM to each process group, then SIGKILL after a grace period."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def first_dead(self) -> str | None:
        """Name of a child that has exited, if any."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                return name
        return None


class StopRequested(Exception):
    """Raised by the signal handler so start-up and the watch loop end the same way."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise StopRequested(signal.Signals(signum).name)


def main(argv: List[str] | None = None) -> int:
    """Run the helpdesk until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Run every Leerwijzer process.")
    parser.add_argument("--model", type=Path, required=True, help="trained Rasa model (.tar.gz)")
    args = parser.parse_args(argv)

    stack = Stack(model=args.model)
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    exit_code = 0
    try:
        say("Starting the console, the action server and the Rasa server (the model takes a while)...")
        stack.start()
        settings = stack.settings
        say("Leerwijzer is running:")
        say(f"  Chat page:      {stack.chat_url}")
        say(f"  Widget script:  {settings.rasa_url}/webhooks/webchat/static/widget.js")
        say(f"  REST channel:   {settings.rasa_url}/webhooks/rest/webhook")
        token_note = "from RASA_API_TOKEN" if settings.rasa_api_token else f"made for this run: {stack.token}"
        say(f"  Rasa HTTP API:  {settings.rasa_url}/  (token {token_note})")
        say(f"  Action server:  {settings.action_url}")
        say(f"  Advisor console: {stack.console_url}/  (first admin: make admin)")
        say("Press Ctrl-C to stop.")
        while (dead := stack.first_dead()) is None:
            time.sleep(0.5)
        say(f"The {dead} process stopped unexpectedly; stopping the rest.")
        exit_code = 1
    except StopRequested:
        pass
    except RuntimeError as error:  # a process did not come up
        say(str(error))
        exit_code = 1
    finally:
        # Children run in their own sessions, so Ctrl-C reaches only us: stop them in order.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say("Stopping...")
        stack.stop()
        say("Stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
