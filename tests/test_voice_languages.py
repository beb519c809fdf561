"""Calls in the library's languages, followed through the TwiML as Twilio runs it: the language
menu (keys 1-9 in the library's order), <Say> where a language has a voice, <Play> of the
library's recording where it has one, served by the bot from the live revision."""

from __future__ import annotations

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from bot import runtime
from bot.core.language_gaps import format_language_gaps, language_gaps
from bot.core.library import read_bundle
from bot.core.speech import speakable
from tests import app_library, as_twilio, language_library
from tests.core.test_recordings import silent_wav
from tests.test_voice import VOICE_EN, VOICE_ES, call_params, follow_silent_call, says

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng makes the test recording (.ci/run)"
)

VOICE_VI = "Nguy hiểm? Gọi 911. Bấm 1 để gọi đường dây nóng 1-888-373-7888."
VOICE_RU = "Опасность? Звоните 911. Нажмите 1 для горячей линии 1-888-373-7888."
#: Test data, not a shipped voice: a language.yaml that names its Twilio voice.
VI_CALL = {"say_language": "vi-VN", "choose": "Tiếng Việt, bấm phím {key}."}
SO_CALL = {"choose": "Soomaali, riix {key}."}


def _with_call(bundle: dict[str, str], lang: str, call: dict[str, str]) -> None:
    spec = yaml.safe_load(bundle[f"responses/{lang}/language.yaml"])
    spec["call"] = call
    bundle[f"responses/{lang}/language.yaml"] = yaml.safe_dump(spec, allow_unicode=True)


@pytest.fixture
def recording(tmp_path) -> bytes:
    """A generated recording (espeak-ng): no person's voice of a language nobody here speaks."""
    out = tmp_path / "so.wav"
    subprocess.run(
        ["espeak-ng", "-w", str(out), "Khatar? Wac 911."], check=True, capture_output=True
    )
    return out.read_bytes()


@pytest.fixture
def library_dir(tmp_path, recording) -> Path:
    """en, es (default voices), vi (its own voice), ru (no voice, no recording: left out), so
    (a recording only)."""
    bundle = language_library.bundle(["en", "es", "vi", "ru", "so"])
    bundle["responses/en/voice.txt"] = VOICE_EN + "\n"
    bundle["responses/es/voice.txt"] = VOICE_ES + "\n"
    bundle["responses/vi/voice.txt"] = VOICE_VI + "\n"
    bundle["responses/ru/voice.txt"] = VOICE_RU + "\n"
    _with_call(bundle, "vi", VI_CALL)
    _with_call(bundle, "so", SO_CALL)
    directory = app_library.write_library(tmp_path / "calls-library", bundle)
    (directory / "responses/so/voice.wav").write_bytes(recording)
    return directory


@pytest.fixture
def app(make_app, library_dir):
    app = make_app(library_dir=str(library_dir))
    runtime(app).live.start()
    return app


@pytest.fixture
def call(app):
    client = app.test_client()

    def post(path: str, **fields: str) -> ET.Element:
        response = as_twilio.post(client, call_params(**fields), url=as_twilio.URL + path)
        assert response.status_code == 200, response.data
        return ET.fromstring(response.data)

    return post


def _resolve(current: str, target: str) -> str:
    return urlsplit(urljoin("https://bot.example" + current, target)).path


def test_the_menu_offers_the_librarys_callable_languages_one_key_each_in_its_order(call):
    gather = call("/voice").find("Gather")
    assert says(gather) == [
        ("en-US", "For English, press 1."),
        ("es-MX", "Para español, oprima 2."),
        ("vi-VN", "Tiếng Việt, bấm phím 3."),
        # Somali has no Twilio voice here: its prompt, from its own file, in the first voice.
        ("en-US", "Soomaali, riix 4."),
    ]  # Russian has neither a voice nor a recording: it is left out, and keys stay in order


def test_a_language_with_a_voice_is_said_in_it(call):
    root = call("/voice/language/1", Digits="3")
    gather = root.find("Gather")
    assert says(gather) == [("vi-VN", speakable(VOICE_VI))]
    assert _resolve("/voice/language/1", gather.get("action")) == "/voice/message/3/1"


def test_a_language_with_a_recording_plays_it_from_the_bot(app, call, recording):
    root = call("/voice/language/1", Digits="4")
    gather = root.find("Gather")
    plays = gather.findall("Play")
    assert len(plays) == 1 and gather.find("Say") is None
    url = _resolve("/voice/language/1", plays[0].text)
    assert url == "/voice/recording/so.wav"
    response = app.test_client().get(url)  # Twilio fetches <Play> media with a plain GET
    assert response.status_code == 200
    assert response.data == recording
    assert response.mimetype == "audio/wav"
    assert response.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")
    again = app.test_client().get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_key_1_after_a_recording_connects_and_counts_the_language(app, call):
    call("/voice/language/1", Digits="4")
    root = call("/voice/message/4/1", Digits="1")
    assert root.find("Dial") is not None
    call("/voice/dialed/4", DialCallStatus="completed")
    rt = runtime(app)
    rt.live.flush_counts()
    counted = {(r.topic, r.lang) for r in rt.store.counts(date.min)}
    assert {("calls", "so"), ("connected", "so")} <= counted


@pytest.mark.parametrize(
    "path",
    [
        "/voice/recording/ru.wav",  # a language without a recording
        "/voice/recording/so.mp3",  # the wrong kind
        "/voice/recording/en.wav",
        "/voice/recording/../keywords.yaml",
        "/voice/recording/..%2Fkeywords.yaml",
        "/voice/recording/so.wav/../../numbers.yaml",
        "/voice/recording/%2e%2e%2fso.wav",
        "/voice/recording/responses%2Fso%2Fvoice.wav",
    ],
)
def test_only_the_live_librarys_recordings_are_served(app, path):
    response = app.test_client().get(path)
    assert response.status_code == 404, path
    assert b"RIFF" not in response.data


def test_a_silent_caller_still_hears_english_then_spanish_then_the_call_ends(call):
    said, asked = follow_silent_call(call)
    assert asked == ["/voice", "/voice/language/1", "/voice/language/2"]
    assert said[8:] == [("en-US", speakable(VOICE_EN)), ("es-MX", speakable(VOICE_ES))]


def test_make_check_names_the_language_calls_leave_out(library_dir):
    text = format_language_gaps(language_gaps(read_bundle(library_dir)))
    ru = text.split("  ru (")[1].split("\n  so (")[0]
    assert "not in the call menu: no call.say_language" in ru
    so = text.split("  so (")[1]
    assert "not in the call menu" not in so and "say_language" not in so


def test_a_tenth_callable_language_is_named_by_the_check():
    bundle = language_library.bundle()  # nine languages
    for lang in language_library.LANGUAGES:
        _with_call(bundle, lang, {"say_language": "en-US"})
    gaps = {g.lang: g for g in language_gaps(bundle)}
    assert all(not g.not_in_call_menu for g in gaps.values())
    bundle["keywords.yaml"] = bundle["keywords.yaml"].replace(
        "languages:\n- en", "languages:\n- en\n- mix"
    )
    bundle["responses/mix/language.yaml"] = yaml.safe_dump(
        {"name": "Mixteco", "call": {"say_language": "es-MX"}}
    )
    gaps = {g.lang: g for g in language_gaps(bundle)}
    assert "first 9 languages" in gaps["so"].not_in_call_menu


def test_a_recording_is_stored_with_the_revision_and_served_after_a_restart(
    make_app, library_dir, database_url, recording
):
    first = make_app(library_dir=str(library_dir), database_url=database_url)
    runtime(first).live.start()
    revision = runtime(first).store.get_revision(runtime(first).store.live_revision_id())
    assert "responses/so/voice.wav" in revision.bundle
    # A second instance reads the library from the database alone, recording included.
    (library_dir / "responses/so/voice.wav").unlink()
    second = make_app(library_dir=str(library_dir), database_url=database_url)
    runtime(second).live.start()
    response = second.test_client().get("/voice/recording/so.wav")
    assert response.status_code == 200 and response.data == recording


def test_export_writes_the_recordings_bytes(app, recording):
    from bot.library.publishing import export_zip

    store = runtime(app).store
    archive = zipfile.ZipFile(io.BytesIO(export_zip(store.get_revision(store.live_revision_id()))))
    assert archive.read("responses/so/voice.wav") == recording


@pytest.mark.parametrize(
    ("name", "data", "says_why"),
    [
        ("voice.wav", b"this is text, not audio\n", "is not an MP3 or WAV recording"),
        ("voice.mp3", b"RIFF\0\0\0\0WAVEjunk", "name it voice.wav"),
        ("voice.wav", silent_wav(41), "the recording lasts 41.0 s"),
    ],
)
def test_a_bad_recording_is_refused_by_publish_with_its_file_and_nothing_is_published(
    app, library_dir, tmp_path, name, data, says_why
):
    store = runtime(app).store
    live, history = store.live_revision_id(), len(store.history())
    (library_dir / "responses/so/voice.wav").unlink()
    (library_dir / f"responses/so/{name}").write_bytes(data)
    result = app.test_cli_runner().invoke(
        args=["library", "publish", str(library_dir), "-m", "new recording"]
    )
    assert result.exit_code == 1
    assert f"responses/so/{name}" in result.output and says_why in result.output
    assert "nothing was published" in result.output
    assert store.live_revision_id() == live and len(store.history()) == history


def test_the_consoles_diff_of_a_recording_says_its_sizes_not_its_base64(recording):
    from bot.console.publishing import _diff
    from bot.core.recordings import encode

    name = "responses/so/voice.wav"
    [changed] = _diff({name: encode(b"\0" * 10)}, {name: encode(recording)}, "a", "b")
    assert changed["lines"] == [f"recording: 10 bytes -> {len(recording):,} bytes"]


def test_a_prompt_a_language_lacks_is_said_in_the_first_languages_words_and_voice(call):
    # vi has a voice but no call.connecting: English words in an English voice, never English
    # words read by the Vietnamese voice.
    root = call("/voice/message/3/1", Digits="1")
    assert says(root) == [("en-US", "Connecting you now. Please stay on the line.")]
    assert root.find("Dial") is not None


def test_a_language_with_a_voice_but_nothing_to_say_is_not_offered(recording):
    from bot.core.call_menu import call_menu
    from bot.core.library import load_library
    from bot.core.recordings import encode

    # A library whose only spoken message is a recording: vi has a voice but no voice.txt.
    bundle = language_library.bundle(["en", "vi", "so"])
    _with_call(bundle, "vi", VI_CALL)
    bundle["responses/so/voice.wav"] = encode(recording)
    menu = call_menu(load_library(bundle))
    assert [(e.key, e.lang) for e in menu] == [("1", "en"), ("2", "so")]
