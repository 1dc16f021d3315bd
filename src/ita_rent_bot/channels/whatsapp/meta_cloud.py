"""Meta's WhatsApp Cloud API over httpx: text, image with caption, template, reply buttons.

JSON to `{WHATSAPP_API_URL}/{phone-number-id}/messages` with a Bearer token; the sender is the
phone number id. Errors come back as `{"error": {"code": ..., "message": ...}}`.
"""

from __future__ import annotations

from typing import Any

import httpx

from ita_rent_bot.channels.base import Outcome, OutgoingMessage, RetryLater, Sent
from ita_rent_bot.channels.whatsapp.errors import meta_outcome
from ita_rent_bot.channels.whatsapp.twilio_common import parse_retry_after
from ita_rent_bot.config import Settings

GRAPH_BASE_URL = "https://graph.facebook.com/v21.0"
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
CAPTION_LIMIT = 1024


def meta_payload(to: str, message: OutgoingMessage) -> dict[str, Any]:
    """The Graph API body for one message (`to` is E.164; Meta wants the digits only)."""
    base: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to.removeprefix("whatsapp:").lstrip("+"),
    }
    if message.template is not None:
        template = message.template
        parameters = [
            {"type": "text", "text": template.variables[key]}
            for key in sorted(template.variables, key=lambda k: (len(k), k))
        ]
        body: dict[str, Any] = {"name": template.id, "language": {"code": template.language}}
        if parameters:
            body["components"] = [{"type": "body", "parameters": parameters}]
        return base | {"type": "template", "template": body}
    if message.photos:
        image: dict[str, Any] = {"link": message.photos[0]}
        if message.text:
            image["caption"] = message.text[:CAPTION_LIMIT]
        return base | {"type": "image", "image": image}
    if message.buttons:
        buttons = [
            {
                "type": "reply",
                "reply": {
                    "id": (button.callback_data or button.text)[:256],
                    "title": button.text[:BUTTON_TITLE_LIMIT],
                },
            }
            for button in message.buttons[:MAX_REPLY_BUTTONS]
        ]
        return base | {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": message.text},
                "action": {"buttons": buttons},
            },
        }
    return base | {"type": "text", "text": {"body": message.text, "preview_url": True}}


class MetaCloudProvider:
    name = "meta"

    def __init__(self, *, base_url: str, token: str, timeout_seconds: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            timeout=timeout_seconds, headers={"Authorization": f"Bearer {token}"}
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> MetaCloudProvider:
        if settings.whatsapp_api_token is None:
            raise ValueError("Meta needs WHATSAPP_API_TOKEN")
        return cls(
            base_url=settings.whatsapp_api_url or GRAPH_BASE_URL,
            token=settings.whatsapp_api_token.get_secret_value(),
            timeout_seconds=settings.whatsapp_timeout_seconds,
        )

    async def send(self, sender: str, to: str, message: OutgoingMessage) -> Outcome:
        url = f"{self.base_url}/{sender}/messages"
        try:
            response = await self._client.post(url, json=meta_payload(to, message))
        except httpx.TimeoutException:
            return RetryLater(
                after_seconds=None, reason="Meta did not answer in time", code="timeout"
            )
        except httpx.HTTPError as exc:
            return RetryLater(after_seconds=None, reason=f"Meta unreachable ({type(exc).__name__})")
        payload = _json(response)
        if 200 <= response.status_code < 300:
            messages = payload.get("messages") if isinstance(payload, dict) else None
            message_id = messages[0].get("id") if isinstance(messages, list) and messages else None
            return Sent(provider_message_id=str(message_id) if message_id else None, path="meta")
        error = payload.get("error") if isinstance(payload, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        text = str(error.get("message", "")) if isinstance(error, dict) else response.text[:200]
        return meta_outcome(
            response.status_code,
            code if isinstance(code, int) else None,
            text,
            parse_retry_after(response.headers.get("Retry-After")),
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
