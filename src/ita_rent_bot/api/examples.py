"""Example answers shown in the OpenAPI document (/docs) for models defined by other domains."""

from __future__ import annotations

from typing import Any

USER: dict[str, Any] = {
    "id": 17,
    "telegram_chat_id": 123456789,
    "telegram_username": "anna_rm",
    "language": "en",
    "timezone": "Europe/Rome",
    "paused": False,
    "quiet_hours_start": "23:00",
    "quiet_hours_end": "07:30",
    "price_drop_alerts": True,
    "telegram_enabled": True,
    "telegram_mode": "instant",
    "telegram_interval_seconds": None,
    "telegram_all_photos": False,
    "whatsapp_number": "+393331234567",
    "whatsapp_enabled": True,
    "whatsapp_mode": "digest",
    "whatsapp_notification_interval": 1800,
    "created_at": "2026-11-20T18:03:11Z",
}

FILTER: dict[str, Any] = {
    "id": 14,
    "name": "Roma centro",
    "city": "roma",
    "zones": ["Trastevere", "Monti"],
    "sources": ["immobiliare", "idealista"],
    "price_min": None,
    "price_max": 1500,
    "rooms_min": 2,
    "rooms_max": None,
    "area_min": None,
    "area_max": None,
    "max_price_per_m2": None,
    "include_words": [],
    "exclude_words": ["studenti"],
    "private_only": False,
    "with_photos": False,
    "furnished": False,
    "include_unknown": False,
    "paused": False,
    "created_at": "2026-11-20T18:05:40Z",
    "updated_at": "2026-11-21T09:12:02Z",
}

WHATSAPP_STATUS: dict[str, Any] = {
    "available": True,
    "linked": True,
    "number": "+393331234567",
    "enabled": True,
    "verified_at": "2026-11-21T09:30:00Z",
    "opted_out": False,
    "problem": None,
    "mode": "digest",
    "interval_seconds": 1800,
    "session_open": False,
    "sender": "whatsapp:+1415***8886",
}

WHATSAPP_SETTINGS: dict[str, Any] = {
    "enabled": True,
    "provider": "twilio",
    "senders": ["whatsapp:+1415***8886"],
    "sender_mps": 1.0,
    "default_interval_seconds": 1800,
    "template_configured": True,
    "send_photos": True,
    "status_callbacks": True,
}

DELIVERY_STATS: dict[str, Any] = {
    "counts": [
        {"channel": "telegram", "status": "sent", "count": 5120},
        {"channel": "whatsapp", "status": "delivered", "count": 2210},
        {"channel": "whatsapp", "status": "pending", "count": 12},
    ],
    "total": 7342,
    "pending": 12,
    "oldest_pending_at": "2026-11-28T09:10:00Z",
    "oldest_pending_age_seconds": 94.2,
}

PORTALS: list[dict[str, Any]] = [
    {
        "portal": "idealista",
        "status": "blocked",
        "last_ok_at": "2026-11-27T22:00:00Z",
        "last_error": "403: DataDome challenge",
        "last_error_at": "2026-11-28T09:00:00Z",
        "consecutive_failures": 3,
        "backoff_until": "2026-11-28T09:40:00Z",
        "updated_at": "2026-11-28T09:00:00Z",
    }
]


def example(value: Any) -> dict[int | str, dict[str, Any]]:
    """The `responses` entry that shows `value` as the example of a 200 answer."""
    return {200: {"content": {"application/json": {"example": value}}}}
