"""Opt-out words: a whole text that is one of them unsubscribes its sender (Twilio and the carriers)."""

from __future__ import annotations

import re
import unicodedata

from bot.core.languages import CARRIER_OPT_OUT_WORDS

#: Twilio's opt-out words. Only a whole message that is one of them opts out.
OPT_OUT_WORDS = CARRIER_OPT_OUT_WORDS

_OPT_OUT_TRIM = re.compile(r"^[\W_]+|[\W_]+$")
_ASCII_NOT_ALPHANUMERIC = "".join(c for c in map(chr, range(128)) if not c.isalnum())
#: Longer than any opt-out word with generous spaces and punctuation around it: not an opt-out.
_OPT_OUT_MAX_CHARS = 64


def is_opt_out(text: str, extra: frozenset[str] = frozenset()) -> bool:
    """True when the whole message is one Twilio opt-out word, or one of the library's own
    (`extra`, folded), give or take spaces and punctuation."""
    if len(text) > _OPT_OUT_MAX_CHARS:
        return False
    if text.isascii():  # most texts: the same trim, without Unicode normalisation or a pattern
        word = text.strip(_ASCII_NOT_ALPHANUMERIC).lower()
    else:
        word = _OPT_OUT_TRIM.sub("", unicodedata.normalize("NFKC", text)).casefold()
    if word in OPT_OUT_WORDS:
        return True
    return bool(extra) and " ".join(word.split()) in extra
