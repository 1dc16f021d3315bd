"""Authentication: personal tokens for users, API_ADMIN_TOKEN for operators, nothing else."""

from __future__ import annotations

import base64

import pytest

from ita_rent_bot.api.read_cache import ReadCache
from ita_rent_bot.users import service as users

from .conftest import ADMIN, ADMIN_TOKEN, Api, api_settings, bearer, running

USER_ROUTES = [
    ("GET", "/api/v1/me"),
    ("PATCH", "/api/v1/me"),
    ("DELETE", "/api/v1/me"),
    ("GET", "/api/v1/listings"),
    ("GET", "/api/v1/listings/saved"),
    ("GET", "/api/v1/listings/1"),
    ("POST", "/api/v1/listings/1/save"),
    ("DELETE", "/api/v1/listings/1/save"),
    ("POST", "/api/v1/listings/1/hide"),
    ("DELETE", "/api/v1/listings/1/hide"),
    ("GET", "/api/v1/notifications"),
]
ADMIN_ROUTES = [
    "/api/v1/admin/users",
    "/api/v1/admin/portals",
    "/api/v1/admin/deliveries/stats",
    "/api/v1/admin/dashboard",
]


@pytest.mark.parametrize(("method", "path"), USER_ROUTES)
async def test_user_routes_need_a_token(api: Api, method: str, path: str) -> None:
    response = await api.client.request(method, path, json={} if method == "PATCH" else None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer irb_not-a-real-token",
        "Bearer wrong-prefix",
        "Bearer " + "irb_" + "x" * 200,
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "token-without-scheme",
    ],
)
async def test_wrong_tokens_are_refused(api: Api, authorization: str) -> None:
    await api.user(telegram_chat_id=1)
    response = await api.client.get("/api/v1/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert "error" in response.json()


@pytest.mark.parametrize("revision", [True, False], ids=["sqlite", "without-revision"])
async def test_a_rotated_token_stops_working(api: Api, revision: bool) -> None:
    """At once on SQLite; within the read cache's ttl without a read revision."""
    now = [1000.0]
    if not revision:
        api.app.state.read_cache = ReadCache(ttl=2.0, clock=lambda: now[0])
    user, token = await api.user(telegram_chat_id=1)
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["id"] == user.id
    async with api.sessions() as session, session.begin():
        fresh = await users.get_user(session, user_id=user.id)
        assert fresh is not None
        new_token = await users.issue_api_token(session, user=fresh)  # as the bot's /token does
    assert (await api.client.get("/api/v1/me", headers=bearer(new_token))).status_code == 200
    # a write never trusts the cache: it looks the token up
    patch = await api.client.patch("/api/v1/me", headers=bearer(token), json={"language": "en"})
    assert patch.status_code == 401
    if not revision:
        now[0] += 2.0
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).status_code == 401


async def test_an_inactive_user_token_is_refused(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1, is_active=False)
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).status_code == 401


async def test_the_admin_token_is_not_a_user_token(api: Api) -> None:
    assert (await api.client.get("/api/v1/me", headers=ADMIN)).status_code == 401


@pytest.mark.parametrize("path", ADMIN_ROUTES)
async def test_admin_routes(api: Api, path: str) -> None:
    _, token = await api.user(telegram_chat_id=1)
    no_token = await api.client.get(path)
    assert no_token.status_code == 401
    as_user = await api.client.get(path, headers=bearer(token))
    assert as_user.status_code == 403
    assert as_user.json()["error"]["code"] == "forbidden"
    wrong = await api.client.get(path, headers=bearer(ADMIN_TOKEN + "x"))
    assert wrong.status_code == 403
    assert (await api.client.get(path, headers=ADMIN)).status_code == 200


async def test_admin_api_is_off_without_api_admin_token(
    sqlite_engine: object, sqlite_url: str
) -> None:
    settings = api_settings(sqlite_url).model_copy(update={"api_admin_token": None})
    async with running(settings) as api:
        response = await api.client.get("/api/v1/admin/users", headers=ADMIN)
        page = await api.client.get("/dashboard", headers=ADMIN)
    assert response.status_code == 403
    assert "API_ADMIN_TOKEN" in response.json()["error"]["message"]
    assert page.status_code == 403


def _basic(user: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def test_dashboard_takes_the_admin_token_as_basic_password_or_bearer(api: Api) -> None:
    asked = await api.client.get("/dashboard")
    assert asked.status_code == 401
    assert asked.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert (await api.client.get("/dashboard", headers=_basic("ops", "nope"))).status_code == 401
    garbled = {"Authorization": "Basic %%%"}
    assert (await api.client.get("/dashboard", headers=garbled)).status_code == 401
    for headers in (_basic("ops", ADMIN_TOKEN), ADMIN):
        page = await api.client.get("/dashboard", headers=headers)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
