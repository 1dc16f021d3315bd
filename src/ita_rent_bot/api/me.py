"""/me: read and change your own preferences, or leave (everything of yours is deleted)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from ita_rent_bot.api import examples
from ita_rent_bot.api.deps import API_V1, CurrentUser, SessionDep, SessionRoute
from ita_rent_bot.api.errors import ApiError, responses
from ita_rent_bot.users import service as users
from ita_rent_bot.users.schemas import UserOut, UserPatch

router = APIRouter(
    route_class=SessionRoute, prefix=f"{API_V1}/me", tags=["me"], responses=responses(401, 429)
)

# The preferences that may be cleared with null; the others always hold a value.
CLEARABLE = frozenset(
    {
        "quiet_hours_start",
        "quiet_hours_end",
        "telegram_interval_seconds",
        "whatsapp_notification_interval",
    }
)

PATCH_EXAMPLES: dict[str, Any] = {
    "language": {"summary": "Answer in English", "value": {"language": "en"}},
    "quiet_hours": {
        "summary": "Quiet at night (Rome time)",
        "value": {
            "timezone": "Europe/Rome",
            "quiet_hours_start": "23:00",
            "quiet_hours_end": "07:30",
        },
    },
    "whatsapp_digest": {
        "summary": "WhatsApp as a digest every 30 minutes",
        "value": {"whatsapp_mode": "digest", "whatsapp_notification_interval": 1800},
    },
}


@router.get("", responses=examples.example(examples.USER))
async def read_me(user: CurrentUser) -> UserOut:
    """Your settings: language, time zone, quiet hours, channels and their modes."""
    return UserOut.model_validate(user)


@router.patch("", responses=responses(413, 422) | examples.example(examples.USER))
async def update_me(
    user: CurrentUser,
    patch: Annotated[UserPatch, Body(openapi_examples=PATCH_EXAMPLES)],
    session: SessionDep,
) -> UserOut:
    """Change only the fields given; quiet hours are set (or cleared with null) together."""
    for name in sorted(patch.model_fields_set - CLEARABLE):
        if getattr(patch, name) is None:
            raise ApiError(422, f"{name}: cannot be null", field=name)
    await users.update_preferences(session, user=user, patch=patch)
    return UserOut.model_validate(user)


@router.delete("", status_code=204, response_class=Response)
async def leave(user: CurrentUser, session: SessionDep) -> None:
    """Leave: you, your searches, marks and delivery history are deleted for good."""
    await users.delete_user(session, user=user)
