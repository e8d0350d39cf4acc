"""Log redaction: no secret and no full phone number survives into a log line."""

from __future__ import annotations

import logging

import pytest

from leerwijzer.redact import Redactor, install_log_redaction, mask_id, mask_phones


def test_phone_numbers_are_masked_in_every_shape() -> None:
    assert mask_id("whatsapp:+31612345678") == "whatsapp:+316*****678"
    assert mask_id("sms:+31687654321") == "sms:+316*****321"
    assert mask_phones("bel 0612345678 of 0031612345678") == "bel 06*****678 of 00316*****678"
    assert "31612345678" not in mask_phones("To=whatsapp%3A%2B31612345678")
    # Not phone numbers: short ids, times, a Telegram chat id, a web session.
    assert mask_id("telegram:424242") == "telegram:424242"
    assert mask_phones("took 1234 ms at 12:30") == "took 1234 ms at 12:30"


def test_secrets_and_token_shapes_are_masked() -> None:
    redact = Redactor(["s3cret-value-123", "short"])
    line = (
        "POST http://127.0.0.1:5005/conversations/x/tracker/events?token=abc123&x=1 "
        "GET https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage "
        "secret s3cret-value-123 and short"
    )
    redacted = redact(line)
    assert "abc123" not in redacted
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in redacted
    assert "s3cret-value-123" not in redacted
    assert "short" in redacted  # too short to be worth masking: an ordinary word


def test_installed_redaction_covers_messages_args_and_tracebacks(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "twilio-secret-token-xyz")
    install_log_redaction()
    logger = logging.getLogger("test.redact")
    with caplog.at_level(logging.INFO, logger="test.redact"):
        logger.info("sending to %s with %s", "whatsapp:+31612345678", "twilio-secret-token-xyz")
        try:
            raise RuntimeError("failed for +31687654321 using twilio-secret-token-xyz")
        except RuntimeError:
            logger.exception("boom")
    text = caplog.text
    assert "twilio-secret-token-xyz" not in text
    assert "31612345678" not in text and "31687654321" not in text
    assert "whatsapp:+316*****678" in text
    monkeypatch.delenv("TWILIO_AUTH_TOKEN")
    install_log_redaction()


def test_http_client_request_lines_stay_out_of_info_logs() -> None:
    logging.getLogger("httpx").setLevel(logging.INFO)
    install_log_redaction()
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert not logging.getLogger("httpcore").isEnabledFor(logging.INFO)
