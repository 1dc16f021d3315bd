"""Twilio and Meta error answers as the typed Outcomes the engine acts on.

`problem_for(outcome)` names what to record on the user (`User.whatsapp_problem`) when an
outcome says the recipient is gone. An operator alarm (bad credentials, a sender that is not
ours) is logged once per process and counted, and is not held against the user.
"""

from __future__ import annotations

from prometheus_client import Counter

from ita_rent_bot.channels.base import (
    NeedsTemplate,
    Outcome,
    PermanentFailure,
    RecipientGone,
    RetryLater,
)
from ita_rent_bot.log import get_logger

log = get_logger(__name__)

OPERATOR_ALARMS = Counter(
    "whatsapp_operator_alarms_total",
    "WhatsApp answers that need the operator (bad credentials, sender not configured)",
    ["provider", "code"],
)

PROBLEM_NEEDS_JOIN = "needs_join"
PROBLEM_INVALID_NUMBER = "invalid_number"
PROBLEM_OPTED_OUT = "opted_out"

# Twilio error codes (https://www.twilio.com/docs/api/errors)
TWILIO_RETRY = frozenset({20429, 63018, 63038})  # too many requests, channel/daily rate limits
TWILIO_TEMPLATE = frozenset({63016})  # outside the 24-hour window: a template is needed
TWILIO_PROBLEMS = {
    63015: PROBLEM_NEEDS_JOIN,  # sandbox recipient has not joined
    21211: PROBLEM_INVALID_NUMBER,  # invalid 'To' number
    21614: PROBLEM_INVALID_NUMBER,  # 'To' is not a valid mobile number
    63003: PROBLEM_INVALID_NUMBER,  # channel could not find the 'To' address
    63024: PROBLEM_INVALID_NUMBER,  # invalid message recipient
    21610: PROBLEM_OPTED_OUT,  # the recipient replied STOP
}
TWILIO_ALARMS = frozenset({20003, 20005, 20404, 21606, 63007})  # auth, account, SID, sender

# Meta Cloud API error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
META_RETRY = frozenset({4, 80007, 130429, 131056, 131048, 133016})  # throughput and spam limits
META_TEMPLATE = frozenset({131047})  # re-engagement: more than 24 hours since the user wrote
META_PROBLEMS = {
    131026: PROBLEM_INVALID_NUMBER,  # message undeliverable (not on WhatsApp)
    131030: PROBLEM_INVALID_NUMBER,  # recipient not in the test allowed list
    131050: PROBLEM_OPTED_OUT,  # the user stopped marketing messages
}
META_ALARMS = frozenset({0, 3, 10, 190, 200, 131031, 133010})  # token, permission, account

_alarmed: set[tuple[str, int]] = set()


def operator_alarm(provider: str, code: int, message: str) -> None:
    """Count every time; log once per process per code (the operator needs one clear line)."""
    OPERATOR_ALARMS.labels(provider=provider, code=str(code)).inc()
    if (provider, code) in _alarmed:
        return
    _alarmed.add((provider, code))
    log.error(
        "whatsapp operator alarm: check the credentials and sender configuration",
        provider=provider,
        code=code,
        detail=message[:200],
    )


def _gone(problem: str, code: int, message: str) -> RecipientGone:
    return RecipientGone(reason=f"{problem}: {message}"[:300], code=str(code))


def twilio_outcome(
    status: int, code: int | None, message: str, retry_after: float | None
) -> Outcome:
    """Twilio's refusal (HTTP status + error code) as an Outcome."""
    text = message or f"HTTP {status}"
    code_text = str(code) if code is not None else str(status)
    if status == 429 or code in TWILIO_RETRY or status >= 500:
        return RetryLater(after_seconds=retry_after, reason=text, code=code_text)
    if code in TWILIO_TEMPLATE:
        return NeedsTemplate(reason=text, code=code_text)
    if code is not None and code in TWILIO_PROBLEMS:
        return _gone(TWILIO_PROBLEMS[code], code, text)
    if code in TWILIO_ALARMS or status == 401:
        operator_alarm("twilio", code or status, text)
    return PermanentFailure(reason=text, code=code_text)


def meta_outcome(status: int, code: int | None, message: str, retry_after: float | None) -> Outcome:
    """A Graph API error (HTTP status + `error.code`) as an Outcome."""
    text = message or f"HTTP {status}"
    code_text = str(code) if code is not None else str(status)
    if status == 429 or code in META_RETRY or status >= 500:
        return RetryLater(after_seconds=retry_after, reason=text, code=code_text)
    if code in META_TEMPLATE:
        return NeedsTemplate(reason=text, code=code_text)
    if code is not None and code in META_PROBLEMS:
        return _gone(META_PROBLEMS[code], code, text)
    if code in META_ALARMS or status == 401:
        operator_alarm("meta", code if code is not None else status, text)
    return PermanentFailure(reason=text, code=code_text)


def problem_for_code(code: str | None) -> str | None:
    """The user's WhatsApp problem for a provider error code (sync answer or status callback)."""
    if code is None or not code.isdigit():
        return None
    number = int(code)
    return TWILIO_PROBLEMS.get(number) or META_PROBLEMS.get(number)


def problem_for(outcome: Outcome) -> str | None:
    """What to record in `User.whatsapp_problem` for this outcome (None: nothing to record)."""
    if isinstance(outcome, RecipientGone):
        return problem_for_code(outcome.code) or PROBLEM_INVALID_NUMBER
    return None
