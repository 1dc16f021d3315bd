"""/whatsapp: the client's six endpoints (status, link, unlink, toggle, test, settings) + verify.

They use the linking service of channels/whatsapp. A refused link or code is answered with the
service's message (in the user's language) and a stable code; a wrong code stays counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from ita_rent_bot.api import examples
from ita_rent_bot.api.deps import API_V1, CurrentUser, SessionDep, SessionRoute, require_admin
from ita_rent_bot.api.errors import ApiError, responses
from ita_rent_bot.api.health import AppStateDep
from ita_rent_bot.channels.base import (
    NeedsTemplate,
    OutgoingMessage,
    Recipient,
    RecipientGone,
    RetryLater,
    Sent,
)
from ita_rent_bot.channels.whatsapp import linking
from ita_rent_bot.channels.whatsapp.errors import problem_for
from ita_rent_bot.channels.whatsapp.schemas import WhatsAppSettingsOut, WhatsAppStatusOut
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.locales.whatsapp import CATALOG
from ita_rent_bot.log import redact

router = APIRouter(
    route_class=SessionRoute,
    prefix=f"{API_V1}/whatsapp",
    tags=["whatsapp"],
    responses=responses(401, 429),
)

# How each refusal of the linking service is answered; anything else is a 409.
_LINK_STATUS = {
    "unavailable": 503,
    "invalid_number": 422,
    "not_mobile": 422,
    "wrong_code": 422,
    "too_soon": 429,
    "send_failed": 502,
}
_LINK_FIELD = {"invalid_number": "number", "not_mobile": "number", "wrong_code": "code"}


async def get_whatsapp(request: Request) -> WhatsAppService | None:
    service: WhatsAppService | None = request.app.state.whatsapp
    return service


WhatsAppDep = Annotated[WhatsAppService | None, Depends(get_whatsapp)]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(
        min_length=3,
        max_length=32,
        description="Your WhatsApp (mobile) number in international form.",
        examples=["+39 333 123 4567"],
    )


class LinkStartedOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "+393331234567",
                    "expires_at": "2026-11-28T10:10:00Z",
                    "next": "POST /api/v1/whatsapp/verify with the 6-digit code",
                }
            ]
        }
    )

    number: str
    expires_at: datetime
    next: str = "POST /api/v1/whatsapp/verify with the 6-digit code"


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=12, pattern=r"^[0-9 ]+$", examples=["482 913"])


class ToggleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(description="On or off; leave the body out to flip the current state.")


class TestSentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "provider": "twilio",
                    "path": "sdk",
                    "provider_message_id": "SM0123456789abcdef0123456789abcdef",
                }
            ]
        }
    )

    provider: str
    path: str | None = Field(description="`sdk` or `http` for Twilio; how the message went out.")
    provider_message_id: str | None


async def _refuse(session: AsyncSession, exc: linking.LinkError) -> NoReturn:
    """Answer a refusal; what the service counted (a wrong attempt) is committed first."""
    await session.commit()
    status = _LINK_STATUS.get(exc.code, 409)
    headers = (
        {"Retry-After": str(int(linking.RESEND_AFTER.total_seconds()))} if status == 429 else {}
    )
    raise ApiError(
        status, exc.message, code=exc.code, field=_LINK_FIELD.get(exc.code), headers=headers
    )


@router.get("/status", responses=examples.example(examples.WHATSAPP_STATUS))
async def whatsapp_status(user: CurrentUser, request: Request) -> WhatsAppStatusOut:
    """Your WhatsApp link: the number, whether notifications are on, any delivery problem."""
    # the settings from the request rather than AppStateDep: one dependency less (~30 µs)
    return linking.whatsapp_status(user, request.app.state.app_state.settings)


@router.post("/link", responses=responses(409, 413, 422, 503))
async def link(
    user: CurrentUser, session: SessionDep, service: WhatsAppDep, body: LinkIn
) -> LinkStartedOut:
    """Send a 6-digit code to this number on WhatsApp; confirm it with /whatsapp/verify.

    Limited to a few requests per ten minutes, per user and per address."""
    try:
        started = await linking.start_link(
            session, user=user, raw_number=body.number, service=service
        )
    except linking.LinkError as exc:
        await _refuse(session, exc)
    return LinkStartedOut(number=started.number, expires_at=started.expires_at)


@router.post(
    "/verify", responses=responses(409, 413, 422) | examples.example(examples.WHATSAPP_STATUS)
)
async def verify(
    user: CurrentUser, session: SessionDep, state: AppStateDep, body: VerifyIn
) -> WhatsAppStatusOut:
    """Confirm the code: the number is linked and WhatsApp notifications are on.

    Five wrong codes end the attempt; requests are limited per user and per address."""
    try:
        await linking.verify_code(session, user=user, code=body.code)
    except linking.LinkError as exc:
        await _refuse(session, exc)
    return linking.whatsapp_status(user, state.settings)


@router.delete("/unlink", responses=examples.example(examples.WHATSAPP_STATUS))
async def unlink(user: CurrentUser, session: SessionDep, state: AppStateDep) -> WhatsAppStatusOut:
    """Forget your number; WhatsApp messages not yet sent are cancelled."""
    await linking.unlink(session, user=user)
    return linking.whatsapp_status(user, state.settings)


_TOGGLE_EXAMPLES: dict[str, Any] = {
    "off": {"summary": "Turn WhatsApp notifications off", "value": {"enabled": False}},
    "on": {"summary": "Turn them back on", "value": {"enabled": True}},
}


@router.post(
    "/toggle", responses=responses(409, 413, 422) | examples.example(examples.WHATSAPP_STATUS)
)
async def toggle(
    user: CurrentUser,
    session: SessionDep,
    state: AppStateDep,
    body: Annotated[ToggleIn | None, Body(openapi_examples=_TOGGLE_EXAMPLES)] = None,
) -> WhatsAppStatusOut:
    """Turn WhatsApp notifications on or off (on needs a confirmed number)."""
    enabled = body.enabled if body is not None else not user.whatsapp_enabled
    try:
        await linking.set_enabled(session, user=user, enabled=enabled)
    except linking.LinkError as exc:
        await _refuse(session, exc)
    return linking.whatsapp_status(user, state.settings)


@router.post("/test", responses=responses(409, 502, 503))
async def send_test(user: CurrentUser, session: SessionDep, service: WhatsAppDep) -> TestSentOut:
    """Send one test message to your linked number; answers the provider's message id and
    whether it went through the Twilio SDK or plain HTTP. Limited to a few per ten minutes."""
    if service is None:
        raise ApiError(503, CATALOG.text(user.language, "error_unavailable"), code="unavailable")
    if user.whatsapp_number is None or user.whatsapp_verified_at is None:
        raise ApiError(409, CATALOG.text(user.language, "error_not_verified"), code="not_verified")
    recipient = Recipient(
        user_id=user.id, address=user.whatsapp_number, sender=user.whatsapp_sender
    )
    outcome = await service.send(
        recipient, OutgoingMessage(text=CATALOG.text(user.language, "test_message"))
    )
    if isinstance(outcome, Sent):
        return TestSentOut(
            provider=service.provider_name,
            path=outcome.path,
            provider_message_id=outcome.provider_message_id,
        )
    if isinstance(outcome, RecipientGone):
        problem = problem_for(outcome)
        if problem is not None:
            linking.mark_problem(user, problem)
            await session.commit()
        raise ApiError(409, redact(f"WhatsApp refused the number: {outcome.reason}"), code=problem)
    reason = redact(outcome.reason)
    if isinstance(outcome, NeedsTemplate):
        raise ApiError(409, reason, code="needs_inbound")
    if isinstance(outcome, RetryLater):
        wait = {"Retry-After": str(max(1, int(outcome.after_seconds or 30)))}
        raise ApiError(503, reason, code="provider_busy", headers=wait)
    raise ApiError(502, reason, code="send_failed")


@router.get(
    "/settings",
    dependencies=[Depends(require_admin)],
    responses=responses(403) | examples.example(examples.WHATSAPP_SETTINGS),
)
async def whatsapp_settings(state: AppStateDep) -> WhatsAppSettingsOut:
    """The server's WhatsApp set-up (admin only): provider, masked senders, template, interval."""
    return linking.whatsapp_settings_view(state.settings)
