"""What the API and the bot show about WhatsApp: a user's link, and the server's set-up."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class WhatsAppStatusOut(BaseModel):
    available: bool  # WhatsApp is configured on this server
    linked: bool  # a confirmed number
    number: str | None
    enabled: bool
    verified_at: datetime | None
    opted_out: bool
    problem: str | None  # "needs_join", "invalid_number", "opted_out"
    mode: str
    interval_seconds: int
    session_open: bool  # within 24 hours of the user's last message: free text allowed
    sender: str | None  # masked


class WhatsAppSettingsOut(BaseModel):
    """The server's WhatsApp set-up, safe to show: never a token or a full sender number."""

    enabled: bool
    provider: Literal["twilio", "meta"]
    senders: list[str]
    sender_mps: float
    default_interval_seconds: int
    template_configured: bool
    send_photos: bool
    status_callbacks: bool  # PUBLIC_BASE_URL is set, so providers can report delivery
