"""The SMS channel (POST /sms, for SMS and WhatsApp): the reply decision, answered with the TwiML
the live snapshot rendered (bot.twiml)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.channels.endpoint import XML, Answer, Channel, Form
from bot.core.autoreply import is_auto_reply
from bot.core.matcher import match
from bot.core.topics import AUTO_REPLY_COUNT, MENU_TOPIC, NO_LANG, SILENCED_COUNT, STOP_TOPIC
from bot.twiml import EMPTY_TWIML, FALLBACK_TWIML

if TYPE_CHECKING:
    from bot.live import DailyCounts, Snapshot
    from bot.runtime import BotRuntime, ReplyLimiter

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
) -> bytes:
    """The TwiML answer to one text: silence for an auto-reply and for a sender over the limit,
    else the reply of the topic matched against the snapshot; counted when counts are given (the
    silences without topic or language)."""
    text = text[:MAX_BODY_CHARS]
    if is_auto_reply(text):
        # A phone's or an office's auto-reply: answering it starts a loop, and its "if this is an
        # emergency, call 911" must not use up a person's emergency replies.
        if counts is not None:
            counts.add(datetime.now(UTC).date(), AUTO_REPLY_COUNT, NO_LANG)
        return EMPTY_TWIML
    if text.strip():
        found = match(text, snapshot.matcher)
        topic, lang = found.topic, found.lang
    else:
        # No text (a picture only, or an empty message): show the menu.
        topic, lang = MENU_TOPIC, snapshot.library.default_language
    if topic == STOP_TOPIC:
        body = EMPTY_TWIML
    else:
        # A sender over the limit gets silence, counted without topic or language.
        if not limiter.allow(sender, topic):
            if counts is not None:
                counts.add(datetime.now(UTC).date(), SILENCED_COUNT, NO_LANG)
            return EMPTY_TWIML
        body = snapshot.reply(topic, lang)
    if counts is not None:
        counts.add(datetime.now(UTC).date(), topic, lang)
    return body


class SmsHandler:
    """The /sms handler behind the Twilio endpoint: reads the live snapshot and limiter per text."""

    def __init__(self, rt: BotRuntime) -> None:
        self.rt = rt

    def __call__(self, form: Form) -> Answer:
        """The answer to one checked POST /sms."""
        rt = self.rt
        live = rt.live
        counts = live.counts if rt.settings.daily_counts else None
        body = reply_to(form.first("Body"), form.first("From"), live.snapshot, rt.limiter, counts)
        return OK, body, XML


def sms_channel(rt: BotRuntime) -> Channel:
    """The SMS channel for the endpoint's path table."""
    return Channel(handle=SmsHandler(rt), fallback=(OK, FALLBACK_TWIML, XML))
