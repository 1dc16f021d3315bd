"""/admin and /dashboard: users, portal health, delivery figures, the operators' page."""

from __future__ import annotations

from datetime import timedelta

from ita_rent_bot.db import utcnow
from ita_rent_bot.sources.models import SourceStatus

from .conftest import ADMIN, Api


async def test_users_are_listed_newest_first_with_their_state(api_db: Api) -> None:
    now = utcnow()
    first, _ = await api_db.user(telegram_chat_id=1, created_at=now - timedelta(days=2))
    second, _ = await api_db.user(
        telegram_chat_id=2,
        created_at=now - timedelta(days=1),
        whatsapp_number="+393331112233",
        whatsapp_enabled=True,
        whatsapp_verified_at=now,
    )
    third, _ = await api_db.user(telegram_chat_id=3, created_at=now, is_active=False)
    await api_db.search(first)
    await api_db.search(first, name="Milano", city="milano")

    page = (await api_db.client.get("/api/v1/admin/users?limit=2", headers=ADMIN)).json()
    assert [u["id"] for u in page["items"]] == [third.id, second.id]
    assert page["items"][0]["is_active"] is False
    assert page["items"][1]["whatsapp_number"] == "+393331112233"
    assert page["items"][1]["has_api_token"] is True
    rest = (
        await api_db.client.get(
            "/api/v1/admin/users", headers=ADMIN, params={"limit": 2, "cursor": page["next_cursor"]}
        )
    ).json()
    assert [u["id"] for u in rest["items"]] == [first.id]
    assert rest["items"][0]["filters"] == 2
    assert rest["next_cursor"] is None


async def test_portal_status(api: Api) -> None:
    now = utcnow()
    await api.add(
        SourceStatus(source="subito", status="ok", last_ok_at=now),
        SourceStatus(
            source="idealista",
            status="blocked",
            last_error="403 DataDome challenge via http://user:hunter2@proxy:8080",
            last_error_at=now,
            consecutive_failures=4,
            backoff_until=now + timedelta(minutes=30),
        ),
    )
    body = (await api.client.get("/api/v1/admin/portals", headers=ADMIN)).json()
    assert [p["portal"] for p in body] == ["idealista", "subito"]
    assert body[0]["status"] == "blocked"
    assert body[0]["consecutive_failures"] == 4
    assert body[1]["last_ok_at"] is not None


async def test_delivery_stats_on_both_databases(api_db: Api) -> None:
    user, _ = await api_db.user(telegram_chat_id=1)
    now = utcnow()
    listings = [await api_db.listing(n) for n in range(4)]
    await api_db.delivery(user, listings[0], status="pending", created_at=now - timedelta(hours=2))
    await api_db.delivery(user, listings[1], status="pending", created_at=now)
    await api_db.delivery(user, listings[2], status="sent")
    await api_db.delivery(user, listings[3], channel="whatsapp", status="failed")

    stats = (await api_db.client.get("/api/v1/admin/deliveries/stats", headers=ADMIN)).json()
    counts = {(c["channel"], c["status"]): c["count"] for c in stats["counts"]}
    assert counts == {
        ("telegram", "pending"): 2,
        ("telegram", "sent"): 1,
        ("whatsapp", "failed"): 1,
    }
    assert stats["total"] == 4
    assert stats["pending"] == 2
    assert 7150 < stats["oldest_pending_age_seconds"] < 7300


async def test_dashboard_json_and_page_on_both_databases(api_db: Api) -> None:
    now = utcnow()
    anna, _ = await api_db.user(telegram_chat_id=1)
    await api_db.user(
        telegram_chat_id=2,
        whatsapp_number="+393331112233",
        whatsapp_enabled=True,
        whatsapp_verified_at=now,
    )
    await api_db.user(telegram_chat_id=None)
    subito = await api_db.listing(1, source="subito")
    immo = await api_db.listing(2)
    old = await api_db.listing(3)
    await api_db.delivery(anna, subito, status="sent", created_at=now - timedelta(days=1))
    await api_db.delivery(anna, subito, channel="whatsapp", status="delivered", created_at=now)
    await api_db.delivery(anna, immo, status="pending", created_at=now)
    await api_db.delivery(anna, old, status="sent", created_at=now - timedelta(days=40))
    await api_db.add(
        SourceStatus(source="idealista", status="blocked", last_error="<script>alert(1)</script>")
    )

    data = (await api_db.client.get("/api/v1/admin/dashboard", headers=ADMIN)).json()
    assert data["users"] == {
        "users": 3,
        "active": 3,
        "telegram_on": 2,
        "whatsapp_on": 1,
        "whatsapp_linked": 1,
    }
    per_day = {
        (d["day"], d["channel"], d["status"]): d["count"] for d in data["deliveries_per_day"]
    }
    today = now.date().isoformat()
    yesterday = (now - timedelta(days=1)).date().isoformat()
    assert per_day == {
        (yesterday, "telegram", "sent"): 1,
        (today, "whatsapp", "delivered"): 1,
        (today, "telegram", "pending"): 1,
    }
    matches = {m["portal"]: (m["matches"], m["listings"]) for m in data["matches_per_portal"]}
    assert matches == {"subito": (1, 1), "immobiliare": (1, 1)}
    assert data["deliveries"]["total"] == 4
    assert data["portals"][0]["status"] == "blocked"

    page = await api_db.client.get("/dashboard", headers=ADMIN, params={"days": 7})
    assert page.status_code == 200
    html = page.text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Telegram on <b>2</b>" in html
    assert today in html
    assert "whatsapp delivered" in html


async def test_dashboard_refuses_a_silly_range(api: Api) -> None:
    for path in ("/dashboard", "/api/v1/admin/dashboard"):
        response = await api.client.get(path, headers=ADMIN, params={"days": 1000})
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "days"
