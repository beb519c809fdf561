"""Fixed replies that do not come from the library: what the bot sends when it cannot match."""

from __future__ import annotations

#: Sent when anything fails while answering; only verified numbers, GSM-7, one SMS segment.
FALLBACK_REPLY = (
    "Sorry, something went wrong. National Human Trafficking Hotline: call 1-888-373-7888 "
    "or text 233733. In danger now? Call 911."
)
