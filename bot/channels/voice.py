"""Calls to the bot's number (POST /voice): a language choice, the library's spoken message, and
"press 1" to be put through to the hotline (VOICE_CONNECT_NUMBER).

A call goes through these webhook paths, each the action of the step before:

    /voice            -> <Gather> "For English, press 1. Para español, oprima 2."
    /voice/language   -> the spoken message (responses/<lang>/voice.txt) in a <Gather>
    /voice/message    -> key 1: <Dial> VOICE_CONNECT_NUMBER, with /voice/dialed as its action
    /voice/dialed     -> not put through: the number, said slowly, twice

No input or a wrong key repeats a step once, then the call hears goodbye. The branch taken is
decided by `decide`, a plain function of the path, the key pressed and the step's query (which
Twilio signs with the URL); the TwiML is built by `render`. Nothing of a call is read but Digits
and DialCallStatus: never From, To or CallSid, never <Record>, never transcription. Daily counts
get "calls" (a language was chosen) and "connected" (the hotline answered) per language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode

from flask import Flask
from twilio.twiml.voice_response import VoiceResponse

from bot import runtime
from bot.core.library import CALLS_COUNT, CONNECTED_COUNT, Library
from bot.core.numbers import REGISTRY_FILE, VerifiedNumber, load_registry_file
from bot.core.replies import FALLBACK_VOICE
from bot.core.speech import speakable, spelled_slowly
from bot.settings import PROJECT_ROOT, Settings, SettingsError
from bot.webhook import Form, TwilioEndpoint

log = logging.getLogger(__name__)

VOICE_PATH = "/voice"
LANGUAGE_PATH = "/voice/language"
MESSAGE_PATH = "/voice/message"
DIALED_PATH = "/voice/dialed"
VOICE_PATHS = frozenset({VOICE_PATH, LANGUAGE_PATH, MESSAGE_PATH, DIALED_PATH})

#: How many times a step is offered: once, then repeated once after no input or a wrong key.
ATTEMPTS = 2
#: Seconds <Gather> waits for a key after its prompt ends.
GATHER_TIMEOUT = 6
#: DialCallStatus values of a call the other side answered (Twilio's <Dial> action request).
ANSWERED = frozenset({"completed", "answered"})


@dataclass(frozen=True)
class Speech:
    """How a language is spoken: <Say>'s language and a voice that speaks it."""

    language: str
    voice: str


#: Amazon Polly voices through Twilio (<Say voice="Polly.…">); each speaks its language natively.
SPEECH = {"en": Speech("en-US", "Polly.Joanna"), "es": Speech("es-MX", "Polly.Mia")}
#: The key that chooses each language, and what the prompt says for it.
LANGUAGE_KEYS = {"1": "en", "2": "es"}
LANGUAGE_PROMPT = {"en": "For English, press 1.", "es": "Para español, oprima 2."}
GOODBYE = {"en": "Goodbye.", "es": "Adiós."}
CONNECTING = {
    "en": "Connecting you now. Please stay on the line.",
    "es": "Le estamos comunicando. Por favor, no cuelgue.",
}
NOT_CONNECTED = {
    "en": "We could not put your call through. Please call the hotline yourself. The number is:",
    "es": "No pudimos comunicar su llamada. Por favor, llame usted a la línea. El número es:",
}

Kind = Literal[
    "choose_language", "message", "connect", "not_connected", "goodbye", "hang_up", "fallback"
]


@dataclass(frozen=True)
class Step:
    """What to answer one voice webhook request with: a kind, its language, which attempt it is,
    and the daily count it adds (if any)."""

    kind: Kind
    lang: str | None = None
    attempt: int = 1
    count: str | None = None


def decide(
    path: str,
    digits: str,
    query: dict[str, str],
    dial_status: str,
    has_message: bool,
) -> Step:
    """The branch of the call for one request: from its path, the key pressed, its query and the
    <Dial> outcome. `has_message`: the library has a spoken message (voice.txt)."""
    lang = query.get("lang") if query.get("lang") in SPEECH else None
    attempt = query.get("attempt", "1")
    attempt_no = int(attempt) if attempt in {str(n) for n in range(1, ATTEMPTS + 1)} else 1
    if not has_message and path in (VOICE_PATH, LANGUAGE_PATH, MESSAGE_PATH):
        return Step("fallback")
    if path == VOICE_PATH:
        return Step("choose_language")
    if path == LANGUAGE_PATH:
        chosen = LANGUAGE_KEYS.get(digits.strip())
        if chosen is not None:
            return Step("message", chosen, count=CALLS_COUNT)
        if attempt_no < ATTEMPTS:
            return Step("choose_language", attempt=attempt_no + 1)
        return Step("goodbye")
    lang = lang or "en"
    if path == MESSAGE_PATH:
        if digits.strip() == "1":
            return Step("connect", lang)
        if attempt_no < ATTEMPTS:
            return Step("message", lang, attempt=attempt_no + 1)
        return Step("goodbye", lang)
    if path == DIALED_PATH:
        if dial_status.strip().lower() in ANSWERED:
            return Step("hang_up", lang, count=CONNECTED_COUNT)
        return Step("not_connected", lang)
    return Step("fallback")


def _say(response: Any, text: str, lang: str) -> None:
    speech = SPEECH[lang]
    response.say(text, language=speech.language, voice=speech.voice)


def _url(prefix: str, path: str, **query: object) -> str:
    """A root-relative action URL (Twilio resolves it against the URL it called, and signs it)."""
    return f"{prefix}{path}?{urlencode(query)}" if query else f"{prefix}{path}"


def fallback_twiml() -> bytes:
    """The fixed bilingual message (911 and the hotline), then hang up."""
    response = VoiceResponse()
    for lang, text in FALLBACK_VOICE:
        _say(response, speakable(text), lang)
    response.hangup()
    return str(response).encode("utf-8")


#: Served when the library has no spoken message, and whenever anything fails answering a call.
FALLBACK_VOICE_TWIML = fallback_twiml()


def render(step: Step, library: Library, connect: VerifiedNumber, prefix: str = "") -> bytes:
    """The TwiML of a step; `prefix` is the app's mount point (SCRIPT_NAME) for action URLs."""
    if step.kind == "fallback":
        return FALLBACK_VOICE_TWIML
    response = VoiceResponse()
    lang = step.lang or "en"
    if step.kind == "choose_language":
        action = _url(prefix, LANGUAGE_PATH, attempt=step.attempt)
        gather = response.gather(num_digits=1, action=action, method="POST", timeout=GATHER_TIMEOUT)
        for prompt_lang, prompt in LANGUAGE_PROMPT.items():
            _say(gather, prompt, prompt_lang)
        # No key: Twilio goes on to the next verb, which asks the same action without Digits.
        response.redirect(action, method="POST")
    elif step.kind == "message":
        action = _url(prefix, MESSAGE_PATH, lang=lang, attempt=step.attempt)
        gather = response.gather(num_digits=1, action=action, method="POST", timeout=GATHER_TIMEOUT)
        text = library.voice_reply(lang) or dict(FALLBACK_VOICE)[lang]
        _say(gather, speakable(text), lang)
        response.redirect(action, method="POST")
    elif step.kind == "connect":
        _say(response, CONNECTING[lang], lang)
        response.dial(
            f"+1{connect.digits}" if len(connect.digits) == 10 else connect.digits,
            action=_url(prefix, DIALED_PATH, lang=lang),
            method="POST",
        )
    elif step.kind == "not_connected":
        _say(response, NOT_CONNECTED[lang], lang)
        slowly = spelled_slowly(connect.number)
        _say(response, slowly, lang)
        response.pause(length=1)
        _say(response, slowly, lang)
        _say(response, GOODBYE[lang], lang)
        response.hangup()
    elif step.kind == "goodbye":
        for goodbye_lang in (step.lang,) if step.lang else tuple(GOODBYE):
            _say(response, GOODBYE[goodbye_lang], goodbye_lang)
        response.hangup()
    else:  # hang_up: the hotline call is over
        response.hangup()
    return str(response).encode("utf-8")


def connect_number(settings: Settings) -> VerifiedNumber:
    """The registry entry VOICE_CONNECT_NUMBER names (by id or number); SettingsError if none.

    The registry is numbers.yaml beside the library files (LIBRARY_DIR), else the project's.
    Only a 10-digit US number can be dialled: not 911 (a call needing help now hangs up and
    dials it), not a short code (text only).
    """
    registry_path = Path(settings.library_dir) / REGISTRY_FILE
    if not registry_path.is_file():
        registry_path = PROJECT_ROOT / REGISTRY_FILE
    registry = load_registry_file(registry_path)
    wanted = settings.voice_connect_number.strip()
    entry = registry.by_id.get(wanted) or registry.lookup(wanted)
    if entry is None:
        raise SettingsError(
            f"VOICE_CONNECT_NUMBER={wanted!r} is not in {registry_path}: calls may only be put "
            f"through to a verified number. Use an id or number listed there "
            f"(e.g. trafficking-hotline-call), or set VOICE=false."
        )
    if len(entry.digits) != 10:
        raise SettingsError(
            f"VOICE_CONNECT_NUMBER={wanted!r} is {entry.number} ({entry.id}), which a call "
            f"cannot be put through to: choose a 10-digit number from {registry_path}."
        )
    return entry


class VoiceEndpoint(TwilioEndpoint):
    """The WSGI endpoint of /voice and its action paths, in front of the rest of the app."""

    paths = VOICE_PATHS
    fallback = FALLBACK_VOICE_TWIML

    def __init__(self, *args: Any, connect: VerifiedNumber, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connect = connect

    def reply(self, environ: dict[str, Any], form: Form) -> bytes:
        """The TwiML answer to one signed voice webhook request."""
        live = self.rt.live
        assert live is not None
        library = live.snapshot.library
        raw_query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        query = {key: values[0] for key, values in raw_query.items() if values}
        step = decide(
            environ.get("PATH_INFO", ""),
            form.first("Digits"),
            query,
            form.first("DialCallStatus"),
            has_message=bool(library.voice),
        )
        body = render(step, library, self.connect, environ.get("SCRIPT_NAME", "").rstrip("/"))
        if step.count is not None and step.lang is not None and self.rt.settings.daily_counts:
            live.counts.add(datetime.now(UTC).date(), step.count, step.lang)
        return body


def init_app(app: Flask) -> None:
    """Mount /voice in front of the app when VOICE is on; a bad VOICE_CONNECT_NUMBER stops here."""
    rt = runtime(app)
    if not rt.settings.voice:
        return
    connect = connect_number(rt.settings)
    app.wsgi_app = VoiceEndpoint(  # type: ignore[method-assign]
        rt, app.wsgi_app, app.config, connect=connect
    )
