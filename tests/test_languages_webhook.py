"""Languages through the webhook: the menu's language remembered, languages the library lacks,
the library's opt-out words, and detection on the development set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import runtime
from bot.core.library import load_library
from bot.core.matcher import build_matcher, match
from bot.core.topics import OTHER_LANGUAGE_TOPIC
from bot.ratelimit import LANGUAGE_NAMESPACE
from tests import app_library, as_twilio, language_library

DEV_SET = Path(__file__).resolve().parent / "languages" / "dev-set.tsv"


@pytest.fixture
def nine(make_app, tmp_path):
    directory = tmp_path / "nine"
    app_library.write_library(directory, language_library.bundle())
    app = make_app(library_dir=str(directory))
    runtime(app).live.start()
    return app


def sms(client, body, sender="+15005550006"):
    response = as_twilio.post(client, as_twilio.params(body, sender))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_menu_number_after_a_spanish_menu_is_answered_in_spanish(nine):
    client = nine.test_client()
    assert "Responda con un numero" in sms(client, "ayuda")
    assert "Trabajo: llame" in sms(client, "1")
    # another sender, who saw no menu, gets the default language
    assert "Work: call" in sms(client, "1", sender="+15005550009")


def test_a_text_in_the_default_language_replaces_a_remembered_one(nine):
    client = nine.test_client()
    assert "Responda con un numero" in sms(client, "ayuda")
    assert "Reply with a number" in sms(client, "hello")
    assert "Work: call" in sms(client, "1")


def test_a_menu_number_after_a_vietnamese_menu_is_answered_in_vietnamese(nine):
    client = nine.test_client()
    # published replies are transliterated to GSM-7 by default, so the marks are gone
    assert "Tra loi bang so" in sms(client, "xin chào")
    assert "xin thong dich vien" in sms(client, "1")
    assert "Tra loi bang so" in sms(client, "ok")  # no topic: the menu, still in Vietnamese


def test_the_memory_holds_the_language_code_under_a_keyed_hash_only(nine):
    client = nine.test_client()
    sender = "+15005550123"
    sms(client, "ayuda", sender=sender)
    storage = runtime(nine).limiter.storage
    keys = [k for k in storage.storage if LANGUAGE_NAMESPACE in k]
    assert len(keys) == 1 and "5005550123" not in keys[0]
    assert storage.get(keys[0]).to_bytes(8, "big").lstrip(b"\0") == b"es"


def test_a_text_in_a_language_the_library_lacks_gets_the_interpreter_reply(nine):
    client = nine.test_client()
    for text in ["preciso de ajuda por favor", "ich brauche hilfe bitte", "أحتاج مساعدة"]:
        body = sms(client, text)
        assert "say the name of your language" in body and "1-888-373-7888" in body


def test_the_librarys_opt_out_words_get_no_reply(nine):
    client = nine.test_client()
    for word in ["BAJA", "parar", "STOP"]:
        assert "<Message>" not in sms(client, word)


def _dev_set():
    rows = []
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, _, text = line.partition("\t")
            rows.append((lang, text))
    return rows


def test_detection_reaches_98_percent_on_the_development_set():
    matcher = build_matcher(load_library(language_library.bundle()))
    right = 0
    rows = _dev_set()
    for expected, text in rows:
        found = match(text, matcher)
        got = "other" if found.topic == OTHER_LANGUAGE_TOPIC else found.lang
        right += got == expected
    assert right / len(rows) >= 0.98


@pytest.mark.parametrize("text", ["tôi cần giúp đỡ", "não tenho onde morar", "ông chủ không trả"])
def test_spanish_is_never_chosen_for_vietnamese_or_portuguese_accents(text):
    matcher = build_matcher(load_library(language_library.bundle(["en", "es"])))
    assert match(text, matcher).lang != "es"


def test_a_text_mixing_three_scripts_gets_one_library_language():
    matcher = build_matcher(load_library(language_library.bundle()))
    found = match("help помощь 帮助", matcher)
    assert found.lang in language_library.LANGUAGES


@pytest.fixture
def shipped(make_app):
    """The shipped library, whose examples teach its own language model."""
    app = make_app(library_dir=str(Path(__file__).resolve().parent.parent))
    runtime(app).live.start()
    return app


def test_the_shipped_library_answers_languages_texted_in_latin_letters_and_others(shipped):
    client = shipped.test_client()
    cyrillic = re.compile("[а-яіїєґ]", re.IGNORECASE)
    # Russian and Ukrainian written in Latin letters get a reply in their language's script
    for text in ["pomogite pozhaluysta, nas ne vypuskayut", "meni potribna dopomoha"]:
        assert cyrillic.search(sms(client, text)), text
    # and languages the library lacks the interpreter reply, as before
    for text in ["preciso de ajuda por favor", "ich brauche hilfe bitte", "أحتاج مساعدة"]:
        body = sms(client, text)
        assert "say the name of your language" in body and "1-888-373-7888" in body
