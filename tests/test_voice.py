"""POST /voice: calls choose a language, hear the library's spoken message and can be put through."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from bot import runtime
from bot.channels.voice import VOICE_PATHS, VOICE_ROUTES, Route, decide
from bot.core.numbers import find_numbers, load_registry_file
from bot.core.replies import FALLBACK_VOICE
from bot.core.speech import speakable, spelled_slowly
from bot.settings import SettingsError
from tests import app_library, as_twilio

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = load_registry_file(ROOT / "numbers.yaml")
HOTLINE = REGISTRY.by_id["trafficking-hotline-call"]

VOICE_EN = "In danger now? Hang up and call 911. Press 1 for the hotline, 1-888-373-7888. Goodbye."
VOICE_ES = "¿En peligro? Cuelgue y llame al 911. Oprima 1 para la línea, 1-888-373-7888. Adiós."


def call_params(**extra: str) -> dict[str, str]:
    """The form fields of a call webhook as Twilio posts them."""
    return {
        "CallSid": "CA" + "0" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": "+15005550006",
        "To": "+15005550001",
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


@pytest.fixture
def voice_library(tmp_path) -> Path:
    bundle = app_library.bundle()
    bundle["responses/en/voice.txt"] = VOICE_EN + "\n"
    bundle["responses/es/voice.txt"] = VOICE_ES + "\n"
    return app_library.write_library(tmp_path / "voice-library", bundle)


@pytest.fixture
def voice_app(make_app, voice_library):
    app = make_app(library_dir=str(voice_library))
    runtime(app).live.start()
    return app


@pytest.fixture
def call(voice_app):
    """POST a signed call webhook to a path, as Twilio does; the parsed TwiML."""
    client = voice_app.test_client()

    def post(path: str, **fields: str) -> ET.Element:
        response = as_twilio.post(client, call_params(**fields), url=as_twilio.URL + path)
        assert response.status_code == 200, response.data
        assert response.mimetype == "application/xml"
        root = ET.fromstring(response.data)
        assert root.tag == "Response"
        assert_never_records(root)
        return root

    return post


def assert_never_records(root: ET.Element) -> None:
    """No <Record>, no transcription, no recording attribute anywhere in a TwiML document."""
    for element in root.iter():
        assert element.tag not in {"Record", "Transcription", "Stream", "Start"}, element.tag
        if element.tag == "Gather":
            assert element.get("input") == "dtmf"  # keys only: no speech recognition
        for name in element.attrib:
            assert "record" not in name.lower() and "transcri" not in name.lower(), name


def says(element: ET.Element) -> list[tuple[str, str]]:
    """(language, text) of each <Say> under an element, in order."""
    return [(s.get("language", ""), s.text or "") for s in element.iter("Say")]


def resolve(current: str, action: str | None) -> str:
    """The path Twilio asks next: an action URL resolved against the URL it called (RFC 3986)."""
    assert action
    return urlsplit(urljoin(PUBLIC + current, action)).path


PUBLIC = "https://bot.example.org"


def _today_counts(app) -> dict[tuple[str, str], int]:
    rt = runtime(app)
    rt.live.flush_counts()
    return {(r.topic, r.lang): r.count for r in rt.store.counts(datetime.now(UTC).date())}


# --- The transport: signed like /sms -----------------------------------------------------------


def test_an_unsigned_call_is_refused_with_403(voice_app):
    client = voice_app.test_client()
    for path in sorted(VOICE_PATHS):
        assert client.post(path, data=call_params()).status_code == 403, path


def test_a_call_signed_with_another_token_or_for_another_url_is_refused(voice_app):
    client = voice_app.test_client()
    params = call_params()
    assert (
        as_twilio.post(client, params, url=as_twilio.URL + "/voice", token="other").status_code
        == 403
    )
    signature = as_twilio.sign(as_twilio.URL + "/voice/language/2", params)
    # The path (the step) is signed with the URL: a changed step is refused.
    response = client.post(
        "/voice/language/1", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403


def test_get_on_voice_is_405(voice_app):
    response = voice_app.test_client().get("/voice?From=%2B15551234567")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


def test_a_failure_while_answering_a_call_gets_the_fixed_bilingual_message(voice_app, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("exploded")

    monkeypatch.setattr("bot.channels.voice.decide", broken)
    response = as_twilio.post(voice_app.test_client(), call_params(), url=as_twilio.URL + "/voice")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert says(root) == [
        (lang, speakable(text))
        for lang, text in (("en-US", FALLBACK_VOICE[0][1]), ("es-MX", FALLBACK_VOICE[1][1]))
    ]
    assert root[-1].tag == "Hangup"


# --- The language menu ---------------------------------------------------------------------------


def test_a_call_is_answered_with_a_one_key_language_menu_in_english_then_spanish(call):
    root = call("/voice")
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert says(gather) == [
        ("en-US", "For English, press 1."),
        ("es-MX", "Para español, oprima 2."),
    ]
    assert resolve("/voice", gather.get("action")) == "/voice/language/1"
    # With no key Twilio goes on to the <Redirect>, to the same step without Digits.
    assert root[-1].tag == "Redirect" and root[-1].text == gather.get("action")


def test_every_action_url_of_a_call_resolves_to_a_route_of_the_app(call):
    seen, queue = set(), ["/voice"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for fields in ({}, {"Digits": "1"}, {"Digits": "2"}, {"DialCallStatus": "busy"}):
            root = call(path, **fields)
            for element in root.iter():
                target = element.get("action") or (
                    element.text if element.tag == "Redirect" else None
                )
                if target:
                    assert not urlsplit(target).query, target  # the step is in the path
                    next_path = resolve(path, target)
                    assert next_path in VOICE_PATHS, (path, target)
                    queue.append(next_path)
    # and every route of the menu's two languages (keys 1 and 2) is reached by a call
    assert seen == {p for p, r in VOICE_ROUTES.items() if r.key in (None, "1", "2")}


def test_action_urls_are_relative_so_they_hold_behind_a_path_prefix(call):
    # Twilio calls https://example.org/hotline-bot/voice when a proxy mounts the bot there.
    action = call("/voice/language/1", Digits="1").find("Gather").get("action")
    resolved = urljoin("https://example.org/hotline-bot/voice/language/1", action)
    assert resolved == "https://example.org/hotline-bot/voice/message/1/1"


@pytest.mark.parametrize(
    ("key", "lang", "speech", "text"),
    [("1", "en", "en-US", VOICE_EN), ("2", "es", "es-MX", VOICE_ES)],
)
def test_a_language_key_plays_the_spoken_message_of_that_language(call, key, lang, speech, text):
    root = call("/voice/language/1", Digits=key)
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert says(gather) == [(speech, speakable(text))]
    assert resolve("/voice/language/1", gather.get("action")) == f"/voice/message/{key}/1"


@pytest.mark.parametrize(
    "fields", [{}, {"Digits": "7"}, {"Digits": "#"}], ids=["no-input", "key-7", "key-hash"]
)
def test_no_input_or_a_wrong_key_repeats_the_language_menu_once_then_plays_every_message(
    call, fields
):
    again = call("/voice/language/1", **fields)
    gather = again.find("Gather")
    assert gather is not None
    assert says(gather)[0] == ("en-US", "For English, press 1.")
    assert resolve("/voice/language/1", gather.get("action")) == "/voice/language/2"
    last = call("/voice/language/2", **fields)
    gather = last.find("Gather")
    assert says(gather) == [("en-US", speakable(VOICE_EN)), ("es-MX", speakable(VOICE_ES))]
    assert [e.tag for e in last] == ["Gather", "Hangup"]


def follow_silent_call(call, path: str = "/voice") -> tuple[list[tuple[str, str]], list[str]]:
    """A call in which nobody presses a key, followed as Twilio runs TwiML: each verb in order,
    a <Gather> timing out into the verb after it, a <Redirect> fetched without Digits, until a
    <Hangup> or the end of a document. What was said, and the paths Twilio asked."""
    said: list[tuple[str, str]] = []
    asked = []
    while len(asked) < 20:
        asked.append(path)
        root = call(path)
        following = None
        for verb in root:
            if verb.tag == "Say":
                said.append((verb.get("language", ""), verb.text or ""))
            elif verb.tag == "Gather":
                said += says(verb)  # said in full, then the wait for a key times out
            elif verb.tag == "Redirect":
                following = resolve(path, verb.text)
                break
            elif verb.tag == "Hangup":
                return said, asked
            else:
                raise AssertionError(f"a silent call met <{verb.tag}> at {path}")
        if following is None:
            return said, asked  # the end of a document ends the call too
        path = following
    raise AssertionError(f"a silent call never ends: {asked}")


def test_a_silent_caller_hears_911_then_the_hotline_in_english_then_spanish_before_the_call_ends(
    make_app,
):
    """On the bundled library: its own spoken messages, each with 911 before the hotline."""
    from bot.settings import PROJECT_ROOT

    app = make_app(library_dir=str(PROJECT_ROOT))
    runtime(app).live.start()
    library = runtime(app).live.snapshot.library
    client = app.test_client()

    def call(path: str, **fields: str) -> ET.Element:
        response = as_twilio.post(client, call_params(**fields), url=as_twilio.URL + path)
        assert response.status_code == 200, response.data
        return ET.fromstring(response.data)

    said, asked = follow_silent_call(call)
    assert asked == ["/voice", "/voice/language/1", "/voice/language/2"]
    prompts = [("en-US", "For English, press 1."), ("es-MX", "Para español, oprima 2.")]
    assert said[:4] == prompts * 2  # the language menu, offered twice
    assert said[4:] == [
        ("en-US", speakable(library.voice_reply("en"))),
        ("es-MX", speakable(library.voice_reply("es"))),
    ]  # then every message, English first, and then the call ends
    for lang in ("en", "es"):
        numbers = [n.digits for n in find_numbers(library.voice_reply(lang))]
        assert numbers[:2] == ["911", HOTLINE.digits], lang


def test_a_silent_caller_who_presses_1_during_the_messages_is_put_through(call):
    gather = call("/voice/language/2").find("Gather")
    action = resolve("/voice/language/2", gather.get("action"))
    root = call(action, Digits="1")
    assert root.find("Dial") is not None and root.find("Dial").text == f"+1{HOTLINE.digits}"


# --- The spoken message and connecting -----------------------------------------------------------


@pytest.mark.parametrize(("lang", "speech"), [("en", "en-US"), ("es", "es-MX")])
def test_key_1_after_the_message_dials_only_the_configured_registry_number(call, lang, speech):
    key = {"en": "1", "es": "2"}[lang]
    root = call(f"/voice/message/{key}/1", Digits="1")
    dial = root.find("Dial")
    assert dial is not None
    assert dial.text == f"+1{HOTLINE.digits}"
    assert resolve(f"/voice/message/{key}/1", dial.get("action")) == f"/voice/dialed/{key}"
    assert {language for language, _ in says(root)} == {speech}
    assert len(root.findall(".//Dial")) == 1 and list(dial) == []


@pytest.mark.parametrize("fields", [{}, {"Digits": "2"}], ids=["no-input", "wrong-key"])
def test_no_input_or_a_wrong_key_after_the_message_repeats_it_once_then_says_goodbye(call, fields):
    again = call("/voice/message/2/1", **fields)
    gather = again.find("Gather")
    assert gather is not None and says(gather) == [("es-MX", speakable(VOICE_ES))]
    assert resolve("/voice/message/2/1", gather.get("action")) == "/voice/message/2/2"
    last = call("/voice/message/2/2", **fields)
    assert says(last) == [("es-MX", "Adiós.")]
    assert last.find("Dial") is None and last[-1].tag == "Hangup"


@pytest.mark.parametrize("status", ["completed", "answered"])
def test_a_connected_call_ends_when_the_hotline_call_ends_and_is_counted(call, voice_app, status):
    root = call("/voice/dialed/1", DialCallStatus=status)
    assert [e.tag for e in root] == ["Hangup"]
    assert _today_counts(voice_app) == {("connected", "en"): 1}


@pytest.mark.parametrize("status", ["busy", "no-answer", "failed", "canceled", ""])
@pytest.mark.parametrize(("lang", "speech"), [("en", "en-US"), ("es", "es-MX")])
def test_a_failed_connect_hears_the_number_slowly_twice(call, voice_app, status, lang, speech):
    root = call(f"/voice/dialed/{ {'en': '1', 'es': '2'}[lang] }", DialCallStatus=status)
    spoken = says(root)
    slowly = spelled_slowly(HOTLINE.number)
    assert [text for _, text in spoken].count(slowly) == 2
    assert {language for language, _ in spoken} == {speech}
    assert root.find("Pause") is not None and root[-1].tag == "Hangup"
    assert root.find("Dial") is None
    assert _today_counts(voice_app) == {}


def test_a_whole_call_counts_one_call_and_one_connection_in_its_language(call, voice_app):
    call("/voice")
    message = call("/voice/language/1", Digits="2").find("Gather")
    dial_from = resolve("/voice/language/1", message.get("action"))
    dial = call(dial_from, Digits="1").find("Dial")
    call(resolve(dial_from, dial.get("action")), DialCallStatus="completed")
    assert _today_counts(voice_app) == {("calls", "es"): 1, ("connected", "es"): 1}


def test_with_daily_counts_off_calls_are_not_counted(make_app, voice_library):
    app = make_app(library_dir=str(voice_library), daily_counts=False)
    client = app.test_client()
    as_twilio.post(client, call_params(Digits="1"), url=as_twilio.URL + "/voice/language/1")
    assert runtime(app).live.counts.pending() == {}


# --- Without a spoken message in the library ------------------------------------------------------


def test_a_library_without_a_voice_reply_answers_with_the_fixed_bilingual_message(app):
    response = as_twilio.post(app.test_client(), call_params(), url=as_twilio.URL + "/voice")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    spoken = says(root)
    assert [language for language, _ in spoken] == ["en-US", "es-MX"]
    for _, text in spoken:
        assert "9 1 1" in text and "1, 8 8 8, 3 7 3, 7 8 8 8" in text
    assert root.find("Gather") is None and root[-1].tag == "Hangup"


def test_the_fixed_voice_message_carries_911_and_the_hotline_and_only_verified_numbers():
    for _lang, text in FALLBACK_VOICE:
        found = find_numbers(text)
        assert {n.digits for n in found} == {"911", HOTLINE.digits}
        assert all(REGISTRY.lookup(n.text) is not None for n in found)


# --- Settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["trafficking-hotline-call", "1-888-373-7888", "(888) 373-7888"])
def test_voice_connect_number_is_a_registry_id_or_number(make_app, voice_library, value):
    app = make_app(library_dir=str(voice_library), voice_connect_number=value)
    response = as_twilio.post(
        app.test_client(), call_params(Digits="1"), url=as_twilio.URL + "/voice/message/1/1"
    )
    assert ET.fromstring(response.data).find("Dial").text == f"+1{HOTLINE.digits}"


@pytest.mark.parametrize(
    ("value", "says_why"),
    [
        ("1-800-555-0199", "is not in"),
        ("no-such-id", "is not in"),
        ("233733", "cannot be put through"),
        ("911", "cannot be put through"),
    ],
)
def test_a_connect_number_outside_the_registry_or_not_dialable_stops_the_app(
    make_app, value, says_why
):
    with pytest.raises(SettingsError) as caught:
        make_app(voice_connect_number=value)
    assert "VOICE_CONNECT_NUMBER" in str(caught.value)
    assert says_why in str(caught.value)


def test_with_voice_off_there_is_no_voice_endpoint_and_no_number_check(make_app):
    app = make_app(voice=False, voice_connect_number="1-800-555-0199")
    response = as_twilio.post(app.test_client(), call_params(), url=as_twilio.URL + "/voice")
    assert response.status_code == 404


def test_sms_still_works_beside_voice(voice_app):
    response = as_twilio.post(voice_app.test_client(), as_twilio.params("my boss took my passport"))
    assert as_twilio.messages(response) == [app_library.REPLIES["labor/en"]]


# --- The branch decision alone ------------------------------------------------------------------


def test_the_path_table_names_every_step_of_a_call_by_menu_key():
    assert sorted(VOICE_ROUTES) == sorted(
        [
            "/voice",
            "/voice/language/1",
            "/voice/language/2",
            *(f"/voice/message/{key}/{n}" for key in "123456789" for n in (1, 2)),
            *(f"/voice/dialed/{key}" for key in "123456789"),
        ]
    )
    assert all(route.path == path for path, route in VOICE_ROUTES.items())


def test_without_a_spoken_message_only_a_call_already_put_through_gets_its_own_ending():
    assert decide(Route("start"), "", "", menu_keys="").kind == "fallback"
    assert decide(Route("message", "2"), "1", "", menu_keys="").kind == "fallback"
    # The library lost its message while this call was on the hotline: it still ends properly.
    step = decide(Route("dialed", "2"), "", "busy", menu_keys="")
    assert (step.kind, step.key) == ("not_connected", "2")


def test_a_call_on_the_hotline_when_the_library_lost_every_message_still_hears_the_number():
    from bot.channels.voice import Step, render
    from bot.core.library import load_library

    library = load_library(app_library.bundle())  # no voice.txt, no recording: an empty menu
    root = ET.fromstring(render(Step("not_connected", "2"), Route("dialed", "2"), library, HOTLINE))
    assert [text for _, text in says(root)].count(spelled_slowly(HOTLINE.number)) == 2
    assert root[-1].tag == "Hangup"
