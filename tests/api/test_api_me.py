"""/me: read, change only what is sent, leave (and everything of yours goes)."""

from __future__ import annotations

from sqlalchemy import func, select

from ita_rent_bot.filters.models import SearchFilter
from ita_rent_bot.listings.models import ListingMark
from ita_rent_bot.notifications.models import Delivery
from ita_rent_bot.users.models import User

from .conftest import Api, bearer


async def test_read_me_on_both_databases(api_db: Api) -> None:
    user, token = await api_db.user(telegram_chat_id=77, telegram_username="anna", language="it")
    response = await api_db.client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.id
    assert body["telegram_username"] == "anna"
    assert body["language"] == "it"
    assert "api_token_hash" not in body


async def test_patch_changes_only_the_fields_sent(api_db: Api) -> None:
    _, token = await api_db.user(telegram_chat_id=1)
    response = await api_db.client.patch(
        "/api/v1/me",
        headers=bearer(token),
        json={
            "language": "en",
            "timezone": "Europe/Moscow",
            "quiet_hours_start": "23:00:59.5",  # seconds are dropped
            "quiet_hours_end": "07:30",
            "whatsapp_mode": "instant",
            "telegram_interval_seconds": 600,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "en"
    assert body["timezone"] == "Europe/Moscow"
    assert (body["quiet_hours_start"], body["quiet_hours_end"]) == ("23:00", "07:30")
    assert body["whatsapp_mode"] == "instant"
    assert body["telegram_enabled"] is True  # untouched
    again = (await api_db.client.get("/api/v1/me", headers=bearer(token))).json()
    assert again == body

    cleared = await api_db.client.patch(
        "/api/v1/me",
        headers=bearer(token),
        json={"quiet_hours_start": None, "quiet_hours_end": None},
    )
    assert cleared.status_code == 200
    assert cleared.json()["quiet_hours_start"] is None
    assert cleared.json()["language"] == "en"


async def test_patch_refusals(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    cases = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"quiet_hours_start": "23:00:00"}, None),
        ({"quiet_hours_start": "23:00Z", "quiet_hours_end": "07:00"}, "quiet_hours_start"),
        ({"quiet_hours_start": "23:00", "quiet_hours_end": "23:00:30"}, None),
        ({"language": None}, "language"),
        ({"telegram_enabled": None}, "telegram_enabled"),
        ({"whatsapp_notification_interval": 10}, "whatsapp_notification_interval"),
        ({"telegram_mode": "sometimes"}, "telegram_mode"),
        ({"whatsapp_number": "+393331234567"}, "whatsapp_number"),
    ]
    for body, field in cases:
        response = await api.client.patch("/api/v1/me", headers=bearer(token), json=body)
        assert response.status_code == 422, body
        assert response.json()["error"].get("field") == field, body
    assert (await api.client.get("/api/v1/me", headers=bearer(token))).json()["language"] == "ru"


async def test_leave_deletes_the_user_and_everything_theirs(api_db: Api) -> None:
    user, token = await api_db.user(telegram_chat_id=1)
    other, other_token = await api_db.user(telegram_chat_id=2)
    listing = await api_db.listing(1)
    await api_db.search(user)
    await api_db.delivery(user, listing)
    await api_db.delivery(other, listing)
    saved = await api_db.client.post(f"/api/v1/listings/{listing.id}/save", headers=bearer(token))
    assert saved.status_code == 200

    response = await api_db.client.delete("/api/v1/me", headers=bearer(token))
    assert response.status_code == 204
    assert response.content == b""
    assert (await api_db.client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    assert (await api_db.client.get("/api/v1/me", headers=bearer(other_token))).status_code == 200
    async with api_db.sessions() as session:
        for model in (SearchFilter, Delivery, ListingMark):
            count = await session.scalar(
                select(func.count()).select_from(model).where(model.user_id == user.id)
            )
            assert count == 0, model
        assert await session.get(User, user.id) is None
        assert await session.get(User, other.id) is not None
