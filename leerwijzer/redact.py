"""Keep secrets and phone numbers out of every log line, whoever writes it.

Rasa, Sanic, httpx and our own code all log through `logging`. Instead of a filter on each
handler (Rasa adds its handlers after we start), `install_log_redaction` wraps the log record
factory: every record is redacted the moment it is made, its message and its traceback text
alike, before any handler sees it. Secrets are the values of the variables in SECRET_ENV;
phone numbers are masked to `+316*****678`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any, Iterable, Mapping

# Environment variables whose values must never appear in a log line.
SECRET_ENV = (
    "RASA_API_TOKEN",
    "RASA_JWT_SECRET",
    "LEERWIJZER_ACTION_SECRET",
    "LEERWIJZER_REST_TOKEN",
    "LEERWIJZER_WEB_SESSION_SECRET",
    "TWILIO_AUTH_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "LEERWIJZER_PG_PASSWORD",
    "LEERWIJZER_RABBITMQ_PASSWORD",
)
# Shorter values ("guest") are ordinary words; masking them would garble the logs.
MIN_SECRET_CHARS = 8
MASK = "[redacted]"

# +31612345678, %2B31612345678 (URL-encoded), 0031612345678 and 0612345678.
_PHONE = re.compile(r"(\+|%2[bB]|(?<![\w%])00)(\d{8,15})(?!\d)|(?<![\w+%])(0[1-9]\d{8})(?!\d)")
# A Telegram bot token anywhere (in a Bot API URL it follows "/bot").
_TELEGRAM_TOKEN = re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}\b")
# `token=...` in a logged URL (Rasa's HTTP API takes its static token that way).
_TOKEN_PARAM = re.compile(r"([?&](?:token|auth_token|access_token)=)[^&\s\"']+", re.IGNORECASE)


def _mask_digits(prefix: str, digits: str) -> str:
    keep_head = 3 if prefix else 2
    return f"{prefix}{digits[:keep_head]}{'*' * max(len(digits) - keep_head - 3, 1)}{digits[-3:]}"


def mask_phones(text: str) -> str:
    """Mask every phone number in a text: `+31612345678` -> `+316*****678`."""

    def replace(match: re.Match[str]) -> str:
        if match.group(3):
            return _mask_digits("", match.group(3))
        return _mask_digits(match.group(1), match.group(2))

    return _PHONE.sub(replace, text)


def mask_id(conversation_id: Any) -> str:
    """A conversation id fit for a log line (`whatsapp:+316*****678`; other ids unchanged)."""
    return mask_phones(str(conversation_id))


class Redactor:
    """Replaces known secret values, token-like strings and phone numbers in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        """Remember the secret values worth masking (longest first, so no part is left)."""
        values = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        self.secrets = sorted(values, key=len, reverse=True)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Redactor:
        """A redactor for the secrets set in `env` (default: this process's environment)."""
        env = os.environ if env is None else env
        return cls((env.get(name) or "").strip() for name in SECRET_ENV)

    def __call__(self, text: str) -> str:
        """The text with every secret and phone number masked."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _TELEGRAM_TOKEN.sub(MASK, text)
        text = _TOKEN_PARAM.sub(lambda m: m.group(1) + MASK, text)
        return mask_phones(text)


_installed_lock = threading.Lock()
_installed: Redactor | None = None


# HTTP clients whose INFO lines are whole request URLs (a Bot API URL holds the bot token).
QUIET_LOGGERS = ("httpx", "httpcore")


def install_log_redaction(env: Mapping[str, str] | None = None) -> Redactor:
    """Redact every log record made in this process from now on (calling again updates it).

    Also keeps the HTTP clients' request lines out of INFO logs: redaction would mask their
    secrets and numbers, but a line per request to the provider adds nothing worth keeping.
    """
    global _installed
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    redactor = Redactor.from_env(env)
    with _installed_lock:
        first_time = _installed is None
        _installed = redactor
        if first_time:
            make_record = logging.getLogRecordFactory()

            def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = make_record(*args, **kwargs)
                _redact_record(record)
                return record

            logging.setLogRecordFactory(redacting_factory)
    return redactor


def _redact_record(record: logging.LogRecord) -> None:
    """Freeze the record's message (and traceback) as redacted text."""
    redactor = _installed
    if redactor is None:
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string: logging reports it later
        return
    record.msg, record.args = redactor(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redactor(logging.Formatter().formatException(record.exc_info))
