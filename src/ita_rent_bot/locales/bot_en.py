"""The bot's texts in English; keys are the same in every language."""

from __future__ import annotations

from ita_rent_bot.locales import Entry

EN: dict[str, Entry] = {
    "start.welcome": (
        "👋 I watch rental listings on subito.it, immobiliare.it and idealista.it.\n"
        "Set up a search — city, price, rooms, area — and I send you each new flat the moment"
        " it appears.\n"
        "Save a card or hide it for good, and pause notifications whenever you like."
    ),
    "help.text": (
        "<b>Commands</b>\n"
        "/new — new search\n/filters — my searches\n/saved — saved listings\n"
        "/pause, /resume — pause or resume all notifications\n"
        "/settings — language, quiet hours, time zone\n/language — language\n"
        "/whatsapp — WhatsApp notifications\n/token — personal API token\n"
        "/leave — delete all my data"
    ),
    # the command menu (setMyCommands), one short line each
    "cmd.new": "New search",
    "cmd.filters": "My searches",
    "cmd.saved": "Saved listings",
    "cmd.pause": "Pause notifications",
    "cmd.resume": "Resume notifications",
    "cmd.settings": "Language, quiet hours, time zone",
    "cmd.language": "Language",
    "cmd.whatsapp": "WhatsApp notifications",
    "cmd.token": "Personal API token",
    "cmd.help": "What I can do",
    "cmd.leave": "Delete all my data",
    "error.apology": "😔 Something went wrong. Please try again in a moment.",
    "fallback.unknown": "I did not get that. Here is what I can do:",
    "fallback.stale_button": "This button no longer works.",
    "btn.new_search": "🔎 New search",
    "btn.my_searches": "📋 My searches",
    "btn.settings": "⚙️ Settings",
    "btn.help": "❓ Help",
    "btn.back": "⬅️ Back",
    "btn.cancel": "✖️ Cancel",
    "btn.any": "Any",
    "btn.next": "Next ➡️",
    "btn.save": "💾 Save",
    "btn.edit_city": "City",
    "btn.edit_price": "Price",
    "btn.edit_rooms": "Rooms",
    "btn.edit_area": "Area",
    "btn.edit_options": "Options",
    "btn.private_only": "Private only",
    "btn.include_words": "➕ Must contain",
    "btn.exclude_words": "➖ Must not contain",
    "btn.edit": "✏️ Edit",
    "btn.pause": "⏸ Pause",
    "btn.resume": "▶️ Resume",
    "btn.delete": "🗑 Delete",
    "btn.to_list": "⬅️ Back to list",
    "btn.yes_delete": "Yes, delete",
    "btn.no": "No",
    "btn.language": "🌐 Language",
    "btn.timezone": "🕒 Time zone",
    "btn.quiet_hours": "🌙 Quiet hours",
    "btn.quiet_off": "No quiet hours",
    "btn.all_photos": "All photos as an album",
    "btn.price_drops": "Price drops",
    "btn.mode_instant": "Telegram: instant (switch to digest)",
    "btn.mode_digest": "Telegram: digest (switch to instant)",
    "btn.wa_link": "Link a number",
    "btn.wa_on": "Turn on",
    "btn.wa_off": "Turn off",
    "btn.wa_instant": "Send at once",
    "btn.wa_digest": "Send as a digest",
    "btn.wa_unlink": "Unlink the number",
    "btn.yes_unlink": "Yes, unlink",
    "btn.yes_leave": "Yes, delete everything",
    "wiz.step": "<i>Step {n} of {total}</i>\n",
    "wiz.city": "🏙 Which city? Type its name, for example: Milano.",
    "wiz.price": "💶 Monthly rent in euros: a range like 800-1500, 800- (from) or -1500 (up to).",
    "wiz.rooms": "🚪 How many rooms? Pick one or type a range such as 2-3.",
    "wiz.area": "📐 Area in m²: a range like 50-80, 50- or -80.",
    "wiz.options": (
        "⚙️ Options. Portals (all ticked means everywhere), private advertisers only, words a"
        " listing must or must not contain. Then press Next."
    ),
    "wiz.include_words": (
        "Type the words a listing must contain, separated by commas (e.g. balcony, lift)."
        " Send - to clear."
    ),
    "wiz.exclude_words": (
        "Type the words a listing must not contain, separated by commas (e.g. students,"
        " short stay). Send - to clear."
    ),
    "wiz.summary": "<b>Your search</b>\n{summary}\n\nSave it?",
    "wiz.saved": "✅ Search “{name}” saved.\n{summary}",
    "wiz.preview": (
        "To start with, the newest {n} listing already online:",
        "To start with, the newest {n} listings already online:",
    ),
    "wiz.no_preview": "No matching listings yet.",
    "wiz.only_new": "From now on I will send only new ones.",
    "wiz.cancelled": "Cancelled.",
    "wiz.invalid": "{field}: {reason}",
    "summary.city": "🏙 City: {city}",
    "summary.price": "💶 Price: {price}",
    "summary.rooms": "🚪 Rooms: {rooms}",
    "summary.area": "📐 Area: {area}",
    "summary.portals": "🌐 Portals: {portals}",
    "summary.all_portals": "all",
    "summary.private_only": "👤 Private advertisers only",
    "summary.include": "➕ Must contain: {words}",
    "summary.exclude": "➖ Must not contain: {words}",
    "range.any": "any",
    "range.from": "from {lo}{unit}",
    "range.to": "up to {hi}{unit}",
    "filters.empty": "You have no searches yet.",
    "filters.count": ("You have {n} search:", "You have {n} searches:"),
    "filters.detail": "<b>{name}</b> — {status}\n{summary}",
    "filters.active_status": "active",
    "filters.paused_status": "paused",
    "filters.paused": "Search paused.",
    "filters.resumed": "Search active again.",
    "filters.confirm_delete": "Delete the search “{name}”?",
    "filters.deleted": "Search deleted.",
    "filters.not_found": "That search no longer exists.",
    "card.saved": "Saved. See /saved",
    "card.already_saved": "Already saved.",
    "card.hidden": "Hidden. You will not see this listing again.",
    "card.gone": "This listing no longer exists.",
    "card.filter_paused": "The search “{name}” is paused. Resume it in /filters.",
    "saved.empty": "No saved listings.",
    "saved.count": ("{n} saved listing:", "{n} saved listings:"),
    "saved.page": "Page {page} of {pages}",
    "saved.newer": "⬅️ Newer",
    "saved.older": "Older ➡️",
    "saved.removed": "Removed from saved.",
    "listing.line": "<b>{title}</b>\n{facts}\n{link}",
    "listing.price": "{price} €/month",
    "listing.untitled": "Listing",
    "n.rooms": ("{n} room", "{n} rooms"),
    "settings.summary": (
        "<b>Settings</b>\nLanguage: {language_name}\nTime zone: {timezone}\n"
        "Quiet hours: {quiet}\nNotifications: {paused}"
    ),
    "settings.quiet_none": "none",
    "settings.paused_yes": "paused (/resume)",
    "settings.paused_no": "on",
    "settings.updated": "Saved.",
    "settings.choose_language": "Choose a language:",
    "settings.ask_tz": "Type a time zone, for example Europe/Rome or Europe/London.",
    "settings.ask_quiet": (
        "Type your quiet hours, for example 23-7 or 22:30-07:00: I send nothing in that time."
    ),
    "settings.bad_timezone": "I do not know that time zone. Example: Europe/Rome.",
    "settings.bad_quiet": (
        "I did not get that. Example: 23-7 or 22:30-07:00 (start and end differ)."
    ),
    "settings.paused": "⏸ All notifications are paused. /resume to turn them back on.",
    "settings.resumed": "▶️ Notifications are on again.",
    "settings.token": (
        "🔑 Your personal API token (shown only once):\n<code>{token}</code>\n"
        "Keep it secret. Asking /token again replaces it."
    ),
    "leave.confirm": (
        "Delete all your data — searches, saved listings, settings? This cannot be undone."
    ),
    "leave.done": "All your data is deleted. /start to begin again.",
    "leave.kept": "All right, nothing deleted.",
    "wa.unavailable": "WhatsApp is not set up on this server.",
    "wa.status_unlinked": (
        "📱 WhatsApp is not linked. Link a number to get notifications there too."
    ),
    "wa.status_linked": "📱 WhatsApp: {number}\nNotifications: {state}, {mode}",
    "wa.on": "on",
    "wa.off": "off",
    "wa.mode_instant": "instant",
    "wa.mode_digest": "as a digest",
    "wa.ask_number": "Type your mobile number in international format, e.g. +393401234567.",
    "wa.code_sent": "I sent a code by WhatsApp to {number}. Type it here.",
    "wa.linked": "✅ {number} is linked; WhatsApp notifications are on.",
    "wa.confirm_unlink": "Unlink your WhatsApp number?",
    "wa.error.other": "That did not work: {reason}",
    "wa.problem.other": "⚠️ The last WhatsApp message could not be delivered.",
    "wa.problem.needs_join": "⚠️ First send a message to our WhatsApp number (Twilio sandbox).",
    "wa.problem.invalid_number": "⚠️ WhatsApp does not accept this number. Link another one.",
    "wa.problem.opted_out": "⚠️ You opted out on WhatsApp. Send START to our number to come back.",
}
