"""The console channel: prints what would be sent, standing in for a channel without credentials.

Used when DEBUG_NOTIFICATIONS=true and a channel (Telegram, WhatsApp) has no credentials, and by
`ita-rent-bot run --demo`. Telegram's HTML is shown as plain text.
"""

from __future__ import annotations

import html
import re
import sys
from typing import ClassVar, TextIO

from ita_rent_bot.channels.base import Channel, Outcome, OutgoingMessage, Recipient, Sent

_TAG = re.compile(r"<[^>]+>")


def html_to_text(text: str) -> str:
    """Telegram HTML as a person reads it: tags gone (a link's address shows on its button)."""
    return html.unescape(_TAG.sub("", text))


class ConsoleChannel(Channel):
    name: ClassVar[str] = "console"
    body_limit: ClassVar[int] = 65_536
    caption_limit: ClassVar[int | None] = None
    max_media: ClassVar[int] = 10
    supports_buttons: ClassVar[bool] = True

    def __init__(self, stands_for: str, out: TextIO | None = None) -> None:
        self.stands_for = stands_for
        self.out = out
        self.sent = 0

    async def send(self, recipient: Recipient, message: OutgoingMessage) -> Outcome:
        self.sent += 1
        number = self.sent
        out = self.out or sys.stdout
        lines = [f"── {self.stands_for} → {recipient.address} (user {recipient.user_id}) ──"]
        if message.template is not None:
            variables = ", ".join(f"{k}={v}" for k, v in message.template.variables.items())
            lines.append(f"[template {message.template.id}] {variables}")
        body = html_to_text(message.text) if self.stands_for == "telegram" else message.text
        lines.append(body)
        if message.photos:
            lines.append(f"[{len(message.photos)} photo(s): {message.photos[0]}]")
        if message.buttons:
            lines.append(
                " ".join(
                    f"[{b.text} → {b.url}]" if b.url else f"[{b.text}]" for b in message.buttons
                )
            )
        print("\n".join(lines) + "\n", file=out, flush=True)
        return Sent(provider_message_id=f"console-{self.stands_for}-{number}", path="console")
