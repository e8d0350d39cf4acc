"""One typed settings module for every Leerwijzer process, read from the environment.

Every runtime part (launcher, action server, channels, catalogue CLI, advisor console)
reads its configuration here and nowhere else. `.env.example` documents each variable.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import List, Mapping, Tuple
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BaseSettings, Field

PROJECT_ROOT = Path(__file__).resolve().parent.parent


DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")


def parse_office_hours(spec: str) -> List[Tuple[int, dt.time, dt.time]]:
    """Parse "mo-fr 09:00-17:00; sa 10:00-12:00" into windows; raise ValueError when wrong."""
    windows = []
    spec = spec.strip().lower()
    if spec in ("always", "never", ""):
        return windows
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        days_text, hours_text = part.split()
        first, _, last = days_text.partition("-")
        start_day, end_day = DAYS.index(first[:2]), DAYS.index((last or first)[:2])
        start_text, end_text = hours_text.split("-")
        start, end = dt.time.fromisoformat(start_text), dt.time.fromisoformat(end_text)
        for day in range(start_day, end_day + 1):
            windows.append((day, start, end))
    return windows


class Settings(BaseSettings):
    """Leerwijzer configuration; each field maps to an upper-case environment variable."""

    # Folder for files made at run time (SQLite files, the composed credentials file).
    runtime_dir: Path = Field(PROJECT_ROOT / "var", env="LEERWIJZER_RUNTIME_DIR")

    # Databases. The app database holds the catalogue and the helpdesk tables.
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'leerwijzer.db'}", env="LEERWIJZER_DATABASE_URL"
    )
    tracker_store_db: str = Field(str(PROJECT_ROOT / "var" / "rasa-tracker.db"), env="LEERWIJZER_TRACKER_DB")

    # Processes and ports.
    host: str = Field("127.0.0.1", env="LEERWIJZER_HOST")
    rasa_port: int = Field(5005, env="LEERWIJZER_RASA_PORT")
    action_port: int = Field(5055, env="LEERWIJZER_ACTION_PORT")
    console_port: int = Field(5080, env="LEERWIJZER_CONSOLE_PORT")
    action_endpoint_url: str | None = Field(None, env="LEERWIJZER_ACTION_ENDPOINT_URL")
    # Rasa endpoints: bot/endpoints.yml (embedded) or bot/endpoints.scale.yml (scale-out).
    endpoints_file: Path = Field(PROJECT_ROOT / "bot" / "endpoints.yml", env="LEERWIJZER_ENDPOINTS")

    # Secrets. Each is read from the environment only; when one is unset, the launcher makes
    # a random one and keeps it in RUNTIME_DIR/secrets.env (mode 0600), never on a command line.
    # Rasa HTTP API: the static token (`?token=`, for operators' scripts) ...
    rasa_api_token: str | None = Field(None, env="RASA_API_TOKEN", repr=False)
    # ... and the JWT secret the console signs its `Authorization: Bearer` tokens with.
    rasa_jwt_secret: str | None = Field(None, env="RASA_JWT_SECRET", repr=False)
    # Shared secret Rasa sends to the action server in a header on every call.
    action_secret: str | None = Field(None, env="LEERWIJZER_ACTION_SECRET", repr=False)
    # Bearer token a REST channel client must send (the REST channel refuses requests without it).
    rest_token: str | None = Field(None, env="LEERWIJZER_REST_TOKEN", repr=False)
    # Key that signs the web chat session ids the server issues.
    web_session_secret: str | None = Field(None, env="LEERWIJZER_WEB_SESSION_SECRET", repr=False)

    # Bounds. Requests larger than this get 413 before their body is read.
    max_request_bytes: int = Field(1_000_000, env="LEERWIJZER_MAX_REQUEST_BYTES")
    # Messages one conversation may send per minute before it gets a polite "slow down".
    rate_limit_per_minute: int = Field(20, env="LEERWIJZER_RATE_LIMIT_PER_MINUTE")

    # Public base URL as the outside world sees it (webhook signatures are computed on it).
    public_url: str | None = Field(None, env="LEERWIJZER_PUBLIC_URL")
    # The web chat page an ambassador's link and QR code open (default: the bot's own page).
    chat_page_url: str | None = Field(None, env="LEERWIJZER_CHAT_PAGE_URL")

    # How many offers the bot shows at once.
    max_offers_shown: int = Field(3, env="LEERWIJZER_MAX_OFFERS_SHOWN")

    # Privacy: transcripts, notes, tasks and tracker events are kept this many days.
    retention_days: int = Field(90, env="LEERWIJZER_RETENTION_DAYS")

    # Helpdesk and advisor console.
    rasa_url_override: str | None = Field(None, env="LEERWIJZER_RASA_URL")
    # Empty: embedded default (database polling). redis://... : Redis pub/sub wake-ups.
    helpdesk_broker_url: str = Field("", env="LEERWIJZER_HELPDESK_BROKER_URL")
    helpdesk_poll_seconds: float = Field(1.0, env="LEERWIJZER_HELPDESK_POLL_SECONDS")
    session_hours: float = Field(10.0, env="LEERWIJZER_CONSOLE_SESSION_HOURS")
    cookie_secure: bool = Field(True, env="LEERWIJZER_CONSOLE_COOKIE_SECURE")
    login_max_failures: int = Field(5, env="LEERWIJZER_CONSOLE_LOGIN_MAX_FAILURES")
    login_window_minutes: int = Field(15, env="LEERWIJZER_CONSOLE_LOGIN_WINDOW_MINUTES")
    # Office hours: "always", "never", or e.g. "mo-fr 09:00-17:00; sa 10:00-12:00".
    office_hours: str = Field("mo-fr 09:00-17:00", env="LEERWIJZER_OFFICE_HOURS")
    timezone: str = Field("Europe/Amsterdam", env="LEERWIJZER_TIMEZONE")
    # Expected wait = (place in the queue) x this many minutes.
    minutes_per_case: int = Field(5, env="LEERWIJZER_HANDOFF_MINUTES_PER_CASE")
    # A chat waiting this long for an advisor goes back to the bot (the user is told).
    handoff_wait_timeout_minutes: int = Field(120, env="LEERWIJZER_HANDOFF_WAIT_TIMEOUT_MINUTES")
    # The queue marks a chat that has waited longer than this.
    handoff_wait_warning_minutes: int = Field(10, env="LEERWIJZER_HANDOFF_WAIT_WARNING_MINUTES")

    class Config:
        """Read a `.env` file in the project root when present; real env vars win."""

        env_file = str(PROJECT_ROOT / ".env")
        env_file_encoding = "utf-8"

    @property
    def action_url(self) -> str:
        """URL of the action server's webhook, as Rasa calls it."""
        return self.action_endpoint_url or f"http://{self.host}:{self.action_port}/webhook"

    @property
    def chat_page(self) -> str:
        """The public web chat page: LEERWIJZER_CHAT_PAGE_URL, else the web chat channel's own page."""
        base = (self.public_url or self.rasa_url).rstrip("/")
        return self.chat_page_url or f"{base}/webhooks/webchat/chat"

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server (LEERWIJZER_RASA_URL when the console runs elsewhere)."""
        return self.rasa_url_override or f"http://{self.host}:{self.rasa_port}"

    def office_windows(self) -> List[Tuple[int, dt.time, dt.time]]:
        """Parse office hours into (weekday, start, end) windows; weekday 0 is Monday."""
        return parse_office_hours(self.office_hours)

    def local_time(self, moment: dt.datetime | None = None) -> dt.datetime:
        """`moment` (default now) in the helpdesk's zone."""
        return (moment or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(self.timezone))

    def local_today(self, moment: dt.datetime | None = None) -> dt.date:
        """Today's date in the helpdesk's zone (a UTC server's date is yesterday until 01:00)."""
        return self.local_time(moment).date()

    def is_open(self, moment: dt.datetime | None = None) -> bool:
        """True when `moment` (default now) falls inside the office hours."""
        spec = self.office_hours.strip().lower()
        if spec == "always":
            return True
        if spec in ("never", ""):
            return False
        local = self.local_time(moment)
        return any(
            day == local.weekday() and start <= local.time() < end
            for day, start, end in self.office_windows()
        )


# Channel secrets are read from a mapping rather than cached: the launcher decides from the
# same mapping which channels are on, and Rasa expands the very same ${VAR}s in credentials.
class ChannelSettings(BaseModel):
    """Channel credentials and URLs; an empty string counts as unset."""

    TWILIO_ACCOUNT_SID: str | None = None
    TWILIO_AUTH_TOKEN: str | None = None
    TWILIO_WHATSAPP_FROM: str | None = None
    TWILIO_SMS_FROM: str | None = None
    TWILIO_WHATSAPP_TEMPLATE_SID: str | None = None
    TWILIO_API_BASE_URL: str | None = None
    TELEGRAM_BOT_TOKEN: str | None = None
    TELEGRAM_WEBHOOK_SECRET: str | None = None
    TELEGRAM_API_BASE_URL: str | None = None
    LEERWIJZER_PUBLIC_URL: str | None = None
    LEERWIJZER_DATABASE_URL: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChannelSettings:
        """Read the fields from `env` (default: the process environment)."""
        env = os.environ if env is None else env
        values = {}
        for name in cls.__fields__:
            value = (env.get(name) or "").strip()
            if value:
                values[name] = value
        return cls(**values)

    @property
    def database_url(self) -> str:
        """Database URL for the channel tables; falls back to the shared settings default."""
        if self.LEERWIJZER_DATABASE_URL:
            return self.LEERWIJZER_DATABASE_URL
        return Settings().database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
