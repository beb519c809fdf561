"""The spoken message of calls as text-to-speech reads it: numbers digit by digit, and its length.

How long a text takes to say is estimated, not measured: Twilio speaks it with Amazon Polly, and
Polly's own guide says there is no standard words-per-minute figure for its voices (it differs
per voice and per text; "Voice speed", Amazon Polly Developer Guide). The estimate counts the
words a voice says, each digit of a number as one word (numbers are handed to the voice digit by
digit, see `speakable`), at WORDS_PER_MINUTE. 130 is deliberately slower than the usual figures
for speech (about 150 wpm for US English conversation, National Center for Voice and Speech;
150-160 wpm for audiobooks), so a message that passes is shorter than the limit when spoken.
Spanish is given the same rate: it is spoken with more syllables per second (7.82 against 6.19,
Pellegrino, Coupe and Marsico, Language 87(3), 2011) but its words are longer, so words per
minute come out close; the slow rate covers the difference.
"""

from __future__ import annotations

import re

from bot.core.numbers import find_numbers

#: Words a text-to-speech voice is assumed to say per minute (see the module docstring).
WORDS_PER_MINUTE = 130
#: The spoken message of calls must take at most this long to say, by the estimate.
VOICE_SECONDS_LIMIT = 40

#: A spoken word: letters, with apostrophes inside ("don't"); digits are counted one by one.
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_DIGIT = re.compile(r"\d")


def spoken_words(text: str) -> int:
    """How many words a voice says for a text, each digit counted as a word."""
    return len(_WORD.findall(text)) + len(_DIGIT.findall(text))


def spoken_seconds(text: str) -> float:
    """About how many seconds a text takes to say, at WORDS_PER_MINUTE."""
    return spoken_words(text) * 60.0 / WORDS_PER_MINUTE


def _digit_groups(written: str) -> list[str]:
    """The digit groups of a written number: "1-888-373-7888" -> ["1", "888", "373", "7888"]."""
    return re.findall(r"\d+", written)


def speakable(text: str) -> str:
    """The text with every phone number written digit by digit, in its groups.

    A voice reads "911" as "nine hundred eleven" and "888" as "eight hundred eighty-eight";
    "9 1 1" and "8 8 8" are read one digit at a time, as a number is said on the phone.
    """
    out, last = [], 0
    for found in find_numbers(text):
        if any(ch.isalpha() for ch in found.text):
            continue  # a vanity number ("800-799-SAFE"): leave it as written
        groups = _digit_groups(found.text)
        out.append(text[last : found.start])
        out.append(", ".join(" ".join(group) for group in groups))
        last = found.end
    out.append(text[last:])
    return "".join(out)


def spelled_slowly(number: str) -> str:
    """A number to be said slowly: every digit followed by a pause, groups by a longer one."""
    return ". ".join(", ".join(group) for group in _digit_groups(number)) + "."
