"""The bot's texts in Italian; keys are the same in every language."""

from __future__ import annotations

from ita_rent_bot.locales import Entry

IT: dict[str, Entry] = {
    "start.welcome": (
        "👋 Tengo d'occhio gli annunci d'affitto su subito.it, immobiliare.it e idealista.it.\n"
        "Imposta una ricerca — città, prezzo, locali, superficie — e ti mando ogni nuova casa"
        " appena compare.\n"
        "Puoi salvare un annuncio o nasconderlo per sempre, e mettere in pausa le notifiche."
    ),
    "help.text": (
        "<b>Comandi</b>\n"
        "/new — nuova ricerca\n/filters — le mie ricerche\n/saved — annunci salvati\n"
        "/pause, /resume — sospendi o riprendi tutte le notifiche\n"
        "/settings — lingua, ore di silenzio, fuso orario\n/language — lingua\n"
        "/whatsapp — notifiche su WhatsApp\n/token — token personale per l'API\n"
        "/leave — cancella tutti i miei dati"
    ),
    # the command menu (setMyCommands), one short line each
    "cmd.new": "Nuova ricerca",
    "cmd.filters": "Le mie ricerche",
    "cmd.saved": "Annunci salvati",
    "cmd.pause": "Sospendi le notifiche",
    "cmd.resume": "Riprendi le notifiche",
    "cmd.settings": "Lingua, ore di silenzio, fuso orario",
    "cmd.language": "Lingua",
    "cmd.whatsapp": "Notifiche WhatsApp",
    "cmd.token": "Token API personale",
    "cmd.help": "Cosa so fare",
    "cmd.leave": "Cancella tutti i miei dati",
    "error.apology": "😔 Qualcosa è andato storto. Riprova tra poco.",
    "fallback.unknown": "Non ho capito. Ecco cosa so fare:",
    "fallback.stale_button": "Questo pulsante non è più valido.",
    "btn.new_search": "🔎 Nuova ricerca",
    "btn.my_searches": "📋 Le mie ricerche",
    "btn.settings": "⚙️ Impostazioni",
    "btn.help": "❓ Aiuto",
    "btn.back": "⬅️ Indietro",
    "btn.cancel": "✖️ Annulla",
    "btn.any": "Qualsiasi",
    "btn.next": "Avanti ➡️",
    "btn.save": "💾 Salva",
    "btn.edit_city": "Città",
    "btn.edit_price": "Prezzo",
    "btn.edit_rooms": "Locali",
    "btn.edit_area": "Superficie",
    "btn.edit_options": "Opzioni",
    "btn.private_only": "Solo privati",
    "btn.include_words": "➕ Deve contenere",
    "btn.exclude_words": "➖ Non deve contenere",
    "btn.edit": "✏️ Modifica",
    "btn.pause": "⏸ Pausa",
    "btn.resume": "▶️ Riprendi",
    "btn.delete": "🗑 Elimina",
    "btn.to_list": "⬅️ All'elenco",
    "btn.yes_delete": "Sì, elimina",
    "btn.no": "No",
    "btn.language": "🌐 Lingua",
    "btn.timezone": "🕒 Fuso orario",
    "btn.quiet_hours": "🌙 Ore di silenzio",
    "btn.quiet_off": "Nessuna ora di silenzio",
    "btn.all_photos": "Tutte le foto in un album",
    "btn.price_drops": "Ribassi di prezzo",
    "btn.mode_instant": "Telegram: subito (passa al riepilogo)",
    "btn.mode_digest": "Telegram: riepilogo (passa a subito)",
    "btn.wa_link": "Collega un numero",
    "btn.wa_on": "Attiva",
    "btn.wa_off": "Disattiva",
    "btn.wa_instant": "Invia subito",
    "btn.wa_digest": "Invia come riepilogo",
    "btn.wa_unlink": "Scollega il numero",
    "btn.yes_unlink": "Sì, scollega",
    "btn.yes_leave": "Sì, cancella tutto",
    "wiz.step": "<i>Passo {n} di {total}</i>\n",
    "wiz.city": "🏙 In quale città? Scrivi il nome, per esempio: Milano.",
    "wiz.price": (
        "💶 Affitto mensile in euro: un intervallo come 800-1500, 800- (da) o -1500 (fino a)."
    ),
    "wiz.rooms": "🚪 Quanti locali? Scegli o scrivi un intervallo come 2-3.",
    "wiz.area": "📐 Superficie in m²: un intervallo come 50-80, 50- o -80.",
    "wiz.options": (
        "⚙️ Opzioni. Portali (tutti spuntati significa ovunque), solo privati, parole che"
        " l'annuncio deve o non deve contenere. Poi premi Avanti."
    ),
    "wiz.include_words": (
        "Scrivi le parole che l'annuncio deve contenere, separate da virgole (es. balcone,"
        " ascensore). Invia - per svuotare."
    ),
    "wiz.exclude_words": (
        "Scrivi le parole che l'annuncio non deve contenere, separate da virgole (es. studenti,"
        " transitorio). Invia - per svuotare."
    ),
    "wiz.summary": "<b>La tua ricerca</b>\n{summary}\n\nLa salvo?",
    "wiz.saved": "✅ Ricerca «{name}» salvata.\n{summary}",
    "wiz.preview": (
        "Per cominciare, {n} annuncio recente già online:",
        "Per cominciare, i {n} annunci più recenti già online:",
    ),
    "wiz.no_preview": "Ancora nessun annuncio corrispondente.",
    "wiz.only_new": "D'ora in poi ti mando solo quelli nuovi.",
    "wiz.cancelled": "Annullato.",
    "wiz.invalid": "{field}: {reason}",
    "summary.city": "🏙 Città: {city}",
    "summary.price": "💶 Prezzo: {price}",
    "summary.rooms": "🚪 Locali: {rooms}",
    "summary.area": "📐 Superficie: {area}",
    "summary.portals": "🌐 Portali: {portals}",
    "summary.all_portals": "tutti",
    "summary.private_only": "👤 Solo annunci di privati",
    "summary.include": "➕ Deve contenere: {words}",
    "summary.exclude": "➖ Non deve contenere: {words}",
    "range.any": "qualsiasi",
    "range.from": "da {lo}{unit}",
    "range.to": "fino a {hi}{unit}",
    "filters.empty": "Non hai ancora ricerche.",
    "filters.count": ("Hai {n} ricerca:", "Hai {n} ricerche:"),
    "filters.detail": "<b>{name}</b> — {status}\n{summary}",
    "filters.active_status": "attiva",
    "filters.paused_status": "in pausa",
    "filters.paused": "Ricerca in pausa.",
    "filters.resumed": "Ricerca di nuovo attiva.",
    "filters.confirm_delete": "Eliminare la ricerca «{name}»?",
    "filters.deleted": "Ricerca eliminata.",
    "filters.not_found": "Questa ricerca non esiste più.",
    "card.saved": "Salvato. Vedi /saved",
    "card.already_saved": "Già tra i salvati.",
    "card.hidden": "Nascosto. Non vedrai più questo annuncio.",
    "card.gone": "Questo annuncio non esiste più.",
    "card.filter_paused": "La ricerca «{name}» è in pausa. Riprendila da /filters.",
    "saved.empty": "Nessun annuncio salvato.",
    "saved.count": ("{n} annuncio salvato:", "{n} annunci salvati:"),
    "saved.page": "Pagina {page} di {pages}",
    "saved.newer": "⬅️ Più recenti",
    "saved.older": "Meno recenti ➡️",
    "saved.removed": "Tolto dai salvati.",
    "listing.line": "<b>{title}</b>\n{facts}\n{link}",
    "listing.price": "{price} €/mese",
    "listing.untitled": "Annuncio",
    "n.rooms": ("{n} locale", "{n} locali"),
    "settings.summary": (
        "<b>Impostazioni</b>\nLingua: {language_name}\nFuso orario: {timezone}\n"
        "Ore di silenzio: {quiet}\nNotifiche: {paused}"
    ),
    "settings.quiet_none": "nessuna",
    "settings.paused_yes": "in pausa (/resume)",
    "settings.paused_no": "attive",
    "settings.updated": "Salvato.",
    "settings.choose_language": "Scegli la lingua:",
    "settings.ask_tz": "Scrivi un fuso orario, per esempio Europe/Rome.",
    "settings.ask_quiet": (
        "Scrivi le ore di silenzio, per esempio 23-7 o 22:30-07:00: in quelle ore non invio nulla."
    ),
    "settings.bad_timezone": "Non conosco questo fuso orario. Esempio: Europe/Rome.",
    "settings.bad_quiet": "Non ho capito. Esempio: 23-7 o 22:30-07:00 (inizio e fine diversi).",
    "settings.paused": "⏸ Tutte le notifiche sono in pausa. /resume per riattivarle.",
    "settings.resumed": "▶️ Le notifiche sono di nuovo attive.",
    "settings.token": (
        "🔑 Il tuo token personale per l'API (mostrato una sola volta):\n<code>{token}</code>\n"
        "Tienilo segreto. Un nuovo /token lo sostituisce."
    ),
    "leave.confirm": (
        "Cancellare tutti i tuoi dati — ricerche, annunci salvati, impostazioni?"
        " Non si può annullare."
    ),
    "leave.done": "Tutti i tuoi dati sono stati cancellati. /start per ricominciare.",
    "leave.kept": "Va bene, non cancello nulla.",
    "wa.unavailable": "WhatsApp non è configurato su questo server.",
    "wa.status_unlinked": (
        "📱 WhatsApp non è collegato. Collega un numero per ricevere le notifiche anche lì."
    ),
    "wa.status_linked": "📱 WhatsApp: {number}\nNotifiche: {state}, {mode}",
    "wa.on": "attive",
    "wa.off": "disattivate",
    "wa.mode_instant": "subito",
    "wa.mode_digest": "come riepilogo",
    "wa.ask_number": (
        "Scrivi il tuo numero di cellulare in formato internazionale, es. +393401234567."
    ),
    "wa.code_sent": "Ho inviato un codice su WhatsApp al {number}. Scrivilo qui.",
    "wa.linked": "✅ Il numero {number} è collegato; notifiche WhatsApp attive.",
    "wa.confirm_unlink": "Scollegare il numero WhatsApp?",
    "wa.error.other": "Non è andata: {reason}",
    "wa.problem.other": "⚠️ L'ultimo messaggio WhatsApp non è stato consegnato.",
    "wa.problem.needs_join": "⚠️ Prima scrivi al nostro numero WhatsApp (sandbox Twilio).",
    "wa.problem.invalid_number": "⚠️ WhatsApp non accetta questo numero. Collegane un altro.",
    "wa.problem.opted_out": "⚠️ Hai disattivato WhatsApp. Scrivi START al nostro numero.",
}
