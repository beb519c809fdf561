"""The SMS channel (POST /sms, for SMS and WhatsApp): the reply decision, answered with the TwiML
the live snapshot rendered (bot.twiml)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.channels.endpoint import XML, Answer, Channel, Form
from bot.core.autoreply import is_auto_reply
from bot.core.matcher import match
from bot.core.topics import (
    AUTO_REPLY_COUNT,
    EMERGENCY_TOPIC,
    MENU_TOPIC,
    NO_LANG,
    OTHER_LANGUAGE_TOPIC,
    SILENCED_COUNT,
    STOP_TOPIC,
)
from bot.twiml import EMPTY_TWIML, FALLBACK_TWIML

if TYPE_CHECKING:
    from bot.live import DailyCounts, Snapshot
    from bot.runtime import BotRuntime, ReplyLimiter, SenderLanguages

log = logging.getLogger(__name__)

SMS_PATH = "/sms"
#: Twilio never sends a longer Body; only this much of one is matched.
MAX_BODY_CHARS = 1600
OK = "200 OK"


def reply_to(
    text: str,
    sender: str,
    snapshot: Snapshot,
    limiter: ReplyLimiter,
    counts: DailyCounts | None,
    on_limited: Callable[[str], None] | None = None,
    memory: SenderLanguages | None = None,
) -> bytes:
    """The TwiML answer to one text: silence for an auto-reply and for a sender over the limit,
    else the reply of the topic matched against the snapshot; counted when counts are given (the
    silences without topic or language); on_limited(topic) is told of a sender over the limit.
    With a `memory`, a text that gives no sign of its language (a menu number, "ok") is answered
    in the language of the last reply to the sender."""
    text = text[:MAX_BODY_CHARS]
    if is_auto_reply(text):
        # A phone's or an office's auto-reply: answering it starts a loop, and its "if this is an
        # emergency, call 911" must not use up a person's emergency replies.
        if counts is not None:
            counts.add(datetime.now(UTC).date(), AUTO_REPLY_COUNT, NO_LANG)
        return EMPTY_TWIML
    guessed = True
    if text.strip():
        found = match(text, snapshot.matcher)
        topic, lang, guessed = found.topic, found.lang, found.guessed_lang
    else:
        # No text (a picture only, or an empty message): show the menu.
        topic, lang = MENU_TOPIC, snapshot.library.default_language
    if memory is not None and guessed and topic != STOP_TOPIC:
        kept = memory.recall(sender)
        if kept in snapshot.library.languages:
            lang = kept
    if topic == STOP_TOPIC:
        body = EMPTY_TWIML
    else:
        # A sender over the limit gets silence, counted without topic or language.
        if not limiter.allow(sender, topic):
            if on_limited is not None:
                on_limited(topic)
            if counts is not None:
                counts.add(datetime.now(UTC).date(), SILENCED_COUNT, NO_LANG)
            return EMPTY_TWIML
        body = snapshot.reply(topic, lang)
        if memory is not None and not guessed and topic != OTHER_LANGUAGE_TOPIC:
            memory.remember(sender, lang, snapshot.library.default_language)
    if counts is not None:
        counts.add(datetime.now(UTC).date(), topic, lang)
    return body


def _say_limited(topic: str) -> None:
    """Say (DEV_INSECURE only) that a sender went over the limit, so a silent answer is explained."""
    which = "EMERGENCY_RATE_LIMIT" if topic == EMERGENCY_TOPIC else "RATE_LIMIT"
    log.warning(
        "a sender is over %s: answered with silence (an empty <Response/>) until the window "
        "passes; a test without a From shares one sender (said in DEV_INSECURE mode only)",
        which,
    )


class SmsHandler:
    """The /sms handler behind the Twilio endpoint: reads the live snapshot and limiter per text."""

    def __init__(self, rt: BotRuntime) -> None:
        self.rt = rt
        # Only a developer's machine says it: in production a silenced sender is a count, and a
        # line per text would be a log of who texts when. No number or text is ever in the line.
        self.on_limited = _say_limited if rt.settings.dev_insecure else None

    def __call__(self, form: Form) -> Answer:
        """The answer to one checked POST /sms."""
        rt = self.rt
        live = rt.live
        counts = live.counts if rt.settings.daily_counts else None
        if not rt.limiter.first_delivery(form.first("MessageSid")):
            return OK, EMPTY_TWIML, XML  # a replay of a request already answered
        body = reply_to(
            form.first("Body"),
            form.first("From"),
            live.snapshot,
            rt.limiter,
            counts,
            self.on_limited,
            rt.menu_language,
        )
        return OK, body, XML


def sms_channel(rt: BotRuntime) -> Channel:
    """The SMS channel for the endpoint's path table."""
    return Channel(handle=SmsHandler(rt), fallback=(OK, FALLBACK_TWIML, XML))
