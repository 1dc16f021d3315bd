"""Settings: environment variables and `.env`, validated once at start.

The client's own variable names (`WHATSAPP_*`, `DEBUG_NOTIFICATIONS`) and the usual Twilio names
(`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`) both work. A wrong value is reported as one line that
names the variable and never echoes a secret.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"changethis", "changeme", "secret", "xxx", "your-token-here"})


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line, safe to print."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _check_url(value: str | None, *, schemes: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise ValueError(f"must be a URL starting with {' or '.join(s + '://' for s in schemes)}")
    return value.rstrip("/") if parts.path in ("", "/") else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # storage, jobs, shared state
    database_url: str = "sqlite+aiosqlite:///./data/ita_rent_bot.db"
    broker_url: str | None = None
    redis_url: str | None = None

    # service
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    # API processes sharing the port; above 1 the workers run as their own commands
    api_workers: int = Field(default=1, ge=1, le=32)
    api_admin_token: SecretStr | None = None
    public_base_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False
    embedded_workers: bool = True  # the in-process workers and scheduler; off on API-only replicas

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_global_mps: float = Field(default=30.0, gt=0)
    telegram_chat_mps: float = Field(default=1.0, gt=0)

    # WhatsApp: the client's names first, the usual Twilio names as aliases
    whatsapp_enabled: bool = False
    whatsapp_provider: Literal["twilio", "meta"] | None = None
    whatsapp_api_url: str | None = None
    whatsapp_api_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("WHATSAPP_API_TOKEN", "TWILIO_AUTH_TOKEN")
    )
    whatsapp_phone_number_id: Annotated[list[str], NoDecode] = Field(default_factory=list)
    whatsapp_business_account_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("WHATSAPP_BUSINESS_ACCOUNT_ID", "TWILIO_ACCOUNT_SID"),
    )
    whatsapp_notification_interval_seconds: int = Field(default=1800, ge=0)
    whatsapp_template_sid: str | None = None
    whatsapp_template_name: str | None = None
    whatsapp_sender_mps: float = Field(default=1.0, gt=0)
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_send_photos: bool = True
    whatsapp_timeout_seconds: float = Field(default=15.0, gt=0)
    whatsapp_sandbox_join_code: str | None = None  # e.g. "join ocean-blue", told to users on 63015
    debug_notifications: bool = False

    # delivery engine
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    delivery_lease_seconds: int = Field(default=60, ge=5)
    delivery_batch_size: int = Field(default=100, ge=1, le=5000)

    # portals
    crawl_enabled: bool = True  # the periodic crawl inside `run` (needs embedded_workers too)
    crawl_interval_seconds: int = Field(default=300, ge=10)
    crawl_min_host_interval_seconds: float = Field(default=3.0, ge=0)
    crawl_max_pages: int = Field(default=5, ge=1, le=50)
    crawl_timeout_seconds: float = Field(default=20.0, gt=0)
    proxy_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # where each portal is reached: the real sites by default, a loopback fake in tests
    subito_base_url: str = "https://www.subito.it"
    immobiliare_base_url: str = "https://www.immobiliare.it"
    idealista_base_url: str = "https://www.idealista.it"
    idealista_api_key: SecretStr | None = None
    idealista_api_secret: SecretStr | None = None
    idealista_api_url: str = "https://api.idealista.com"

    @field_validator("whatsapp_phone_number_id", "proxy_urls", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("whatsapp_api_url", "telegram_api_base_url", "public_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _check_url(value, schemes=("http", "https"))

    @field_validator(
        "idealista_api_url", "subito_base_url", "immobiliare_base_url", "idealista_base_url"
    )
    @classmethod
    def _portal_url(cls, value: str) -> str:
        checked = _check_url(value, schemes=("http", "https"))
        assert checked is not None
        return checked

    @field_validator("proxy_urls")
    @classmethod
    def _proxies(cls, value: list[str]) -> list[str]:
        for url in value:
            _check_url(url, schemes=("http", "https", "socks5", "socks5h"))
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("broker_url", "redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value in (None, "", "memory"):
            return None
        assert value is not None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis:// URL (or empty for the in-process default)")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        for name in ("api_admin_token", "telegram_bot_token", "whatsapp_api_token"):
            secret = getattr(self, name)
            if secret is not None and secret.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    f"{name.upper()}: is a placeholder; set a real value or leave it unset"
                )
        if self.whatsapp_enabled:
            if self.whatsapp_api_token is None:
                raise ValueError("WHATSAPP_API_TOKEN: is required when WHATSAPP_ENABLED=true")
            if not self.whatsapp_phone_number_id:
                raise ValueError("WHATSAPP_PHONE_NUMBER_ID: is required when WHATSAPP_ENABLED=true")
            if self.resolved_whatsapp_provider == "twilio" and not self.twilio_account_sid:
                raise ValueError(
                    "WHATSAPP_BUSINESS_ACCOUNT_ID: a Twilio Account SID (AC...) is required, "
                    "here or in WHATSAPP_API_URL"
                )
        return self

    @property
    def resolved_whatsapp_provider(self) -> Literal["twilio", "meta"]:
        """WHATSAPP_PROVIDER, else inferred from WHATSAPP_API_URL (the Graph API means Meta)."""
        if self.whatsapp_provider is not None:
            return self.whatsapp_provider
        if self.whatsapp_api_url and "graph.facebook.com" in self.whatsapp_api_url:
            return "meta"
        return "twilio"

    @property
    def twilio_account_sid(self) -> str | None:
        """The Account SID from WHATSAPP_BUSINESS_ACCOUNT_ID, else from the Messages.json URL."""
        sid = self.whatsapp_business_account_id
        if sid and sid.startswith("AC"):
            return sid
        if self.whatsapp_api_url and "/Accounts/" in self.whatsapp_api_url:
            candidate = self.whatsapp_api_url.split("/Accounts/", 1)[1].split("/", 1)[0]
            if candidate.startswith("AC"):
                return candidate
        return None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log redactor."""
        values = [
            s.get_secret_value()
            for s in (
                self.api_admin_token,
                self.telegram_bot_token,
                self.telegram_webhook_secret,
                self.whatsapp_api_token,
                self.whatsapp_app_secret,
                self.whatsapp_verify_token,
                self.idealista_api_key,
                self.idealista_api_secret,
            )
            if s is not None
        ]
        return [v for v in values if len(v) >= 4]


def _env_name(settings_cls: type[BaseSettings], field: str) -> str:
    info = settings_cls.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        return str(first).upper()
    return field.upper()


def describe_error(exc: ValidationError) -> str:
    """One line naming each bad variable; pydantic's inputs (maybe secrets) are left out."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        message = err["msg"].removeprefix("Value error, ")
        if loc:
            parts.append(f"{_env_name(Settings, loc[0])}: {message}")
        else:
            parts.append(message)
    return "invalid settings: " + "; ".join(parts)


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings, raising SettingsError with a one-line safe message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_error(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL (None for in-memory or another database)."""
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split(":///", 1)[1] if ":///" in database_url else ""
    if not path or path == ":memory:":
        return None
    return Path(path)
