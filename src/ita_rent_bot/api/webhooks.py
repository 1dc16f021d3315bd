"""Provider webhooks: Twilio status callbacks and inbound messages, Meta's verify and events.

Every request's signature is checked before anything is parsed further, read from or written
to the database (403 when it is bad or missing). Each request is one unit of work: committed at
its end; a reply to the user (HELP, STOP, a code) is sent after the commit.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.datastructures import ImmutableMultiDict

from ita_rent_bot.api.health import AppStateDep
from ita_rent_bot.app_state import AppState
from ita_rent_bot.channels.base import OutgoingMessage, Recipient
from ita_rent_bot.channels.whatsapp import inbound
from ita_rent_bot.channels.whatsapp.service import WhatsAppService
from ita_rent_bot.config import Settings
from ita_rent_bot.log import get_logger

log = get_logger(__name__)
router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MAX_BODY_BYTES = 256 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
FORBIDDEN = "missing or invalid signature"
TWILIO_SIGNATURE = "X-Twilio-Signature"
TWILIO_SIGNATURE_SETTINGS = "X-Twilio-Webhooks-Signature-Settings"


def twilio_signature_valid(
    auth_token: str,
    url: str,
    params: ImmutableMultiDict[str, str],
    signature: str | None,
    settings_header: str | None = None,
) -> bool:
    """Twilio's X-Twilio-Signature over the URL Twilio called and the POST parameters."""
    if not signature:
        return False
    try:  # imported here so a broken SDK install refuses webhooks instead of stopping the app
        from twilio.request_validator import RequestValidator, get_signature_algorithm
    except ImportError as exc:
        log.error("twilio webhooks refused: the SDK cannot be imported", error=str(exc))
        return False
    algorithm = get_signature_algorithm(settings_header)
    valid: bool = RequestValidator(auth_token).validate(url, params, signature, algorithm)
    return valid


def meta_signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """Meta's X-Hub-Signature-256: `sha256=` + hex HMAC-SHA256 of the raw body."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def _twiml() -> Response:
    return Response(content=EMPTY_TWIML, media_type="text/xml")


def _public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path (+ query), else the URL as we received it."""
    if not settings.public_base_url:
        return str(request.url)
    url = settings.public_base_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(413, "request body too large")
    return body


async def _signed_twilio_form(request: Request, settings: Settings) -> ImmutableMultiDict[str, str]:
    body = await _body(request)
    token = settings.whatsapp_api_token
    params = ImmutableMultiDict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if token is None or not twilio_signature_valid(
        token.get_secret_value(),
        _public_url(request, settings),
        params,
        request.headers.get(TWILIO_SIGNATURE),
        request.headers.get(TWILIO_SIGNATURE_SETTINGS),
    ):
        log.warning("twilio webhook refused: bad signature", path=request.url.path)
        raise HTTPException(403, FORBIDDEN)
    return params


async def _send_reply(settings: Settings, reply: inbound.InboundReply | None) -> None:
    """Reply after the commit; a failed reply is logged, never turned into a webhook error."""
    if reply is None:
        return
    service = WhatsAppService.from_settings(settings)
    if service is None:
        return
    try:
        outcome = await service.send(
            Recipient(user_id=reply.user_id, address=reply.to, sender=reply.sender),
            OutgoingMessage(text=reply.text),
        )
        log.info("whatsapp reply sent", user_id=reply.user_id, outcome=type(outcome).__name__)
    except Exception as exc:
        log.warning("whatsapp reply failed", error=f"{type(exc).__name__}: {exc}")
    finally:
        await service.aclose()


@router.post("/twilio/status", response_class=Response)
async def twilio_status(request: Request, state: AppStateDep) -> Response:
    """Delivery status by MessageSid; unknown parameters are ignored."""
    params = await _signed_twilio_form(request, state.settings)
    message_id = params.get("MessageSid") or params.get("SmsSid") or ""
    status = params.get("MessageStatus") or params.get("SmsStatus") or ""
    error_code = params.get("ErrorCode") or None
    async with state.session_factory() as session:
        await inbound.record_status(
            session, message_id=message_id, status=status, error_code=error_code
        )
        await session.commit()
    return _twiml()


@router.post("/twilio/inbound", response_class=Response)
async def twilio_inbound(request: Request, state: AppStateDep) -> Response:
    """A user's message: window, STOP/START/HELP, a linking code. Answered with empty TwiML."""
    params = await _signed_twilio_form(request, state.settings)
    address = params.get("From") or ""
    if not address:
        return _twiml()
    reply = await _inbound_unit(
        state, address=address, text=params.get("Body") or "", received_by=params.get("To")
    )
    await _send_reply(state.settings, reply)
    return _twiml()


async def _inbound_unit(
    state: AppState, *, address: str, text: str, received_by: str | None
) -> inbound.InboundReply | None:
    async with state.session_factory() as session:
        reply = await inbound.handle_inbound(
            session, address=address, text=text, received_by=received_by
        )
        await session.commit()
    return reply


@router.get("/whatsapp/meta", response_class=Response)
async def meta_verify(
    state: AppStateDep,
    mode: str | None = Query(None, alias="hub.mode"),
    token: str | None = Query(None, alias="hub.verify_token"),
    challenge: str | None = Query(None, alias="hub.challenge"),
) -> Response:
    """Meta's subscription handshake: echo the challenge when the verify token matches."""
    expected = state.settings.whatsapp_verify_token
    if (
        mode != "subscribe"
        or expected is None
        or token is None
        or challenge is None
        or not hmac.compare_digest(token.encode(), expected.get_secret_value().encode())
    ):
        raise HTTPException(403, "verification failed")
    return Response(content=challenge, media_type="text/plain")


@router.post("/whatsapp/meta", response_class=Response)
async def meta_events(request: Request, state: AppStateDep) -> Response:
    """Signed status and message events from the Cloud API."""
    body = await _body(request)
    secret = state.settings.whatsapp_app_secret
    if secret is None or not meta_signature_valid(
        secret.get_secret_value(), body, request.headers.get("X-Hub-Signature-256")
    ):
        log.warning("meta webhook refused: bad signature")
        raise HTTPException(403, FORBIDDEN)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HTTPException(400, "body is not JSON") from None
    replies: list[inbound.InboundReply] = []
    async with state.session_factory() as session:
        for value, receiver in _meta_values(payload):
            for status in _list(value.get("statuses")):
                errors = _list(status.get("errors"))
                code = errors[0].get("code") if errors else None
                await inbound.record_status(
                    session,
                    message_id=str(status.get("id") or ""),
                    status=str(status.get("status") or ""),
                    error_code=str(code) if code is not None else None,
                )
            for message in _list(value.get("messages")):
                sender = message.get("from")
                if not sender:
                    continue
                reply = await inbound.handle_inbound(
                    session, address=str(sender), text=_meta_text(message), received_by=receiver
                )
                if reply is not None:
                    replies.append(reply)
        await session.commit()
    for reply in replies:
        await _send_reply(state.settings, reply)
    return Response(status_code=200)


def _list(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _meta_values(payload: object) -> list[tuple[dict[str, Any], str | None]]:
    """Each change's `value`, with the phone number id that received it."""
    values: list[tuple[dict[str, Any], str | None]] = []
    if not isinstance(payload, dict):
        return values
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes")):
            value = change.get("value")
            if isinstance(value, dict):
                metadata = value.get("metadata")
                receiver = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
                values.append((value, str(receiver) if receiver else None))
    return values


def _meta_text(message: dict[str, Any]) -> str:
    """Text, or the title of a tapped reply button."""
    for key, field in (("text", "body"), ("button", "text")):
        part = message.get(key)
        if isinstance(part, dict) and isinstance(part.get(field), str):
            return str(part[field])
    interactive = message.get("interactive")
    if isinstance(interactive, dict):
        reply = interactive.get("button_reply")
        if isinstance(reply, dict):
            return str(reply.get("title") or reply.get("id") or "")
    return ""
