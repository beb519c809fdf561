"""Recordings of the calls' spoken message (responses/<lang>/voice.mp3 or voice.wav): played with
<Play> for a language Twilio has no voice for, or whose operator prefers a person's voice.

A recording is the one binary file of a library. The bundle maps a path to text, and a revision's
content is a JSON column, so a recording travels in the bundle as its bytes in base64 (RFC 4648):
published, digested, rolled back and read by every worker like any other file, with no schema
change. It is checked from its bytes, never its name: the header of a real MP3 or WAV, a size
cap, and a length of at most MAX_RECORDING_SECONDS measured from the file itself.
"""

from __future__ import annotations

import base64
import binascii
import io
import wave
from dataclasses import dataclass

from bot.core.problems import Problem

#: The recordings a language folder may hold, by extension, with the content type they are
#: served with; the first found is the language's recording.
RECORDING_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav"}
#: The longest recording: a spoken message longer than this loses a caller in trouble.
MAX_RECORDING_SECONDS = 40.0
#: Bytes a recording may hold: 40 s of 22 kHz 16-bit mono WAV (what espeak-ng writes) is 1.8 MB;
#: an MP3 of 40 s at 128 kbit/s is 0.64 MB.
MAX_RECORDING_BYTES = 2 * 1024 * 1024
#: The same cap on its base64 text in a bundle.
MAX_RECORDING_TEXT = (MAX_RECORDING_BYTES + 2) // 3 * 4


@dataclass(frozen=True)
class Recording:
    """A checked recording: its bundle path, its bytes, content type and length in seconds."""

    name: str
    data: bytes
    content_type: str
    seconds: float

    @property
    def extension(self) -> str:
        """mp3 or wav."""
        return self.name.rsplit(".", 1)[1]


def recording_path(lang: str, extension: str) -> str:
    """The bundle path of a language's recording of the spoken message."""
    return f"responses/{lang}/voice.{extension}"


def is_recording_path(name: str) -> bool:
    """Whether a bundle path is a recording (responses/<lang>/voice.mp3|wav)."""
    parts = name.split("/")
    return (
        len(parts) == 3
        and parts[0] == "responses"
        and parts[2] in {f"voice.{ext}" for ext in RECORDING_TYPES}
    )


def encode(data: bytes) -> str:
    """A recording's bytes as the text a bundle holds."""
    return base64.b64encode(data).decode("ascii")


def decode(text: str) -> bytes | None:
    """A recording's bytes from its bundle text, or None when the text is not base64."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def _wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as audio:  # stdlib: reads the RIFF header
        rate = audio.getframerate()
        if rate <= 0:
            raise wave.Error("no frame rate")
        return audio.getnframes() / rate


def _mp3_seconds(data: bytes) -> float:
    # mutagen reads the frame headers (and a Xing/VBRI header when the file has one). Imported
    # here: it adds 4 MB to a worker, and only a library with an MP3 needs it.
    from mutagen import MutagenError
    from mutagen.mp3 import MP3

    try:
        return float(MP3(io.BytesIO(data)).info.length)
    except MutagenError as exc:
        raise ValueError(str(exc)) from None


def _kind(data: bytes) -> str | None:
    """mp3 or wav by the file's first bytes, or None when it is neither."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def check_recording(name: str, data: bytes) -> tuple[Recording | None, Problem | None]:
    """A recording from its bytes, or the problem that refuses it (naming its file)."""
    if len(data) > MAX_RECORDING_BYTES:
        return None, Problem(
            name,
            0,
            f"the recording is {len(data):,} bytes; a recording may be at most "
            f"{MAX_RECORDING_BYTES:,} bytes ({MAX_RECORDING_BYTES // 1024:,} KB): "
            "shorten it or save it as MP3",
        )
    extension = name.rsplit(".", 1)[-1]
    kind = _kind(data)
    if kind is None:
        return None, Problem(
            name, 0, "is not an MP3 or WAV recording (by its contents): save it as MP3 or WAV"
        )
    if kind != extension:
        return None, Problem(name, 0, f"holds a {kind.upper()} recording: name it voice.{kind}")
    try:
        seconds = _wav_seconds(data) if kind == "wav" else _mp3_seconds(data)
    except (wave.Error, EOFError, ValueError) as exc:
        return None, Problem(
            name,
            0,
            f"is not {'an MP3' if kind == 'mp3' else 'a WAV'} recording that can be played "
            f"({exc}): save it again",
        )
    if seconds <= 0:
        return None, Problem(name, 0, "the recording is empty")
    if seconds > MAX_RECORDING_SECONDS:
        return None, Problem(
            name,
            0,
            f"the recording lasts {seconds:.1f} s; a recording may last at most "
            f"{MAX_RECORDING_SECONDS:.0f} s: shorten it",
        )
    return Recording(name, data, RECORDING_TYPES[kind], seconds), None


def load_recordings(
    bundle_texts: dict[str, str], languages: tuple[str, ...]
) -> tuple[dict[str, Recording], list[Problem]]:
    """Each language's recording from a bundle (lang -> Recording), and the problems of every
    recording refused: not base64, too big, not audio, too long, or of a language not listed."""
    found: dict[str, Recording] = {}
    problems: list[Problem] = []
    for name in sorted(n for n in bundle_texts if is_recording_path(n)):
        lang = name.split("/")[1]
        if lang not in languages:
            problems.append(
                Problem(name, 0, f"is a recording of {lang!r}, which keywords.yaml does not list")
            )
            continue
        data = decode(bundle_texts[name])
        if data is None:
            problems.append(Problem(name, 0, "is not a recording the library can read"))
            continue
        recording, problem = check_recording(name, data)
        if problem is not None:
            problems.append(problem)
        elif recording is not None and lang in found:
            problems.append(
                Problem(name, 0, f"{lang} has two recordings: keep {found[lang].name} or this one")
            )
        elif recording is not None:
            found[lang] = recording
    return found, problems
