"""The bot's texts in Russian; keys are the same in every language."""

from __future__ import annotations

from ita_rent_bot.locales import Entry

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
    # the command menu (setMyCommands), one short line each
    "cmd.new": "Новый поиск",
    "cmd.filters": "Мои поиски",
    "cmd.saved": "Сохранённые объявления",
    "cmd.pause": "Приостановить уведомления",
    "cmd.resume": "Возобновить уведомления",
    "cmd.settings": "Язык, тихие часы, часовой пояс",
    "cmd.language": "Язык",
    "cmd.whatsapp": "Уведомления в WhatsApp",
    "cmd.token": "Личный токен API",
    "cmd.help": "Что я умею",
    "cmd.leave": "Удалить все мои данные",
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
    "saved.page": "Страница {page} из {pages}",
    "saved.newer": "⬅️ Новее",
    "saved.older": "Старше ➡️",
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
