"""`ita-rent-bot whatsapp send-test` as an operator runs it: a real process against fake Twilio."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from fakes.twilio_fake import ACCOUNT_SID, AUTH_TOKEN, FakeReply, FakeTwilio

from .conftest import SENDER, USER_NUMBER


async def _cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHATSAPP_", "TWILIO_", "TELEGRAM_"))
    }
    clean.update({"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}, **env)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ita_rent_bot",
        "whatsapp",
        "send-test",
        *args,
        cwd=tmp_path,
        env=clean,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _env(fake: FakeTwilio, **extra: str) -> dict[str, str]:
    return {
        "WHATSAPP_ENABLED": "true",
        "WHATSAPP_API_URL": fake.messages_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "WHATSAPP_PHONE_NUMBER_ID": SENDER,
        **extra,
    }


async def test_send_test_prints_the_sid_and_the_path(
    tmp_path: Path, twilio_fake: FakeTwilio
) -> None:
    code, out, err = await _cli(tmp_path, "--to", "+39 333 123 4567", **_env(twilio_fake))

    assert code == 0, err
    [request] = twilio_fake.accepted()
    assert out.strip() == f"sent {request.sid} via sdk"
    assert request.form["To"] == f"whatsapp:{USER_NUMBER}"
    assert "WhatsApp works" in request.form["Body"]


async def test_a_refused_number_is_one_line_and_a_failure(
    tmp_path: Path, twilio_fake: FakeTwilio
) -> None:
    twilio_fake.script = [FakeReply(400, 21211, "The 'To' number is not a valid phone number.")]

    code, out, err = await _cli(tmp_path, "--to", USER_NUMBER, **_env(twilio_fake))

    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert "RecipientGone (code 21211)" in err
    assert AUTH_TOKEN not in err


async def test_misconfiguration_and_bad_input_are_one_line_each(tmp_path: Path) -> None:
    off = await _cli(tmp_path, "--to", USER_NUMBER)
    bad_number = await _cli(tmp_path, "--to", "12345")

    for code, out, err in (off, bad_number):
        assert code != 0
        assert out == ""
        assert err.count("\n") == 1
        assert "Traceback" not in err
    assert "WHATSAPP_ENABLED" in off[2]
    assert "international format" in bad_number[2]
