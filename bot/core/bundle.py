"""A library's files as a bundle (relative path -> text): read from and written to a directory
within caps, checked as files, named and digested."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from bot.core.examples import EXAMPLES_DIR, MAX_EXAMPLES_BYTES, is_examples_file
from bot.core.languages import BACK_TRANSLATIONS_DIR, LANGUAGE_FILE, OTHER_LANGUAGE_FILE
from bot.core.problems import LibraryError, Problem
from bot.core.recordings import (
    MAX_RECORDING_BYTES,
    MAX_RECORDING_TEXT,
    RECORDING_TYPES,
    decode,
    encode,
    is_recording_path,
)
from bot.core.topics import VOICE_REPLY

KEYWORDS_FILE = "keywords.yaml"
RESPONSES_DIR = "responses"

#: A library's source: relative file path -> file text, exactly what an operator edits. A
#: recording (responses/<lang>/voice.mp3|wav, bot.core.recordings) is the one binary file: its
#: bytes are held as base64 text, so that a bundle stays text and a revision stays JSON.
Bundle = Mapping[str, str]

#: Each file's cap in bytes of UTF-8, checked before any work: a reply is a few SMS segments,
#: so 64 KB is room to spare; keywords.yaml of 10,000 keywords is about 300 KB.
MAX_REPLY_BYTES = 64 * 1024
#: The number registry. A bundle may carry it (the console's draft, a revision published from
#: it); load_library leaves it to the checks, which read the numbers from it.
REGISTRY_FILE = "numbers.yaml"
#: A registry of a few hundred entries is tens of KB.
MAX_REGISTRY_BYTES = 1024 * 1024
MAX_KEYWORDS_BYTES = 2 * 1024 * 1024


def max_bytes(name: str) -> int:
    """The most bytes a library file may hold."""
    if name == REGISTRY_FILE:
        return MAX_REGISTRY_BYTES
    if is_recording_path(name):
        return MAX_RECORDING_TEXT
    if name == KEYWORDS_FILE:
        return MAX_KEYWORDS_BYTES
    return MAX_EXAMPLES_BYTES if is_examples_file(name) else MAX_REPLY_BYTES


def too_big(name: str, size: int, limit: int | None = None) -> Problem | None:
    """The problem with a file of `size` bytes, or None when it is within its cap."""
    limit = max_bytes(name) if limit is None else limit
    if size <= limit:
        return None
    what = "keywords.yaml" if name == KEYWORDS_FILE else "a file of the library"
    if is_recording_path(name) and limit == MAX_RECORDING_TEXT:  # its base64, in a bundle
        what, size, limit = "a recording", size * 3 // 4, MAX_RECORDING_BYTES
    return Problem(
        name,
        0,
        f"the file is {size:,} bytes; {what} may be at most {limit:,} bytes "
        f"({limit // 1024:,} KB): shorten it",
    )


def not_utf8(name: str, data: bytes, exc: UnicodeDecodeError) -> Problem:
    """The problem with a file whose bytes are not UTF-8, at the line of the first bad byte."""
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return Problem(
        name,
        line,
        f"byte 0x{data[exc.start]:02x} (column {column}) is not UTF-8 text: "
        "save the file as UTF-8 (in most editors: Save As, Encoding UTF-8)",
    )


def read_file(path: Path, name: str, limit: int) -> tuple[str | None, Problem | None]:
    """A library file's text (a recording's bytes as base64), or the problem that stops it
    being read.

    Only a plain file is read, never through a symbolic link (O_NOFOLLOW, so it cannot be swapped
    for one between a check and the read), and never more than `limit` bytes of it.
    """
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as exc:
        if path.is_symlink():
            return None, Problem(name, 0, _SYMLINK)
        raise exc from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(name, 0, "is not a plain file: the library reads only plain files")
        problem = too_big(name, info.st_size, limit)
        if problem is not None:
            return None, problem
        data = file.read(limit + 1)
    problem = too_big(name, len(data), limit)  # it grew since the fstat
    if problem is not None:
        return None, problem
    if is_recording_path(name):
        return encode(data), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, not_utf8(name, data, exc)


_SYMLINK = (
    "is a symbolic link: the library reads only plain files inside its folder, "
    "so put the file itself here"
)


def read_bundle(directory: str | Path) -> dict[str, str]:
    """Read keywords.yaml, responses/<lang>/*.txt, language.yaml and voice.mp3|wav,
    responses/other-language.txt and back-translations/<lang>/*.txt under a directory into a
    bundle.

    Raises LibraryError listing every file that is a symbolic link, lies outside the directory,
    is not a plain file, is over its size cap (refused by its size, never read) or is not UTF-8.
    """
    root = Path(directory).resolve()
    names: list[str] = []
    if os.path.lexists(root / KEYWORDS_FILE):
        names.append(KEYWORDS_FILE)
    responses = root / RESPONSES_DIR
    if responses.is_dir():
        names += [path.relative_to(root).as_posix() for path in sorted(responses.glob("*/*.txt"))]
        names += [
            path.relative_to(root).as_posix()
            for path in sorted(responses.glob(f"*/{LANGUAGE_FILE}"))
        ]
        for extension in RECORDING_TYPES:
            names += [
                path.relative_to(root).as_posix()
                for path in sorted(responses.glob(f"*/voice.{extension}"))
            ]
        if os.path.lexists(root / OTHER_LANGUAGE_FILE):
            names.append(OTHER_LANGUAGE_FILE)
    back = root / BACK_TRANSLATIONS_DIR
    if back.is_dir():
        names += [path.relative_to(root).as_posix() for path in sorted(back.glob("*/*.txt"))]
    examples = root / EXAMPLES_DIR
    if examples.is_dir():
        for pattern in ("*/*.txt", "*/*/*.txt"):
            names += [p.relative_to(root).as_posix() for p in sorted(examples.glob(pattern))]
    bundle: dict[str, str] = {}
    problems: list[Problem] = []
    for name in names:
        path = root / name
        if path.is_symlink():
            problems.append(Problem(name, 0, _SYMLINK))
            continue
        if not path.resolve().is_relative_to(root):  # a folder on the way is a link out
            problems.append(
                Problem(name, 0, f"is outside the library folder {root}: keep the files inside it")
            )
            continue
        limit = MAX_RECORDING_BYTES if is_recording_path(name) else max_bytes(name)
        text, problem = read_file(path, name, limit)
        if problem is not None:
            problems.append(problem)
        elif text is not None:
            bundle[name] = text
    if problems:
        raise LibraryError(problems)
    return bundle


def bundle_problems(bundle: Bundle) -> list[Problem]:
    """Problems with a bundle's files as such: over their size cap, or not valid Unicode text.

    load_library runs this first, so a bundle that did not come from read_bundle (an edit sent
    from a browser, a published revision) is held to the same caps before any work.
    """
    problems = []
    for name, text in bundle.items():
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:  # a lone surrogate, which no UTF-8 file can hold
            line = text.count("\n", 0, exc.start) + 1
            problems.append(Problem(name, line, "holds a character that is not valid Unicode"))
            continue
        problem = too_big(name, size)
        if problem is not None:
            problems.append(problem)
    return problems


def write_bundle(bundle: Bundle, directory: str | Path) -> list[Path]:
    """Write a bundle's files under a directory, so a published library can be edited again."""
    root = Path(directory).resolve()
    written = []
    for name, text in sorted(bundle.items()):
        path = root / name
        relative = PurePosixPath(name)
        if (
            relative.is_absolute()
            or ".." in relative.parts
            or not path.parent.resolve().is_relative_to(root)
        ):
            raise LibraryError([Problem(name, 0, f"would be written outside {root}")])
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():  # replace the link itself, never write through it
            path.unlink()
        data = decode(text) if is_recording_path(name) else None
        if data is not None:
            path.write_bytes(data)
        else:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def bundle_digest(bundle: Bundle) -> str:
    """A stable sha256 of a bundle's files, names included: of the bundle as compact JSON with
    sorted names, fed to the hash file by file (the whole JSON at once cost a worker 4 MB at
    every load and publish)."""
    digest = hashlib.sha256(b"{")
    as_json = _COMPACT_JSON.encode
    for number, (name, text) in enumerate(sorted(bundle.items())):
        entry = f"{as_json(name)}:{as_json(text)}"
        digest.update((f",{entry}" if number else entry).encode("utf-8"))
    digest.update(b"}")
    return digest.hexdigest()


#: json.dumps(..., ensure_ascii=False, separators=(",", ":")), as bundle_digest always used it.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def reply_path(topic_id: str, lang: str) -> str:
    """The bundle path of a topic's reply in a language."""
    return f"{RESPONSES_DIR}/{lang}/{topic_id}.txt"


def voice_path(lang: str) -> str:
    """The bundle path of the spoken message of calls in a language."""
    return reply_path(VOICE_REPLY, lang)
