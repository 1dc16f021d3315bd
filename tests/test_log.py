"""Log lines never carry a secret: configured values and credential-shaped strings are scrubbed."""

from __future__ import annotations

import pytest

from ita_rent_bot.log import configure_logging, get_logger, redact

SID = "AC" + "0123456789abcdef" * 2


def test_configured_secret_and_credential_shapes_are_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", secrets=["my-own-secret-value"])
    log = get_logger("test")
    log.info(
        "sending",
        url=f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json",
        header="Bearer abcdefghijklmnop",
        note="token=s3cr3t&x=1 and my-own-secret-value",
        bot="123456789:AAE-abcdefghijklmnopqrstuvwxyz0123456",
        error=RuntimeError("failed with my-own-secret-value"),
    )
    err = capsys.readouterr().err
    for leaked in (SID, "abcdefghijklmnop", "s3cr3t", "my-own-secret-value", "AAE-abcdefghij"):
        assert leaked not in err
    assert "***" in err
    assert "sending" in err


def test_redact_is_the_same_rule_for_error_messages() -> None:
    configure_logging("INFO", secrets=["zzz-secret"])
    assert redact("oops zzz-secret") == "oops ***"
