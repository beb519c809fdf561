"""Write bot/core/common-words.txt: the most frequent English and Spanish words, folded as messages are.

The matcher never reads a correctly spelled common word as a typo of a keyword ("message" is not
"massage"); this list is how it knows a word is one. The frequencies come from pyspellchecker
(MIT; its lists are word counts of OpenSubtitles), a development dependency only: the bot reads
the text file this writes. Run it again to change the size of the list:

    PYTHONPATH=. .venv/bin/python tools/common_words.py      # 30,000 words a language
"""

from __future__ import annotations

import argparse
import gzip
import json
import zlib
from importlib.resources import files
from pathlib import Path

from bot.core.text import tokenize

OUT = Path(__file__).resolve().parent.parent / "bot" / "core" / "common-words.txt"
#: Shorter words are never typo-matched (the matcher needs 5 letters, give or take one).
MIN_LENGTH = 4


def most_frequent(lang: str, count: int) -> list[str]:
    """The `count` most frequent words of a language, folded to the matcher's lower-case ASCII."""
    path = files("spellchecker") / "resources" / f"{lang}.json.gz"
    frequencies: dict[str, int] = json.loads(gzip.decompress(path.read_bytes()))
    words: list[str] = []
    seen: set[str] = set()
    for word in sorted(frequencies, key=lambda w: (-frequencies[w], w)):
        folded = tokenize(word)
        if len(folded) != 1 or not folded[0].isalpha() or len(folded[0]) < MIN_LENGTH:
            continue  # contractions, numbers, short words
        if folded[0] not in seen:
            seen.add(folded[0])
            words.append(folded[0])
            if len(words) == count:
                break
    return words


def main() -> None:
    """Write the list, one word a line, in the order of their CRC-32 (see bot/core/common_words.py)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30_000, help="words per language")
    args = parser.parse_args()
    words = sorted(
        {w for lang in ("en", "es") for w in most_frequent(lang, args.count)},
        key=lambda w: (zlib.crc32(w.encode("ascii")), w),
    )
    header = (
        f"# The {args.count:,} most frequent English and Spanish words of {MIN_LENGTH}+ letters each,"
        " folded to lower-case ASCII.\n"
        "# Written by tools/common_words.py from pyspellchecker 0.9.1's frequency lists (MIT;"
        " counted on OpenSubtitles). Do not edit by hand.\n"
        "# In the order of their CRC-32, so the bot reads them straight into a sorted array.\n"
    )
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(words)} words")


if __name__ == "__main__":
    main()
