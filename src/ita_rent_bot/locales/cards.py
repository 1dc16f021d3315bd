"""Words of the Telegram listing card, the Telegram digest and the engine's system notes."""

from __future__ import annotations

from ita_rent_bot.locales import Catalog

CARDS = Catalog(
    {
        "ru": {
            "untitled": "Объявление",
            "price": "{price} €/мес",
            "rooms": ("{n} комната", "{n} комнаты", "{n} комнат"),
            "area": "{n} м²",
            "filter": "Поиск: {name}",
            "price_drop": "Цена снижена: {old} → {new} €",
            "price_drop_short": "Цена снижена",
            "open": "Открыть",
            "save": "Сохранить",
            "hide": "Скрыть",
            "pause": "Пауза поиска",
            "more_photos": "Фото: {n}",
            "digest_header": (
                "{n} новое объявление",
                "{n} новых объявления",
                "{n} новых объявлений",
            ),
            "source": "Источник: ITA_RENT_BOT",
            "telegram_off": (
                "ITA_RENT_BOT: бот в Telegram заблокирован, уведомления там выключены. "
                "Разблокируйте бота и отправьте /start, чтобы включить их снова."
            ),
            "whatsapp_off": (
                "WhatsApp-уведомления выключены: {reason}. "
                "Подключите WhatsApp снова командой /whatsapp."
            ),
        },
        "en": {
            "untitled": "Listing",
            "price": "€{price}/month",
            "rooms": ("{n} room", "{n} rooms"),
            "area": "{n} m²",
            "filter": "Search: {name}",
            "price_drop": "Price dropped: €{old} → €{new}",
            "price_drop_short": "Price dropped",
            "open": "Open",
            "save": "Save",
            "hide": "Hide",
            "pause": "Pause this search",
            "more_photos": "Photos: {n}",
            "digest_header": ("{n} new listing", "{n} new listings"),
            "source": "Source: ITA_RENT_BOT",
            "telegram_off": (
                "ITA_RENT_BOT: the Telegram bot is blocked, so Telegram alerts are off. "
                "Unblock the bot and send /start to turn them back on."
            ),
            "whatsapp_off": (
                "WhatsApp alerts are off: {reason}. Link WhatsApp again with /whatsapp."
            ),
        },
        "it": {
            "untitled": "Annuncio",
            "price": "{price} €/mese",
            "rooms": ("{n} locale", "{n} locali"),
            "area": "{n} m²",
            "filter": "Ricerca: {name}",
            "price_drop": "Prezzo sceso: {old} → {new} €",
            "price_drop_short": "Prezzo sceso",
            "open": "Apri",
            "save": "Salva",
            "hide": "Nascondi",
            "pause": "Metti in pausa la ricerca",
            "more_photos": "Foto: {n}",
            "digest_header": ("{n} nuovo annuncio", "{n} nuovi annunci"),
            "source": "Fonte: ITA_RENT_BOT",
            "telegram_off": (
                "ITA_RENT_BOT: il bot Telegram è bloccato, quindi gli avvisi su Telegram sono "
                "spenti. Sblocca il bot e invia /start per riattivarli."
            ),
            "whatsapp_off": (
                "Gli avvisi WhatsApp sono spenti: {reason}. "
                "Collega di nuovo WhatsApp con /whatsapp."
            ),
        },
    }
)

# why a WhatsApp channel was turned off, as the user reads it
WHATSAPP_REASONS = {
    "ru": {
        "opted_out": "вы отписались от сообщений",
        "needs_join": "номер не подключён к песочнице WhatsApp",
        "invalid_number": "номер не принимает сообщения WhatsApp",
        "other": "провайдер отклоняет сообщения на этот номер",
    },
    "en": {
        "opted_out": "you opted out of messages",
        "needs_join": "the number has not joined the WhatsApp sandbox",
        "invalid_number": "the number does not accept WhatsApp messages",
        "other": "the provider refuses messages to this number",
    },
    "it": {
        "opted_out": "hai disattivato i messaggi",
        "needs_join": "il numero non è collegato alla sandbox WhatsApp",
        "invalid_number": "il numero non riceve messaggi WhatsApp",
        "other": "il provider rifiuta i messaggi verso questo numero",
    },
}

PORTALS = {"subito": "subito.it", "immobiliare": "immobiliare.it", "idealista": "idealista.it"}


def format_price(language: str, amount: int) -> str:
    """Thousands grouped the local way: 1 800 (ru), 1,800 (en), 1.800 (it)."""
    grouped = f"{amount:,}"
    if language == "ru":
        return grouped.replace(",", "\u00a0")
    if language == "it":
        return grouped.replace(",", ".")
    return grouped


def portal_name(source: str) -> str:
    return PORTALS.get(source, source)
