"""Which messaging channels are on, and how to reach a user through one of them.

A channel is on when its environment variables are set. `enabled_channels` returns the
credentials.yml entries for exactly those channels, as `${VAR}` references so no secret is
written to disk (Rasa expands them when it reads the file); `output_for` builds a working
output channel for the advisor console.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Dict, Mapping, Tuple

from rasa.core.channels.channel import OutputChannel
from rasa.shared.utils.common import class_from_module_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelSpec:
    """A channel's name, its credentials.yml key and which env var fills which field."""

    name: str
    label: str
    class_path: str
    required: Tuple[Tuple[str, str], ...]
    optional: Tuple[Tuple[str, str], ...] = ()


CHANNELS: Tuple[ChannelSpec, ...] = (
    ChannelSpec(
        name="whatsapp",
        label="WhatsApp",
        class_path="channels.whatsapp.WhatsAppInput",
        required=(
            ("account_sid", "TWILIO_ACCOUNT_SID"),
            ("auth_token", "TWILIO_AUTH_TOKEN"),
            ("from_number", "TWILIO_WHATSAPP_FROM"),
        ),
        optional=(
            ("template_sid", "TWILIO_WHATSAPP_TEMPLATE_SID"),
            ("api_base_url", "TWILIO_API_BASE_URL"),
            ("public_url", "LEERWIJZER_PUBLIC_URL"),
        ),
    ),
    ChannelSpec(
        name="sms",
        label="SMS",
        class_path="channels.sms.SmsInput",
        required=(
            ("account_sid", "TWILIO_ACCOUNT_SID"),
            ("auth_token", "TWILIO_AUTH_TOKEN"),
            ("from_number", "TWILIO_SMS_FROM"),
        ),
        optional=(
            ("api_base_url", "TWILIO_API_BASE_URL"),
            ("public_url", "LEERWIJZER_PUBLIC_URL"),
        ),
    ),
    ChannelSpec(
        name="telegram",
        label="Telegram",
        class_path="channels.telegram.TelegramInput",
        required=(
            ("token", "TELEGRAM_BOT_TOKEN"),
            ("webhook_secret", "TELEGRAM_WEBHOOK_SECRET"),
        ),
        optional=(("api_base_url", "TELEGRAM_API_BASE_URL"),),
    ),
)


def _is_set(env: Mapping[str, str], var: str) -> bool:
    """An env var counts as set when it holds more than whitespace."""
    return bool((env.get(var) or "").strip())


def _entry(spec: ChannelSpec, env: Mapping[str, str], resolve: bool) -> Dict[str, str]:
    """Credentials entry: `${VAR}` references (or the values when `resolve`)."""
    entry = {}
    for key, var in spec.required + spec.optional:
        if _is_set(env, var):
            entry[key] = env[var].strip() if resolve else "${" + var + "}"
    return entry


def enabled_channels(
    env: Mapping[str, str] | None = None, resolve: bool = False
) -> Dict[str, Dict[str, str]]:
    """Return {credentials.yml key: credentials entry} for each channel whose env vars are set.

    Keys are the import paths Rasa needs (e.g. "channels.whatsapp.WhatsAppInput"); values
    reference the env vars as "${VAR}" unless `resolve` is True. Logs one line per channel
    that is off, naming the variables still to set.
    """
    env = os.environ if env is None else env
    enabled = {}
    for spec in CHANNELS:
        missing = [var for _, var in spec.required if not _is_set(env, var)]
        if missing:
            logger.info("%s channel off: set %s", spec.label, ", ".join(missing))
            continue
        enabled[spec.class_path] = _entry(spec, env, resolve)
    return enabled


def spec_for(channel_name: str) -> ChannelSpec | None:
    """The spec of a channel by its name ("whatsapp", "sms", "telegram")."""
    return next((spec for spec in CHANNELS if spec.name == channel_name), None)


def output_for(channel_name: str, env: Mapping[str, str] | None = None) -> OutputChannel | None:
    """A working output channel for the advisor console, or None when the channel is off."""
    spec = spec_for(channel_name)
    if spec is None:
        return None
    credentials = enabled_channels(env, resolve=True).get(spec.class_path)
    if credentials is None:
        return None
    input_class = class_from_module_path(spec.class_path)
    return input_class.from_credentials(credentials).get_output_channel()
