"""Settings: the client's variable names, the Twilio aliases, and one safe line per bad value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ita_rent_bot.config import SettingsError, load_settings

ACCOUNT_SID = "AC" + "a1" * 16
TWILIO_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture(autouse=True)
def _empty_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray variable or .env file from the developer's machine leaks into these tests."""
    for name in list(os.environ):
        if name.startswith(("WHATSAPP_", "TWILIO_", "TELEGRAM_", "API_", "DATABASE_", "DEBUG_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_start_with_nothing_configured() -> None:
    s = load_settings()
    assert s.database_url == "sqlite+aiosqlite:///./data/ita_rent_bot.db"
    assert s.whatsapp_enabled is False
    assert s.whatsapp_notification_interval_seconds == 1800
    assert s.debug_notifications is False
    assert s.telegram_bot_token is None
    assert s.whatsapp_phone_number_id == []


def test_client_variable_names_work_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_ENABLED", "true")
    monkeypatch.setenv("WHATSAPP_API_URL", TWILIO_URL)
    monkeypatch.setenv("WHATSAPP_API_TOKEN", "tok-9f8e7d6c5b4a")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "whatsapp:+14155238886")
    monkeypatch.setenv("WHATSAPP_BUSINESS_ACCOUNT_ID", ACCOUNT_SID)
    monkeypatch.setenv("WHATSAPP_NOTIFICATION_INTERVAL_SECONDS", "900")
    monkeypatch.setenv("DEBUG_NOTIFICATIONS", "true")
    s = load_settings()
    assert s.whatsapp_enabled
    assert s.debug_notifications
    assert s.whatsapp_api_url == TWILIO_URL
    assert s.whatsapp_api_token is not None
    assert s.whatsapp_api_token.get_secret_value() == "tok-9f8e7d6c5b4a"
    assert s.whatsapp_phone_number_id == ["whatsapp:+14155238886"]
    assert s.twilio_account_sid == ACCOUNT_SID
    assert s.whatsapp_notification_interval_seconds == 900
    assert s.resolved_whatsapp_provider == "twilio"


def test_twilio_aliases_and_sid_from_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok-from-twilio-name")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    s = load_settings()
    assert s.whatsapp_api_token is not None
    assert s.whatsapp_api_token.get_secret_value() == "tok-from-twilio-name"
    assert s.whatsapp_business_account_id == ACCOUNT_SID
    monkeypatch.delenv("TWILIO_ACCOUNT_SID")
    monkeypatch.setenv("WHATSAPP_API_URL", TWILIO_URL)
    assert load_settings().twilio_account_sid == ACCOUNT_SID


def test_several_senders_and_meta_inferred(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "1111, 2222 ,3333")
    monkeypatch.setenv("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0")
    s = load_settings()
    assert s.whatsapp_phone_number_id == ["1111", "2222", "3333"]
    assert s.resolved_whatsapp_provider == "meta"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("WHATSAPP_NOTIFICATION_INTERVAL_SECONDS=600\nLOG_LEVEL=DEBUG\n")
    s = load_settings()
    assert s.whatsapp_notification_interval_seconds == 600
    assert s.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        (
            {"WHATSAPP_NOTIFICATION_INTERVAL_SECONDS": "half an hour"},
            "WHATSAPP_NOTIFICATION_INTERVAL_SECONDS",
        ),
        ({"WHATSAPP_API_URL": "api.twilio.com/Messages.json"}, "WHATSAPP_API_URL"),
        ({"TELEGRAM_API_BASE_URL": "ftp://example"}, "TELEGRAM_API_BASE_URL"),
        ({"WHATSAPP_ENABLED": "true"}, "WHATSAPP_API_TOKEN"),
        ({"WHATSAPP_ENABLED": "maybe"}, "WHATSAPP_ENABLED"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"API_ADMIN_TOKEN": "changethis"}, "API_ADMIN_TOKEN"),
        ({"BROKER_URL": "amqp://localhost"}, "BROKER_URL"),
        (
            {
                "WHATSAPP_ENABLED": "true",
                "WHATSAPP_API_TOKEN": "t0k3n-value",
                "WHATSAPP_PHONE_NUMBER_ID": "whatsapp:+1",
            },
            "WHATSAPP_BUSINESS_ACCOUNT_ID",
        ),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], variable: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    message = str(err.value)
    assert "\n" not in message
    assert variable in message


SECRET_NAMES = ["WHATSAPP_API_TOKEN", "TWILIO_AUTH_TOKEN", "TELEGRAM_BOT_TOKEN", "API_ADMIN_TOKEN"]


@settings(max_examples=60, deadline=None)
@given(
    secret=st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=40
    ),
    name=st.sampled_from(SECRET_NAMES),
)
def test_a_secret_never_appears_in_a_settings_error(secret: str, name: str) -> None:
    """Whatever else is wrong, the message never echoes a configured secret."""
    env = {
        name: secret,
        "WHATSAPP_ENABLED": "true",
        "WHATSAPP_NOTIFICATION_INTERVAL_SECONDS": "not-a-number",
        "WHATSAPP_API_URL": "nonsense",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with pytest.raises(SettingsError) as err:
            load_settings()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert secret not in str(err.value)


def test_secret_is_masked_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHATSAPP_API_TOKEN", "very-secret-token-123")
    s = load_settings()
    assert "very-secret-token-123" not in repr(s)
    assert "very-secret-token-123" in s.secret_values()
