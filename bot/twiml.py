"""TwiML for text replies, where both the live snapshot (bot.live, which renders every reply once)
and the SMS channel (bot.channels) reach it without climbing above themselves."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

from bot.core.replies import FALLBACK_REPLY


def twiml_message(text: str | None) -> bytes:
    """The TwiML reply for a text; None (a silent topic) gives the empty <Response/>."""
    if text is None:
        return EMPTY_TWIML
    response = MessagingResponse()
    response.message(text)
    return str(response).encode("utf-8")


#: The TwiML that sends nothing: the answer to an opt-out, an auto-reply, and a sender the limiter
#: silenced.
EMPTY_TWIML = str(MessagingResponse()).encode("utf-8")
#: Served whenever anything fails while answering a text.
FALLBACK_TWIML = twiml_message(FALLBACK_REPLY)
