"""`ita-rent-bot whatsapp ...`: operator commands for the WhatsApp channel."""

from __future__ import annotations

import typer

from ita_rent_bot.cli_support import cli_settings, fail, run_async

app = typer.Typer(help="WhatsApp: send a test message through the configured provider.")


async def _send_test(to: str, language: str, text: str | None) -> str:
    from ita_rent_bot.channels.base import OutgoingMessage, Recipient, Sent
    from ita_rent_bot.channels.whatsapp.linking import LinkError, parse_number
    from ita_rent_bot.channels.whatsapp.service import WhatsAppService
    from ita_rent_bot.locales.whatsapp import CATALOG

    settings = cli_settings()
    try:
        number = parse_number(to, language)
    except LinkError as exc:
        fail(f"--to: {exc.message}")
    service = WhatsAppService.from_settings(settings)
    if service is None:
        fail("WhatsApp is off: set WHATSAPP_ENABLED=true and its credentials")
    try:
        outcome = await service.send(
            Recipient(user_id=0, address=number),
            OutgoingMessage(text=text or CATALOG.text(language, "test_message")),
        )
    finally:
        await service.aclose()
    if not isinstance(outcome, Sent):
        code = f" (code {outcome.code})" if outcome.code else ""
        fail(
            f"{service.provider_name} refused: {type(outcome).__name__}{code}: {outcome.reason}", 1
        )
    return f"sent {outcome.provider_message_id} via {outcome.path}"


@app.command("send-test")
def send_test(
    to: str = typer.Option(..., "--to", help="The recipient, in international format (+39...)."),
    language: str = typer.Option("en", "--language", help="ru, en or it."),
    text: str = typer.Option(None, "--text", help="Text to send instead of the test message."),
) -> None:
    """Send one message and print its id and the path it took (sdk, http or meta)."""
    if language not in ("ru", "en", "it"):
        fail("--language: must be ru, en or it")
    typer.echo(run_async(_send_test(to, language, text)))
