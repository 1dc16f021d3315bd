"""/notifications: your delivery history, newest first, with provider ids and errors."""

from __future__ import annotations

from datetime import timedelta

from ita_rent_bot.db import utcnow

from .conftest import Api, bearer


async def test_history_on_both_databases(api_db: Api) -> None:
    user, token = await api_db.user(telegram_chat_id=1)
    other, _ = await api_db.user(telegram_chat_id=2)
    listing = await api_db.listing(1)
    now = utcnow()
    sent = await api_db.delivery(
        user,
        listing,
        channel="whatsapp",
        status="delivered",
        provider_message_id="SM" + "a" * 32,
        created_at=now - timedelta(minutes=5),
        sent_at=now - timedelta(minutes=5),
        attempts=1,
    )
    failed = await api_db.delivery(
        user,
        listing,
        channel="telegram",
        status="failed",
        error_code="403",
        error_message="Forbidden: bot was blocked by the user",
        created_at=now - timedelta(minutes=1),
        attempts=3,
    )
    await api_db.delivery(other, listing, created_at=now)

    response = await api_db.client.get("/api/v1/notifications", headers=bearer(token))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == [failed.id, sent.id]
    assert items[0]["error_code"] == "403"
    assert items[0]["error_message"] == "Forbidden: bot was blocked by the user"
    assert items[0]["status"] == "failed"
    assert items[1]["provider_message_id"] == "SM" + "a" * 32
    assert items[1]["channel"] == "whatsapp"
    assert items[1]["listing_url"] == listing.url

    only_whatsapp = await api_db.client.get(
        "/api/v1/notifications", headers=bearer(token), params={"channel": "whatsapp"}
    )
    assert [i["id"] for i in only_whatsapp.json()["items"]] == [sent.id]
    only_failed = await api_db.client.get(
        "/api/v1/notifications", headers=bearer(token), params={"status": "failed"}
    )
    assert [i["id"] for i in only_failed.json()["items"]] == [failed.id]


async def test_history_pages(api: Api) -> None:
    user, token = await api.user(telegram_chat_id=1)
    now = utcnow()
    ids = []
    for n in range(7):
        listing = await api.listing(n)
        delivery = await api.delivery(user, listing, created_at=now - timedelta(seconds=n))
        ids.append(delivery.id)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (
            await api.client.get("/api/v1/notifications", headers=bearer(token), params=params)
        ).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids


async def test_history_refuses_unknown_channels_and_statuses(api: Api) -> None:
    _, token = await api.user(telegram_chat_id=1)
    for params in ({"channel": "pigeon"}, {"status": "lost"}, {"limit": 0}):
        response = await api.client.get(
            "/api/v1/notifications", headers=bearer(token), params=params
        )
        assert response.status_code == 422
        assert response.json()["error"]["field"] == next(iter(params))
