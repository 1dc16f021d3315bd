"""`.env.example` documents every setting, under the name the program reads."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices

from ita_rent_bot.config import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def _names() -> set[str]:
    names = set()
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.add(str(alias.choices[0]))
        else:
            names.add(field.upper())
    return names


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), re.MULTILINE))
    assert _names() - documented == set()
    assert documented - _names() == set()


def test_the_example_itself_is_valid() -> None:
    values = dict(
        line.split("=", 1)
        for line in EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    settings = Settings(_env_file=None, **{k.lower(): v for k, v in values.items() if v})  # type: ignore[arg-type]
    assert settings.whatsapp_notification_interval_seconds == 1800
