"""Whether a word is a common English or Spanish word, from the list shipped beside this module."""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from functools import cache
from itertools import pairwise
from pathlib import Path

#: Written by tools/common_words.py; one folded word a line, '#' lines are comments.
WORDS_FILE = Path(__file__).with_name("common-words.txt")


def load_common_words() -> None:
    """Read the list now (once per process), so no message waits for it."""
    _word_hashes()


@cache
def _word_hashes() -> array[int]:
    """The sorted CRC-32 of every listed word.

    About 59,000 words held as a frozenset would cost a worker some 5 MB; their 32-bit hashes in
    one array cost 240 kB, and a word that merely shares a hash with a common one (about one in
    70,000) only loses typo matching. The file lists the words in hash order, so they stream into
    the array without a list of them all, which raised a worker's peak by 1.5 MB.
    """
    hashes = array("I")
    with WORDS_FILE.open("rb") as lines:
        hashes.extend(zlib.crc32(line.rstrip()) for line in lines if not line.startswith(b"#"))
    if any(a > b for a, b in pairwise(hashes)):
        hashes = array("I", sorted(hashes))  # a file edited out of order still works
    return hashes


def is_common_word(word: str) -> bool:
    """True when a folded word (lower-case ASCII) is on the list of common words."""
    hashes = _word_hashes()
    key = zlib.crc32(word.encode("ascii", "ignore"))
    at = bisect_left(hashes, key)
    return at < len(hashes) and hashes[at] == key
