"""Where a library's files live and how big each may be: names shared by loading and encoding."""

from __future__ import annotations

KEYWORDS_FILE = "keywords.yaml"
RESPONSES_DIR = "responses"

#: Each file's cap in bytes of UTF-8, checked before any work: a reply is a few SMS segments,
#: so 64 KB is room to spare; keywords.yaml of 10,000 keywords is about 300 KB.
MAX_REPLY_BYTES = 64 * 1024
MAX_KEYWORDS_BYTES = 2 * 1024 * 1024


def max_bytes(name: str) -> int:
    """The most bytes a library file may hold."""
    return MAX_KEYWORDS_BYTES if name == KEYWORDS_FILE else MAX_REPLY_BYTES
