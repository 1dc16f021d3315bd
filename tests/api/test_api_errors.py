"""Every error has one JSON shape: {"error": {"code", "message", "field"?}}; never a traceback."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ita_rent_bot.api.errors import ErrorOut

from .conftest import Api, bearer


def assert_error(body: object, code: str) -> ErrorOut:
    parsed = ErrorOut.model_validate(body)
    assert parsed.error.code == code
    assert parsed.error.message
    return parsed


async def test_unknown_path_is_a_json_404(api: Api) -> None:
    response = await api.client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert_error(response.json(), "not_found")


async def test_wrong_method_is_a_json_405(api: Api) -> None:
    response = await api.client.put("/api/v1/notifications")
    assert response.status_code == 405
    assert_error(response.json(), "method_not_allowed")
    assert "GET" in response.headers["Allow"]


async def test_unknown_fields_are_refused_by_name(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    response = await api.client.patch(
        "/api/v1/me", headers=bearer(token), json={"language": "en", "is_admin": True}
    )
    assert response.status_code == 422
    error = assert_error(response.json(), "invalid").error
    assert error.field == "is_admin"
    assert "unknown field" in error.message


async def test_every_bad_field_is_named_and_values_are_not_echoed(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    response = await api.client.patch(
        "/api/v1/me",
        headers=bearer(token),
        json={"language": "xx-secret-value", "telegram_interval_seconds": 5},
    )
    assert response.status_code == 422
    error = assert_error(response.json(), "invalid").error
    assert error.field == "language"
    assert "telegram_interval_seconds" in error.message
    assert "xx-secret-value" not in response.text


async def test_a_body_that_is_not_json_is_a_clear_422(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    response = await api.client.patch(
        "/api/v1/me",
        headers={**bearer(token), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 422
    assert assert_error(response.json(), "invalid").error.message == (
        "the request body is not valid JSON"
    )


async def test_a_bad_query_parameter_is_a_422_naming_it(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    response = await api.client.get("/api/v1/listings?limit=1000", headers=bearer(token))
    assert response.status_code == 422
    assert assert_error(response.json(), "invalid").error.field == "limit"


async def test_a_body_over_64_kib_is_refused_by_its_length(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    body = b'{"language": "en", "pad": "' + b"x" * 70_000 + b'"}'
    response = await api.client.patch(
        "/api/v1/me", headers={**bearer(token), "Content-Type": "application/json"}, content=body
    )
    assert response.status_code == 413
    assert_error(response.json(), "body_too_large")


async def test_a_streamed_body_over_64_kib_is_refused_as_it_arrives(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 10_000

    response = await api.client.patch(
        "/api/v1/me",
        headers={**bearer(token), "Content-Type": "application/json"},
        content=chunks(),
    )
    assert response.status_code == 413
    assert_error(response.json(), "body_too_large")
    me = await api.client.get("/api/v1/me", headers=bearer(token))
    assert me.json()["language"] == "ru"


async def test_an_unexpected_error_is_a_generic_500_without_a_traceback(api: Api) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals: irb_abc at /srv/app.py line 3")

    api.app.add_api_route("/api/v1/explode", explode)
    response = await api.client.get("/api/v1/explode")
    assert response.status_code == 500
    error = assert_error(response.json(), "internal").error
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert error.field is None


async def test_provider_webhooks_keep_their_own_body_limit(api: Api) -> None:
    response = await api.client.post(
        "/webhooks/twilio/status",
        content=b"MessageSid=SM1&MessageStatus=delivered&pad=" + b"x" * 100_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403  # checked by signature, not refused for its size here
