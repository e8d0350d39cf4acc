"""Start every Leerwijzer process in one terminal, keep them running, stop them all on Ctrl-C.

Used by `make run` and by the end-to-end tests, so the tests drive exactly what users run.

Secrets: each process gets its secrets through the environment only. A secret that is not
set is made once and kept in RUNTIME_DIR/secrets.env (mode 0600) for the next run; a
command line would show it to every user of the machine (`ps`, /proc/<pid>/cmdline).

Supervision: when a process dies, only that one is started again, after a pause that doubles
with every quick death (1, 2, 4 ... at most 30 s) and starts at 1 s again once the process
had run for a minute. The others keep serving meanwhile.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets as secrets_module
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Mapping, Tuple

import yaml
from dotenv import dotenv_values

from leerwijzer.redact import install_log_redaction
from leerwijzer.settings import PROJECT_ROOT, Settings, get_settings

VENV_BIN = Path(sys.executable).parent
BASE_CREDENTIALS = PROJECT_ROOT / "bot" / "credentials.yml"

# Every secret the processes share, by environment variable name.
SECRET_NAMES = (
    "RASA_API_TOKEN",
    "RASA_JWT_SECRET",
    "LEERWIJZER_ACTION_SECRET",
    "LEERWIJZER_REST_TOKEN",
    "LEERWIJZER_WEB_SESSION_SECRET",
)
SECRETS_FILE = "secrets.env"

# Restart pauses: 1, 2, 4 ... seconds, never more than MAX_RESTART_DELAY; a process that ran
# for STABLE_UPTIME seconds before it died counts as healthy, so its next pause is 1 s again.
MAX_RESTART_DELAY = 30.0
STABLE_UPTIME = 60.0
SUPERVISE_INTERVAL = 0.5

LABELS = {"console": "advisor console", "actions": "action server", "rasa": "Rasa server"}


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


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by the owner only, replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # Created with mode 0600, so the secret is never readable by others, not even briefly.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # the umask cannot widen it, but an old file's mode could
        os.write(descriptor, text.encode("utf-8"))
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def load_or_create_secrets(path: Path, given: Mapping[str, str | None]) -> Tuple[Dict[str, str], List[str]]:
    """Every secret in SECRET_NAMES: a given value wins, then the kept one, else a new one.

    New values are added to the file at `path` (mode 0600) so the next run reuses them;
    given values (from the environment) are never written to disk.

    Returns:
        All secrets by name, and the names of those made just now.
    """
    kept = {name: value for name, value in dotenv_values(path).items() if value} if path.exists() else {}
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)  # someone widened it: close it again before we rely on it
    values: Dict[str, str] = {}
    made: List[str] = []
    for name in SECRET_NAMES:
        value = (given.get(name) or "").strip() or kept.get(name)
        if not value:
            value = kept[name] = secrets_module.token_urlsafe(32)
            made.append(name)
        values[name] = value
    if made:
        lines = [
            "# Secrets made by the Leerwijzer launcher (`make run`) and reused on every run.",
            "# Environment variables with the same names win. Keep this file private (mode 0600).",
        ]
        lines += [f"{name}={value}" for name, value in kept.items()]
        _write_private(path, "\n".join(lines) + "\n")
    return values, made


def wait_until_up(url: str, process: Any, timeout: float) -> None:
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


def restart_delay(quick_deaths: int) -> float:
    """Pause before the next start after `quick_deaths` deaths in a row without a stable run."""
    return min(MAX_RESTART_DELAY, 2.0**quick_deaths)


def describe_exit(returncode: int) -> str:
    """`exit code 1` or `killed by SIGKILL`, for the one line the supervisor prints."""
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-returncode).name}"
    return f"exit code {returncode}"


def _signal_group(process: Any, signum: int) -> None:
    """Send a signal to a child's process group (each child leads its own session)."""
    pid = getattr(process, "pid", None)
    if isinstance(pid, int) and pid > 0:  # never 0 or -1: those would reach our own group or everyone
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signum)


@dataclass
class Child:
    """One supervised process: how to start it, its current process and its restart state."""

    name: str
    args: List[str]
    health_url: str
    process: Any = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None
    starts: int = 0


@dataclass
class Stack:
    """The running processes: action server, Rasa server and advisor console."""

    model: Path
    # Kept out of repr(): it ends up in tracebacks and test reports, and these hold secrets.
    settings: Settings = field(default_factory=get_settings, repr=False)
    extra_env: Dict[str, str] = field(default_factory=dict, repr=False)
    log_dir: Path | None = None
    # Seams for the tests of the supervisor (fake processes, a hand-moved clock).
    popen: Callable[..., Any] | None = None  # None: subprocess.Popen
    clock: Callable[[], float] = time.monotonic
    report: Callable[[str], None] = say
    secrets: Dict[str, str] = field(default_factory=dict, repr=False)
    made_secrets: List[str] = field(default_factory=list)
    children: Dict[str, Child] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._env: Dict[str, str] | None = None

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

    @property
    def action_server_url(self) -> str:
        """Base URL of the action server (its health check is at /health)."""
        return f"http://{self.settings.host}:{self.settings.action_port}"

    @property
    def secrets_file(self) -> Path:
        """Where the secrets this launcher made are kept."""
        return self.settings.runtime_dir / SECRETS_FILE

    @property
    def token(self) -> str | None:
        """The static token of Rasa's HTTP API (RASA_API_TOKEN)."""
        return self.secrets.get("RASA_API_TOKEN")

    @property
    def processes(self) -> Dict[str, Any]:
        """The current process of each child, by name."""
        return {name: child.process for name, child in self.children.items() if child.process is not None}

    def _given_secrets(self, env: Mapping[str, str]) -> Dict[str, str | None]:
        """Secrets set by the caller: extra_env, then explicit settings, then the environment."""
        from_settings = {
            "RASA_API_TOKEN": self.settings.rasa_api_token,
            "RASA_JWT_SECRET": self.settings.rasa_jwt_secret,
            "LEERWIJZER_ACTION_SECRET": self.settings.action_secret,
            "LEERWIJZER_REST_TOKEN": self.settings.rest_token,
            "LEERWIJZER_WEB_SESSION_SECRET": self.settings.web_session_secret,
        }
        return {
            name: self.extra_env.get(name) or from_settings[name] or env.get(name) for name in SECRET_NAMES
        }

    def environment(self) -> Dict[str, str]:
        """Environment shared by every child: settings and secrets made explicit, plus extras."""
        if self._env is not None:
            return dict(self._env)
        env = dict(os.environ)
        # Children (and Rasa's ${VAR} expansion) must see `.env` too; real env vars win.
        for name, value in dotenv_values(PROJECT_ROOT / ".env").items():
            if value is not None:
                env.setdefault(name, value)
        env.update(self.extra_env)
        self.secrets, self.made_secrets = load_or_create_secrets(self.secrets_file, self._given_secrets(env))
        env.update(self.secrets)
        env["LEERWIJZER_ACTION_URL"] = self.settings.action_url
        env["LEERWIJZER_TRACKER_DB"] = self.settings.tracker_store_db
        env["LEERWIJZER_DATABASE_URL"] = self.settings.database_url
        env["LEERWIJZER_RUNTIME_DIR"] = str(self.settings.runtime_dir)
        env["LEERWIJZER_HOST"] = self.settings.host
        env["LEERWIJZER_RASA_PORT"] = str(self.settings.rasa_port)
        env["LEERWIJZER_ACTION_PORT"] = str(self.settings.action_port)
        env["LEERWIJZER_CONSOLE_PORT"] = str(self.settings.console_port)
        env["LEERWIJZER_RASA_URL"] = self.settings.rasa_url
        env["LEERWIJZER_MAX_REQUEST_BYTES"] = str(self.settings.max_request_bytes)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self._env = env
        return dict(env)

    def child_specs(self, credentials: Path) -> List[Child]:
        """The three processes in start order; no argument carries a secret."""
        python = str(VENV_BIN / "python")
        return [
            Child("console", [python, "-m", "helpdesk.console"], f"{self.console_url}/health"),
            Child("actions", [python, "-m", "actions.server"], f"{self.action_server_url}/health"),
            Child(
                "rasa",
                [
                    # Rasa's own CLI with our fixes applied; it reads RASA_API_TOKEN and
                    # RASA_JWT_SECRET from the environment (see bot/server.py).
                    python,
                    "-m",
                    "bot.server",
                    "run",
                    "--model",
                    str(self.model),
                    "--enable-api",
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
                f"{self.rasa_url}/webhooks/webchat/",
            ),
        ]

    def _spawn(self, child: Child) -> None:
        """Start (or start again) one child, its output appended to its log file."""
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{child.name}.log", "ab")  # noqa: SIM115 - closed below
        try:
            child.process = (self.popen or subprocess.Popen)(
                child.args,
                cwd=PROJECT_ROOT,
                env=self.environment(),
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
            )
        finally:
            if output is not None:
                output.close()  # the child has its own copy of the descriptor
        child.started_at = self.clock()
        child.restart_at = None
        child.starts += 1

    def launch(self) -> None:
        """Start every process without waiting for them (start() waits)."""
        env = self.environment()
        Path(self.settings.tracker_store_db).parent.mkdir(parents=True, exist_ok=True)
        credentials = self.settings.runtime_dir / "credentials.yml"
        channels = compose_credentials(credentials, env)
        self.report(f"Channels on: {', '.join(channels)}")
        with self._lock:
            for child in self.child_specs(credentials):
                self.children[child.name] = child
                self._spawn(child)

    def start(self, timeout: float = 240.0, supervise: bool = True) -> None:
        """Start all processes, wait until each answers its health check, then watch them."""
        started = time.monotonic()
        self.launch()
        try:
            for name in ("console", "actions", "rasa"):
                child = self.children[name]
                wait_until_up(child.health_url, child.process, timeout)
                self.report(f"{LABELS[name].capitalize()} up ({time.monotonic() - started:.0f} s)")
        except Exception:
            self.stop()
            raise
        if supervise:
            self._supervisor = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
            self._supervisor.start()

    def _supervise(self) -> None:
        """Background loop: restart dead children until stop() is called."""
        while not self._stopping.wait(SUPERVISE_INTERVAL):
            try:
                self.check_children()
            except Exception as error:  # noqa: BLE001 - the watcher must outlive one bad round
                self.report(f"Supervisor error: {error!r}")

    @contextlib.contextmanager
    def restarts_held(self) -> Iterator[None]:
        """No child is started again inside this block (to look at the stack with one part down)."""
        with self._lock:
            yield

    def check_children(self) -> None:
        """One supervision round: schedule a restart for each dead child, start those due."""
        with self._lock:
            if self._stopping.is_set():
                return
            now = self.clock()
            for child in self.children.values():
                if child.restart_at is None and child.process is not None:
                    returncode = child.process.poll()
                    if returncode is None:
                        continue
                    # What is left of its process group (e.g. worker processes) must not hold the port.
                    _signal_group(child.process, signal.SIGKILL)
                    if now - child.started_at >= STABLE_UPTIME:
                        child.quick_deaths = 0
                    delay = restart_delay(child.quick_deaths)
                    child.quick_deaths += 1
                    child.restart_at = now + delay
                    self.report(
                        f"The {LABELS.get(child.name, child.name)} stopped ({describe_exit(returncode)}); "
                        f"starting it again in {delay:g} s. The other processes keep running."
                    )
                if child.restart_at is not None and now >= child.restart_at:
                    try:
                        self._spawn(child)
                    except OSError as error:  # e.g. out of processes: try again later, not every round
                        delay = restart_delay(child.quick_deaths)
                        child.quick_deaths += 1
                        child.restart_at = now + delay
                        self.report(
                            f"Could not start the {LABELS.get(child.name, child.name)} ({error}); "
                            f"trying again in {delay:g} s."
                        )

    def stop(self, grace: float = 15.0) -> None:
        """Stop supervising, then the children: SIGTERM to each group, SIGKILL after a grace period."""
        self._stopping.set()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=10)
        with self._lock:
            processes = [child.process for child in self.children.values() if child.process is not None]
            for process in processes:
                if process.poll() is None:
                    _signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + grace
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
            self.children.clear()


class StopRequested(Exception):
    """Raised by the signal handler so start-up and the watch loop end the same way."""


def _raise_stop(signum: int, _frame: object) -> None:
    raise StopRequested(signal.Signals(signum).name)


def main(argv: List[str] | None = None) -> int:
    """Run the helpdesk until Ctrl-C."""
    parser = argparse.ArgumentParser(description="Run every Leerwijzer process.")
    parser.add_argument("--model", type=Path, required=True, help="trained Rasa model (.tar.gz)")
    args = parser.parse_args(argv)
    install_log_redaction()  # like every process: no log record may carry a secret

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
        say(f"  REST channel:   {settings.rasa_url}/webhooks/rest/webhook  (Bearer LEERWIJZER_REST_TOKEN)")
        say(f"  Rasa HTTP API:  {settings.rasa_url}/  (RASA_API_TOKEN or a JWT signed with RASA_JWT_SECRET)")
        say(f"  Action server:  {settings.action_url}  (only with LEERWIJZER_ACTION_SECRET)")
        say(f"  Advisor console: {stack.console_url}/  (first admin: make admin)")
        # Only where the secrets are: printing them would put them in terminal scrollback and CI logs.
        if stack.secrets_file.exists():
            made = f"; made now: {', '.join(stack.made_secrets)}" if stack.made_secrets else ""
            say(f"  Secrets:        kept in {stack.secrets_file} (environment variables win{made})")
        else:
            say("  Secrets:        all from the environment")
        say("Press Ctrl-C to stop.")
        while True:  # the supervisor thread restarts dead processes; we wait for Ctrl-C
            time.sleep(1)
    except StopRequested:
        pass
    except RuntimeError as error:  # a process did not come up
        say(str(error))
        exit_code = 1
    finally:
        # Children run in their own sessions, so Ctrl-C reaches only us: stop them in order.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say("Stopping...")
        stack.stop()
        say("Stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
