"""What ITA_RENT_BOT says on WhatsApp (digest, template, replies) and about linking a number.

Plural entries are tuples in `plural_index` order: ru one/few/many, en and it one/other.
"""

from __future__ import annotations

from ita_rent_bot.locales import Catalog

CATALOG = Catalog(
    {
        "ru": {
            "digest_title": "🏠 *Новые объявления!*",
            "digest_filter": "📍 Фильтр: _{name}_",
            "digest_found": (
                "📊 Найдено: {n} объявление",
                "📊 Найдено: {n} объявления",
                "📊 Найдено: {n} объявлений",
            ),
            "price": "💰 {price}€/мес",
            "rooms": ("🚪 {n} комн.",),
            "area": "📐 {n} м²",
            "untitled": "Квартира",
            "footer": "📱 Источник: ITA_RENT_BOT",
            "template_text": (
                "🏠 {n} новое объявление по фильтру «{name}». Ответьте на это сообщение, "
                "чтобы получить подборку.",
                "🏠 {n} новых объявления по фильтру «{name}». Ответьте на это сообщение, "
                "чтобы получить подборку.",
                "🏠 {n} новых объявлений по фильтру «{name}». Ответьте на это сообщение, "
                "чтобы получить подборку.",
            ),
            "test_message": "✅ Тестовое сообщение ITA_RENT_BOT: WhatsApp работает.",
            "link_code": (
                "Код подтверждения ITA_RENT_BOT: {code}\n"
                "Он действует 10 минут. Никому его не сообщайте."
            ),
            "linked": (
                "✅ WhatsApp подключён: новые объявления будут приходить сюда. "
                "STOP — отписаться, HELP — справка."
            ),
            "stopped": (
                "Вы отписались от уведомлений ITA_RENT_BOT в WhatsApp. "
                "Отправьте START, чтобы снова их получать."
            ),
            "started": "Уведомления ITA_RENT_BOT в WhatsApp снова включены. STOP — отписаться.",
            "not_linked": (
                "Этот номер не подключён к ITA_RENT_BOT. Подключите его в Telegram-боте."
            ),
            "help": (
                "ITA_RENT_BOT присылает новые объявления об аренде квартир в Италии.\n"
                "STOP — отписаться, START — подписаться снова, HELP — эта справка.\n"
                "Фильтры и настройки — в Telegram-боте."
            ),
            "join_with_code": (
                "Чтобы получать сообщения, отправьте «{join}» на номер {number} в WhatsApp."
            ),
            "join_without_code": (
                "Чтобы получать сообщения, подключитесь к песочнице Twilio: отправьте код "
                "подключения (его знает администратор) на номер {number} в WhatsApp."
            ),
            "inbound_code_unknown": (
                "Код не подошёл или устарел. Запросите новый код в Telegram-боте."
            ),
            "error_invalid_number": (
                "Это не похоже на номер телефона. Укажите номер в международном формате, "
                "например +39 333 123 4567."
            ),
            "error_not_mobile": (
                "Это не мобильный номер, а WhatsApp работает только с мобильными номерами."
            ),
            "error_number_taken": "Этот номер уже подключён к другому аккаунту.",
            "error_no_pending_code": "Нет кода, ожидающего подтверждения. Сначала запросите код.",
            "error_code_expired": "Срок действия кода истёк. Запросите новый код.",
            "error_too_many_attempts": "Слишком много неверных попыток. Запросите новый код.",
            "error_wrong_code": "Неверный код. Осталось попыток: {left}.",
            "error_too_soon": "Код уже отправлен. Новый можно запросить через {seconds} с.",
            "error_send_failed": "Не удалось отправить код в WhatsApp. Попробуйте позже.",
            "error_needs_inbound": (
                "Сначала напишите любое сообщение на номер {number} в WhatsApp, "
                "затем запросите код снова."
            ),
            "error_opted_out": (
                "Этот номер отписался (STOP). Отправьте START на номер {number} в WhatsApp."
            ),
            "error_not_verified": "Номер WhatsApp не подтверждён. Сначала подключите номер.",
            "error_unavailable": "WhatsApp не настроен на этом сервере.",
        },
        "en": {
            "digest_title": "🏠 *New listings!*",
            "digest_filter": "📍 Search: _{name}_",
            "digest_found": ("📊 Found: {n} listing", "📊 Found: {n} listings"),
            "price": "💰 €{price}/month",
            "rooms": ("🚪 {n} room", "🚪 {n} rooms"),
            "area": "📐 {n} m²",
            "untitled": "Flat",
            "footer": "📱 Source: ITA_RENT_BOT",
            "template_text": (
                "🏠 {n} new listing for “{name}”. Reply to this message to see it.",
                "🏠 {n} new listings for “{name}”. Reply to this message to see them.",
            ),
            "test_message": "✅ ITA_RENT_BOT test message: WhatsApp works.",
            "link_code": (
                "Your ITA_RENT_BOT confirmation code: {code}\n"
                "It is valid for 10 minutes. Do not share it."
            ),
            "linked": (
                "✅ WhatsApp linked: new listings will arrive here. STOP to unsubscribe, "
                "HELP for help."
            ),
            "stopped": (
                "You have unsubscribed from ITA_RENT_BOT on WhatsApp. "
                "Send START to receive notifications again."
            ),
            "started": "ITA_RENT_BOT notifications on WhatsApp are back on. STOP to unsubscribe.",
            "not_linked": "This number is not linked to ITA_RENT_BOT. Link it in the Telegram bot.",
            "help": (
                "ITA_RENT_BOT sends you new rental listings in Italy.\n"
                "STOP to unsubscribe, START to subscribe again, HELP for this message.\n"
                "Searches and settings are in the Telegram bot."
            ),
            "join_with_code": "To receive messages, send “{join}” to {number} on WhatsApp.",
            "join_without_code": (
                "To receive messages, join the Twilio sandbox: send the join code (ask the "
                "administrator) to {number} on WhatsApp."
            ),
            "inbound_code_unknown": (
                "That code is wrong or has expired. Ask for a new one in the Telegram bot."
            ),
            "error_invalid_number": (
                "That does not look like a phone number. Use the international format, "
                "e.g. +39 333 123 4567."
            ),
            "error_not_mobile": "That is not a mobile number; WhatsApp works with mobile numbers.",
            "error_number_taken": "This number is already linked to another account.",
            "error_no_pending_code": "There is no code waiting for confirmation. Ask for a code.",
            "error_code_expired": "The code has expired. Ask for a new one.",
            "error_too_many_attempts": "Too many wrong attempts. Ask for a new code.",
            "error_wrong_code": "Wrong code. Attempts left: {left}.",
            "error_too_soon": "A code was just sent. You can ask for a new one in {seconds} s.",
            "error_send_failed": "The code could not be sent on WhatsApp. Try again later.",
            "error_needs_inbound": (
                "First send any message to {number} on WhatsApp, then ask for the code again."
            ),
            "error_opted_out": (
                "This number has unsubscribed (STOP). Send START to {number} on WhatsApp."
            ),
            "error_not_verified": "The WhatsApp number is not confirmed. Link a number first.",
            "error_unavailable": "WhatsApp is not configured on this server.",
        },
        "it": {
            "digest_title": "🏠 *Nuovi annunci!*",
            "digest_filter": "📍 Ricerca: _{name}_",
            "digest_found": ("📊 Trovato: {n} annuncio", "📊 Trovati: {n} annunci"),
            "price": "💰 {price} €/mese",
            "rooms": ("🚪 {n} locale", "🚪 {n} locali"),
            "area": "📐 {n} m²",
            "untitled": "Appartamento",
            "footer": "📱 Fonte: ITA_RENT_BOT",
            "template_text": (
                "🏠 {n} nuovo annuncio per «{name}». Rispondi a questo messaggio per vederlo.",
                "🏠 {n} nuovi annunci per «{name}». Rispondi a questo messaggio per vederli.",
            ),
            "test_message": "✅ Messaggio di prova di ITA_RENT_BOT: WhatsApp funziona.",
            "link_code": (
                "Il tuo codice di conferma ITA_RENT_BOT: {code}\n"
                "Vale 10 minuti. Non condividerlo con nessuno."
            ),
            "linked": (
                "✅ WhatsApp collegato: i nuovi annunci arriveranno qui. STOP per disiscriverti, "
                "AIUTO per l'aiuto."
            ),
            "stopped": (
                "Ti sei disiscritto dalle notifiche di ITA_RENT_BOT su WhatsApp. "
                "Invia AVVIA per riceverle di nuovo."
            ),
            "started": "Le notifiche di ITA_RENT_BOT su WhatsApp sono di nuovo attive. STOP per "
            "disiscriverti.",
            "not_linked": (
                "Questo numero non è collegato a ITA_RENT_BOT. Collegalo nel bot Telegram."
            ),
            "help": (
                "ITA_RENT_BOT ti invia i nuovi annunci di affitto in Italia.\n"
                "STOP per disiscriverti, AVVIA per iscriverti di nuovo, AIUTO per questo "
                "messaggio.\nRicerche e impostazioni sono nel bot Telegram."
            ),
            "join_with_code": (
                "Per ricevere messaggi, invia «{join}» al numero {number} su WhatsApp."
            ),
            "join_without_code": (
                "Per ricevere messaggi, unisciti alla sandbox Twilio: invia il codice di accesso "
                "(chiedilo all'amministratore) al numero {number} su WhatsApp."
            ),
            "inbound_code_unknown": (
                "Il codice è errato o scaduto. Richiedine uno nuovo nel bot Telegram."
            ),
            "error_invalid_number": (
                "Non sembra un numero di telefono. Usa il formato internazionale, "
                "ad esempio +39 333 123 4567."
            ),
            "error_not_mobile": (
                "Non è un numero di cellulare: WhatsApp funziona solo con i cellulari."
            ),
            "error_number_taken": "Questo numero è già collegato a un altro account.",
            "error_no_pending_code": "Nessun codice in attesa di conferma. Richiedi un codice.",
            "error_code_expired": "Il codice è scaduto. Richiedine uno nuovo.",
            "error_too_many_attempts": "Troppi tentativi errati. Richiedi un nuovo codice.",
            "error_wrong_code": "Codice errato. Tentativi rimasti: {left}.",
            "error_too_soon": "Un codice è appena stato inviato. Puoi richiederne un altro tra "
            "{seconds} s.",
            "error_send_failed": "Impossibile inviare il codice su WhatsApp. Riprova più tardi.",
            "error_needs_inbound": (
                "Prima invia un messaggio qualsiasi al numero {number} su WhatsApp, poi richiedi "
                "di nuovo il codice."
            ),
            "error_opted_out": (
                "Questo numero si è disiscritto (STOP). Invia AVVIA al numero {number} su WhatsApp."
            ),
            "error_not_verified": "Il numero WhatsApp non è confermato. Collega prima un numero.",
            "error_unavailable": "WhatsApp non è configurato su questo server.",
        },
    }
)
