"""Every text of the Telegram bot, in Russian, English and Italian (HTML parse mode).

`t` and `tn` escape every str parameter for HTML unless it is wrapped in `Html` (already safe).
"""

from __future__ import annotations

from html import escape

from ita_rent_bot.locales import Catalog, Entry


class Html(str):
    """A string that is already valid, escaped HTML."""

    __slots__ = ()


RU: dict[str, Entry] = {
    "start.welcome": (
        "👋 Я слежу за объявлениями об аренде на subito.it, immobiliare.it и idealista.it.\n"
        "Задайте поиск — город, цену, комнаты, площадь, — и я пришлю новую квартиру сразу,"
        " как только она появится.\n"
        "Карточку можно сохранить или скрыть навсегда, а уведомления — поставить на паузу."
    ),
    "help.text": (
        "<b>Команды</b>\n"
        "/new — новый поиск\n/filters — мои поиски\n/saved — сохранённые объявления\n"
        "/pause, /resume — приостановить или возобновить все уведомления\n"
        "/settings — язык, тихие часы, часовой пояс\n/language — язык\n"
        "/whatsapp — уведомления в WhatsApp\n/token — личный токен для API\n"
        "/leave — удалить все мои данные"
    ),
    "error.apology": "😔 Что-то пошло не так. Попробуйте ещё раз чуть позже.",
    "fallback.unknown": "Не понял. Вот что я умею:",
    "fallback.stale_button": "Эта кнопка уже не действует.",
    "btn.new_search": "🔎 Новый поиск",
    "btn.my_searches": "📋 Мои поиски",
    "btn.settings": "⚙️ Настройки",
    "btn.help": "❓ Помощь",
    "btn.back": "⬅️ Назад",
    "btn.cancel": "✖️ Отмена",
    "btn.any": "Любая",
    "btn.next": "Далее ➡️",
    "btn.save": "💾 Сохранить",
    "btn.edit_city": "Город",
    "btn.edit_price": "Цена",
    "btn.edit_rooms": "Комнаты",
    "btn.edit_area": "Площадь",
    "btn.edit_options": "Параметры",
    "btn.private_only": "Только частные",
    "btn.include_words": "➕ Обязательные слова",
    "btn.exclude_words": "➖ Исключить слова",
    "btn.edit": "✏️ Изменить",
    "btn.pause": "⏸ Пауза",
    "btn.resume": "▶️ Возобновить",
    "btn.delete": "🗑 Удалить",
    "btn.to_list": "⬅️ К списку",
    "btn.yes_delete": "Да, удалить",
    "btn.no": "Нет",
    "btn.language": "🌐 Язык",
    "btn.timezone": "🕒 Часовой пояс",
    "btn.quiet_hours": "🌙 Тихие часы",
    "btn.quiet_off": "Без тихих часов",
    "btn.all_photos": "Все фото альбомом",
    "btn.price_drops": "Снижение цены",
    "btn.mode_instant": "Telegram: сразу (сменить на дайджест)",
    "btn.mode_digest": "Telegram: дайджест (сменить на «сразу»)",
    "btn.wa_link": "Привязать номер",
    "btn.wa_on": "Включить",
    "btn.wa_off": "Выключить",
    "btn.wa_instant": "Присылать сразу",
    "btn.wa_digest": "Присылать дайджестом",
    "btn.wa_unlink": "Отвязать номер",
    "btn.yes_unlink": "Да, отвязать",
    "btn.yes_leave": "Да, удалить всё",
    "wiz.step": "<i>Шаг {n} из {total}</i>\n",
    "wiz.city": "🏙 В каком городе ищем? Напишите название, например: Milano.",
    "wiz.price": (
        "💶 Цена в месяц, в евро: диапазон вроде 800-1500, «800-» (от) или «-1500» (до)."
    ),
    "wiz.rooms": "🚪 Сколько комнат? Выберите или напишите диапазон, например 2-3.",
    "wiz.area": "📐 Площадь в м²: диапазон вроде 50-80, «50-» или «-80».",
    "wiz.options": (
        "⚙️ Параметры. Порталы (если отмечены все — ищу везде), только частные объявления,"
        " слова, которые должны быть или не должны быть в объявлении. Затем «Далее»."
    ),
    "wiz.include_words": (
        "Напишите слова, которые должны быть в объявлении, через запятую"
        " (например: балкон, лифт). «-» — очистить."
    ),
    "wiz.exclude_words": (
        "Напишите слова, которых не должно быть в объявлении, через запятую"
        " (например: студентам, посуточно). «-» — очистить."
    ),
    "wiz.summary": "<b>Ваш поиск</b>\n{summary}\n\nСохранить?",
    "wiz.saved": "✅ Поиск «{name}» сохранён.\n{summary}",
    "wiz.preview": (
        "Для начала — {n} свежее объявление из уже опубликованных:",
        "Для начала — {n} свежих объявления из уже опубликованных:",
        "Для начала — {n} свежих объявлений из уже опубликованных:",
    ),
    "wiz.no_preview": "Подходящих объявлений пока нет.",
    "wiz.only_new": "Дальше буду присылать только новые.",
    "wiz.cancelled": "Отменено.",
    "wiz.invalid": "Поле {field}: {reason}",
    "summary.city": "🏙 Город: {city}",
    "summary.price": "💶 Цена: {price}",
    "summary.rooms": "🚪 Комнаты: {rooms}",
    "summary.area": "📐 Площадь: {area}",
    "summary.portals": "🌐 Порталы: {portals}",
    "summary.all_portals": "все",
    "summary.private_only": "👤 Только частные объявления",
    "summary.include": "➕ Обязательно: {words}",
    "summary.exclude": "➖ Исключить: {words}",
    "range.any": "любая",
    "range.from": "от {lo}{unit}",
    "range.to": "до {hi}{unit}",
    "filters.empty": "У вас пока нет поисков.",
    "filters.count": (
        "У вас {n} поиск:",
        "У вас {n} поиска:",
        "У вас {n} поисков:",
    ),
    "filters.detail": "<b>{name}</b> — {status}\n{summary}",
    "filters.active_status": "активен",
    "filters.paused_status": "на паузе",
    "filters.paused": "Поиск на паузе.",
    "filters.resumed": "Поиск снова активен.",
    "filters.confirm_delete": "Удалить поиск «{name}»?",
    "filters.deleted": "Поиск удалён.",
    "filters.not_found": "Этого поиска больше нет.",
    "card.saved": "Сохранено. Список — /saved",
    "card.already_saved": "Уже в сохранённых.",
    "card.hidden": "Скрыто. Это объявление больше не появится.",
    "card.gone": "Этого объявления больше нет.",
    "card.filter_paused": "Поиск «{name}» на паузе. Возобновить — в /filters.",
    "saved.empty": "Сохранённых объявлений нет.",
    "saved.count": (
        "Сохранено {n} объявление:",
        "Сохранено {n} объявления:",
        "Сохранено {n} объявлений:",
    ),
    "saved.removed": "Убрано из сохранённых.",
    "listing.line": "<b>{title}</b>\n{facts}\n{link}",
    "listing.price": "{price} €/мес",
    "listing.untitled": "Объявление",
    "n.rooms": ("{n} комната", "{n} комнаты", "{n} комнат"),
    "settings.summary": (
        "<b>Настройки</b>\nЯзык: {language_name}\nЧасовой пояс: {timezone}\n"
        "Тихие часы: {quiet}\nУведомления: {paused}"
    ),
    "settings.quiet_none": "нет",
    "settings.paused_yes": "на паузе (/resume)",
    "settings.paused_no": "включены",
    "settings.updated": "Сохранено.",
    "settings.choose_language": "Выберите язык:",
    "settings.ask_tz": "Напишите часовой пояс, например Europe/Rome или Europe/Moscow.",
    "settings.ask_quiet": (
        "Напишите тихие часы, например 23-7 или 22:30-07:00: в это время я ничего не пришлю."
    ),
    "settings.bad_timezone": "Не знаю такого часового пояса. Пример: Europe/Rome.",
    "settings.bad_quiet": "Не понял. Пример: 23-7 или 22:30-07:00 (начало и конец разные).",
    "settings.paused": "⏸ Все уведомления на паузе. Возобновить — /resume.",
    "settings.resumed": "▶️ Уведомления снова включены.",
    "settings.token": (
        "🔑 Ваш личный токен для API (показываю один раз):\n<code>{token}</code>\n"
        "Храните его в секрете. Новый /token заменит этот."
    ),
    "leave.confirm": (
        "Удалить все ваши данные — поиски, сохранённые объявления, настройки? Отменить нельзя."
    ),
    "leave.done": "Все ваши данные удалены. Чтобы начать заново — /start.",
    "leave.kept": "Хорошо, ничего не удаляю.",
    "wa.unavailable": "WhatsApp на этом сервере не настроен.",
    "wa.status_unlinked": (
        "📱 WhatsApp не привязан. Привяжите номер, чтобы получать уведомления и там."
    ),
    "wa.status_linked": "📱 WhatsApp: {number}\nУведомления: {state}, {mode}",
    "wa.on": "включены",
    "wa.off": "выключены",
    "wa.mode_instant": "сразу",
    "wa.mode_digest": "дайджестом",
    "wa.ask_number": "Напишите номер мобильного в международном формате, например +393401234567.",
    "wa.code_sent": "Отправил код в WhatsApp на {number}. Напишите его сюда.",
    "wa.linked": "✅ Номер {number} привязан, уведомления в WhatsApp включены.",
    "wa.confirm_unlink": "Отвязать номер WhatsApp?",
    "wa.error.other": "Не получилось: {reason}",
    "wa.problem.other": "⚠️ Последняя отправка в WhatsApp не удалась.",
    "wa.problem.needs_join": "⚠️ Сначала напишите нашему номеру в WhatsApp (песочница Twilio).",
    "wa.problem.invalid_number": "⚠️ WhatsApp не принимает этот номер. Привяжите другой.",
    "wa.problem.opted_out": "⚠️ Вы отписались в WhatsApp. Чтобы вернуться, напишите START нам.",
}

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

BOT = Catalog({"ru": RU, "en": EN, "it": IT})


def _safe(params: dict[str, object]) -> dict[str, object]:
    return {
        key: value if isinstance(value, Html) or not isinstance(value, str) else escape(value)
        for key, value in params.items()
    }


def t(lang: str, key: str, /, **params: object) -> str:
    """A bot text in the user's language; str parameters are HTML-escaped unless `Html`."""
    return BOT.text(lang, key, **_safe(params))


def tn(lang: str, key: str, n: int, /, **params: object) -> str:
    """A plural bot text ("{n} комната / комнаты / комнат")."""
    return BOT.plural(lang, key, n, **_safe(params))


def has_text(language: str, key: str) -> bool:
    return key in BOT.messages.get(language, BOT.messages["ru"])
