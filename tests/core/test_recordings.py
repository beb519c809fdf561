"""Recordings of the calls' spoken message: checked from their bytes (format, size, length),
carried in the bundle and refused, with their file, before anything is published."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from bot.core.bundle import read_bundle, write_bundle
from bot.core.library import load_library_partly
from bot.core.problems import LibraryError
from bot.core.recordings import (
    MAX_RECORDING_BYTES,
    MAX_RECORDING_SECONDS,
    check_recording,
    decode,
    encode,
)
from tests import language_library

NEEDS_ESPEAK = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng makes the test recording (.ci/run)"
)


def spoken_wav(directory: Path, text: str = "Khatar? Wac 911.") -> bytes:
    """A WAV recording made by espeak-ng, as a person's recording would be put in the library."""
    out = directory / "spoken.wav"
    subprocess.run(["espeak-ng", "-w", str(out), text], check=True, capture_output=True)
    return out.read_bytes()


def silent_wav(seconds: float, rate: int = 8000) -> bytes:
    """A WAV of silence of a given length (16-bit mono), written with the stdlib."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"\0\0" * int(seconds * rate))
    return buffer.getvalue()


@NEEDS_ESPEAK
def test_a_spoken_wav_is_accepted_with_its_length_measured_from_the_file(tmp_path):
    data = spoken_wav(tmp_path)
    recording, problem = check_recording("responses/so/voice.wav", data)
    assert problem is None and recording is not None
    assert recording.content_type == "audio/wav"
    with wave.open(str(tmp_path / "spoken.wav")) as audio:
        assert recording.seconds == pytest.approx(audio.getnframes() / audio.getframerate())
    assert 0.5 < recording.seconds < 10


@NEEDS_ESPEAK
def test_an_mp3_is_measured_by_mutagen(tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg encodes the test MP3")
    spoken_wav(tmp_path)
    mp3 = tmp_path / "voice.mp3"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(tmp_path / "spoken.wav"), str(mp3)],
        check=True,
    )
    recording, problem = check_recording("responses/so/voice.mp3", mp3.read_bytes())
    assert problem is None and recording is not None
    assert recording.content_type == "audio/mpeg"
    assert 0.5 < recording.seconds < 10


def test_a_recording_longer_than_40_seconds_is_refused_naming_its_file():
    recording, problem = check_recording("responses/mix/voice.wav", silent_wav(41))
    assert recording is None and problem is not None
    assert problem.file == "responses/mix/voice.wav"
    assert "41.0 s" in problem.message and f"{MAX_RECORDING_SECONDS:.0f} s" in problem.message
    ok, fine = check_recording("responses/mix/voice.wav", silent_wav(39))
    assert fine is None and ok is not None


def test_a_recording_over_the_size_cap_is_refused_by_its_size():
    data = silent_wav(1)
    data += b"\0" * (MAX_RECORDING_BYTES + 1 - len(data))
    _, problem = check_recording("responses/mix/voice.wav", data)
    assert problem is not None and "bytes" in problem.message and "at most" in problem.message


@pytest.mark.parametrize(
    "data",
    [
        b"Khatar? Wac 911.\n",
        b"%PDF-1.7\n" + b"\0" * 100,
        b"RIFF\0\0\0\0WAVEjunk",
        b"\xff\xfb" + b"\0" * 5000,  # an MPEG frame sync and nothing playable
        b"ID3\x04\0\0\0\0\0\0",
        b"",
    ],
    ids=["text", "pdf", "broken-wav", "broken-mp3", "bare-id3", "empty"],
)
def test_a_file_named_voice_mp3_or_wav_that_is_not_audio_is_refused(data):
    for name in ("responses/trs/voice.mp3", "responses/trs/voice.wav"):
        recording, problem = check_recording(name, data)
        assert recording is None and problem is not None and problem.file == name


def test_a_wav_named_mp3_is_refused_by_its_contents():
    _, problem = check_recording("responses/mam/voice.mp3", silent_wav(2))
    assert problem is not None and "name it voice.wav" in problem.message


def test_a_recording_is_read_into_the_bundle_and_written_back_byte_for_byte(tmp_path):
    data = silent_wav(2)
    source = tmp_path / "library"
    write_bundle(language_library.bundle(["en", "so"]), source)
    (source / "responses/so/voice.wav").write_bytes(data)
    bundle = read_bundle(source)
    assert decode(bundle["responses/so/voice.wav"]) == data
    copy = tmp_path / "copy"
    write_bundle(bundle, copy)
    assert (copy / "responses/so/voice.wav").read_bytes() == data


def test_a_recording_over_the_cap_is_refused_before_it_is_read(tmp_path):
    source = tmp_path / "library"
    write_bundle(language_library.bundle(["en", "so"]), source)
    (source / "responses/so/voice.mp3").write_bytes(b"\xff\xfb" * (MAX_RECORDING_BYTES // 2 + 1))
    with pytest.raises(LibraryError) as caught:
        read_bundle(source)
    assert [p.file for p in caught.value.problems] == ["responses/so/voice.mp3"]


def test_a_library_with_a_bad_recording_does_not_load_and_names_the_file():
    bundle = language_library.bundle(["en", "so"])
    bundle["responses/so/voice.wav"] = encode(silent_wav(45))
    bundle["responses/en/voice.mp3"] = encode(b"not audio at all")
    _, problems = load_library_partly(bundle)
    files = sorted(p.file for p in problems)
    assert files == ["responses/en/voice.mp3", "responses/so/voice.wav"]


def test_a_recording_of_a_language_the_library_does_not_list_is_refused():
    bundle = language_library.bundle(["en", "es"])
    bundle["responses/mix/voice.wav"] = encode(silent_wav(2))
    _, problems = load_library_partly(bundle)
    assert [p.file for p in problems] == ["responses/mix/voice.wav"]
    assert "does not list" in problems[0].message


def test_a_good_recording_loads_and_stands_in_for_the_spoken_text():
    bundle = language_library.bundle(["en", "so"])
    bundle["responses/en/voice.txt"] = "In danger now? Call 911.\n"
    bundle["responses/so/voice.wav"] = encode(silent_wav(3))
    library, problems = load_library_partly(bundle)
    assert problems == [] and library is not None
    assert library.recordings["so"].seconds == pytest.approx(3)
    assert library.voice_reply("so") is None  # no voice.txt needed beside a recording


def test_a_recording_in_a_bundle_over_the_cap_is_refused_in_its_own_terms():
    from bot.core.bundle import bundle_problems

    too_big = encode(b"\0" * (MAX_RECORDING_BYTES + 3))  # base64 holds 3 bytes in 4 letters
    [problem] = bundle_problems({"responses/so/voice.wav": too_big})
    assert problem.file == "responses/so/voice.wav"
    assert f"a recording may be at most {MAX_RECORDING_BYTES:,} bytes" in problem.message
