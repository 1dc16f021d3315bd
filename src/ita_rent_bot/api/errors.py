"""One JSON shape for every error: {"error": {"code", "message", "field"?}}, never a stack trace.

Routes and dependencies raise `ApiError`; FastAPI's own errors (404, 405, 413, 422) and anything
unexpected (500) are turned into the same shape here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ita_rent_bot.log import get_logger, redact

log = get_logger(__name__)

# The codes clients can branch on, by HTTP status (an ApiError may name a more precise one).
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    502: "bad_gateway",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "invalid",
                        "message": "price_max: Input should be greater than or equal to 0",
                        "field": "price_max",
                    }
                }
            ]
        }
    )

    error: ErrorDetail


class ApiError(Exception):
    """An answer for the client: status, a stable code, a human message, maybe the field."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    code = code or STATUS_CODES.get(status, "error")
    detail = ErrorDetail(code=code, message=message, field=field)
    return JSONResponse(
        ErrorOut(error=detail).model_dump(exclude_none=True),
        status_code=status,
        headers=dict(headers or {}),
    )


def _field(loc: Sequence[int | str]) -> str | None:
    if not loc or loc[0] not in ("body", "query", "path", "header"):
        return None
    return ".".join(str(p) for p in loc[1:]) or None


def _describe(error: Mapping[str, Any]) -> tuple[str | None, str]:
    raised = (error.get("ctx") or {}).get("error")
    named = getattr(raised, "field", None)
    if isinstance(named, str):  # a domain rule (e.g. a filter's) that names its field
        return named, str(raised)
    field = _field(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        return None, "the request body is not valid JSON"
    if error.get("type") == "extra_forbidden":
        return field, f"{field}: unknown field"
    if error.get("type") == "missing":
        return field, f"{field or 'body'}: required"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return field, f"{field}: {message}" if field else message


def validation_response(errors: Sequence[Any]) -> JSONResponse:
    """A 422 naming every bad field (pydantic's messages, the inputs themselves never echoed)."""
    described = [_describe(e) for e in errors] or [(None, "invalid request")]
    field = described[0][0]
    message = "; ".join(dict.fromkeys(m for _, m in described))
    return error_response(422, redact(message), field=field)


def invalid_body(exc: ValidationError) -> RequestValidationError:
    """A model validated inside a route (e.g. a merged patch) reported like the request body."""
    errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
    return RequestValidationError(errors)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(
        exc.status, exc.message, code=exc.code, field=exc.field, headers=exc.headers
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 400 and isinstance(exc.__cause__, ValueError):  # FastAPI could not decode it
        return error_response(422, "the request body is not valid JSON (UTF-8)")
    if isinstance(exc.detail, str) and exc.detail and status != 500:
        message = exc.detail
    else:
        message = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "error"
    return error_response(status, message, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_response(exc.errors())


class ServerErrorGuard:
    """Any unexpected exception becomes a logged, generic 500 in the usual shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error(
                "unhandled error",
                path=scope.get("path"),
                method=scope.get("method"),
                error=exc,
                exc_info=True,
            )
            if started:
                raise
            response = error_response(500, "internal error; it has been logged")
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(ServerErrorGuard)


Responses = dict[int | str, dict[str, Any]]

_DESCRIPTIONS = {
    401: "No token, or a token that is not valid.",
    403: "The token is not the admin token, or the admin API is off.",
    404: "No such object of yours.",
    409: "The request conflicts with the current state.",
    413: "The request body is larger than the limit.",
    422: "A parameter or the body is not valid; `field` names the first.",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
    502: "The provider refused or failed to take the message.",
    503: "A service this needs is off or busy.",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def responses(*statuses: int, json_content: bool = False) -> Responses:
    """OpenAPI entries for these error statuses, each with the one error shape.

    `json_content` spells the media type out, for routes whose own answer is not JSON.
    """
    documented: Responses = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorOut, "description": _DESCRIPTIONS[status]}
        if json_content:  # the ErrorOut schema is in components through the other routes
            ref = {"$ref": "#/components/schemas/ErrorOut"}
            del entry["model"]
            entry["content"] = {"application/json": {"schema": ref}}
        if status == 429:
            entry["headers"] = _RETRY_AFTER
        documented[status] = entry
    return documented
