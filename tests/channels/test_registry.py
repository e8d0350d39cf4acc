"""Which channels are on, credentials refusal, and the console's output factory."""

from __future__ import annotations

import logging

import pytest
import yaml
from rasa.shared.exceptions import RasaException

from channels.registry import enabled_channels, output_for
from channels.sms import SmsInput, SmsOutput
from channels.telegram import TelegramInput, TelegramOutput
from channels.whatsapp import WhatsAppInput, WhatsAppOutput


def test_no_env_means_every_channel_off_with_one_log_line_each(caplog):
    with caplog.at_level(logging.INFO, logger="channels.registry"):
        assert enabled_channels({}) == {}
    lines = [r.getMessage() for r in caplog.records]
    assert "WhatsApp channel off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_FROM" in lines
    assert "SMS channel off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SMS_FROM" in lines
    assert "Telegram channel off: set TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET" in lines
    assert len(lines) == 3


def test_entries_reference_env_vars_and_skip_unset_optional_ones(env):
    entries = enabled_channels(env)
    assert set(entries) == {
        "channels.whatsapp.WhatsAppInput",
        "channels.sms.SmsInput",
        "channels.telegram.TelegramInput",
    }
    assert entries["channels.whatsapp.WhatsAppInput"]["auth_token"] == "${TWILIO_AUTH_TOKEN}"
    assert "template_sid" not in entries["channels.whatsapp.WhatsAppInput"]
    # No secret ends up in the file the launcher writes.
    dumped = yaml.safe_dump(entries)
    assert env["TWILIO_AUTH_TOKEN"] not in dumped and env["TELEGRAM_BOT_TOKEN"] not in dumped


def test_partial_twilio_env_turns_on_only_sms(caplog):
    env = {
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_SMS_FROM": "+3197",
        "TWILIO_WHATSAPP_FROM": " ",
    }
    with caplog.at_level(logging.INFO, logger="channels.registry"):
        assert list(enabled_channels(env)) == ["channels.sms.SmsInput"]
    assert "WhatsApp channel off: set TWILIO_WHATSAPP_FROM" in caplog.text


def test_rasa_expands_the_references(env, tmp_path):
    from rasa.shared.utils.io import read_config_file

    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump(enabled_channels(env)))
    loaded = read_config_file(str(path))
    assert loaded["channels.sms.SmsInput"]["auth_token"] == env["TWILIO_AUTH_TOKEN"]
    assert isinstance(SmsInput.from_credentials(loaded["channels.sms.SmsInput"]), SmsInput)


@pytest.mark.parametrize("channel", [WhatsAppInput, SmsInput, TelegramInput])
@pytest.mark.parametrize("credentials", [None, {}, {"account_sid": "AC1", "token": ""}])
def test_missing_credentials_are_refused_the_rasa_way(channel, credentials):
    with pytest.raises(RasaException, match="credentials"):
        channel.from_credentials(credentials)


def test_output_for_builds_working_outputs(env):
    assert isinstance(output_for("whatsapp", env), WhatsAppOutput)
    assert isinstance(output_for("sms", env), SmsOutput)
    assert isinstance(output_for("telegram", env), TelegramOutput)
    assert output_for("webchat", env) is None
    assert output_for("telegram", {}) is None


def test_output_names_match_input_names():
    for input_class, output_class in (
        (WhatsAppInput, WhatsAppOutput),
        (SmsInput, SmsOutput),
        (TelegramInput, TelegramOutput),
    ):
        assert input_class.name() == output_class.name()
    assert {WhatsAppInput.name(), SmsInput.name(), TelegramInput.name()} == {"whatsapp", "sms", "telegram"}
