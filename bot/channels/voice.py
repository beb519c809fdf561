"""Calls to the bot's number (POST /voice): a language choice, the library's spoken message, and
"press 1" to be put through to the hotline (VOICE_CONNECT_NUMBER).

A call goes through these webhook paths, each the action of the step before:

    /voice                       <Gather> "For English, press 1. Para español, oprima 2."
    /voice/language/<try>        the spoken message (responses/<lang>/voice.txt) in a <Gather>
    /voice/message/<lang>/<try>  key 1: <Dial> VOICE_CONNECT_NUMBER, then /voice/dialed/<lang>
    /voice/dialed/<lang>         not put through: the number, said slowly, twice

No input or a wrong key repeats a step once (<try> 2). A caller who chooses no language then hears
the spoken message in every language, English first (911 first, then the hotline; key 1 still puts
them through), and only then does the call end; after the message, the call hears goodbye. Everything a
step needs is in its path, so the path table names every step and the handler reads nothing but
the form's Digits and DialCallStatus: never From, To or CallSid; never <Record>, never
transcription. The branch is decided by `decide`, a plain function; `render` builds the TwiML.
Action URLs are relative to the path Twilio called, so they hold behind any path prefix.
Daily counts get "calls" (a language was chosen) and "connected" (the hotline answered) per
language.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from twilio.twiml.voice_response import VoiceResponse

from bot.channels.endpoint import XML, Answer, Channel, Form
from bot.core.library import Library
from bot.core.numbers import VerifiedNumber
from bot.core.replies import FALLBACK_VOICE
from bot.core.speech import speakable, spelled_slowly
from bot.core.topics import CALLS_COUNT, CONNECTED_COUNT
from bot.library.registry import deployment_registry_path, read_registry
from bot.settings import Settings, SettingsError

if TYPE_CHECKING:
    from bot.runtime import BotRuntime

OK = "200 OK"

VOICE_PATH = "/voice"
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


# The defaults below are said only where the library's language.yaml (call:) sets nothing: the
# library's own prompts come first (docs/languages.md).
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

Stage = Literal["start", "language", "message", "dialed"]


@dataclass(frozen=True)
class Route:
    """One step of a call as its webhook path names it: the stage, the language, the attempt."""

    stage: Stage
    lang: str | None = None
    attempt: int = 1

    @property
    def path(self) -> str:
        """The webhook path of this step."""
        if self.stage == "start":
            return VOICE_PATH
        if self.stage == "language":
            return f"{VOICE_PATH}/language/{self.attempt}"
        if self.stage == "message":
            return f"{VOICE_PATH}/message/{self.lang}/{self.attempt}"
        return f"{VOICE_PATH}/dialed/{self.lang}"


#: Every step of a call by its path: the path table of the voice channel.
VOICE_ROUTES = {
    route.path: route
    for route in (
        Route("start"),
        *(Route("language", attempt=n) for n in range(1, ATTEMPTS + 1)),
        *(Route("message", lang, n) for lang in SPEECH for n in range(1, ATTEMPTS + 1)),
        *(Route("dialed", lang) for lang in SPEECH),
    )
}
VOICE_PATHS = frozenset(VOICE_ROUTES)

Kind = Literal[
    "choose_language",
    "message",
    "every_message",
    "connect",
    "not_connected",
    "goodbye",
    "hang_up",
    "fallback",
]


@dataclass(frozen=True)
class Step:
    """What to answer one voice webhook request with: a kind, its language, which attempt it is,
    and the daily count it adds (if any)."""

    kind: Kind
    lang: str | None = None
    attempt: int = 1
    count: str | None = None


def decide(route: Route, digits: str, dial_status: str, has_message: bool) -> Step:
    """The branch of the call for one request: from the step its path names, the key pressed and
    the outcome of <Dial>. `has_message`: the library has a spoken message (voice.txt)."""
    key = digits.strip()
    if not has_message and route.stage != "dialed":
        return Step("fallback")
    if route.stage == "start":
        return Step("choose_language")
    if route.stage == "language":
        chosen = LANGUAGE_KEYS.get(key)
        if chosen is not None:
            return Step("message", chosen, count=CALLS_COUNT)
        if route.attempt < ATTEMPTS:
            return Step("choose_language", attempt=route.attempt + 1)
        # A silent caller may be unable to speak or press keys: nobody hangs up on them unheard.
        return Step("every_message")
    lang = route.lang or "en"
    if route.stage == "message":
        if key == "1":
            return Step("connect", lang)
        if route.attempt < ATTEMPTS:
            return Step("message", lang, attempt=route.attempt + 1)
        return Step("goodbye", lang)
    if dial_status.strip().lower() in ANSWERED:
        return Step("hang_up", lang, count=CONNECTED_COUNT)
    return Step("not_connected", lang)


def _say(response: Any, text: str, lang: str, library: Library | None = None) -> None:
    speech = SPEECH[lang]
    call = library.language(lang).call if library is not None else None
    response.say(
        text,
        language=(call and call.say_language) or speech.language,
        voice=(call and call.voice) or speech.voice,
    )


def _prompt(library: Library, lang: str, name: str, default: dict[str, str]) -> str:
    """A call prompt of a language: the library's language.yaml `call:`, else the default."""
    return getattr(library.language(lang).call, name) or default[lang]


def _language_prompt(library: Library, lang: str, key: str) -> str:
    """ "For English, press 1." in a language, from its language.yaml `call.choose`."""
    choose = library.language(lang).call.choose
    return choose.format(key=key) if choose else LANGUAGE_PROMPT[lang]


def _gather(response: Any, action: str) -> Any:
    """A one-key <Gather> posting to `action`: keys only (input="dtmf"), so no speech is ever
    sent to speech-to-text."""
    return response.gather(
        input="dtmf", num_digits=1, action=action, method="POST", timeout=GATHER_TIMEOUT
    )


def _relative(target: Route, current: Route) -> str:
    """The action URL of a step, relative to the path Twilio called (it resolves it as a browser
    would, RFC 3986), so it holds whatever prefix a proxy or PUBLIC_BASE_URL puts in front."""
    return posixpath.relpath(target.path, posixpath.dirname(current.path))


def fallback_twiml() -> bytes:
    """The fixed bilingual message (911 and the hotline), then hang up."""
    response = VoiceResponse()
    for lang, text in FALLBACK_VOICE:
        _say(response, speakable(text), lang)
    response.hangup()
    return str(response).encode("utf-8")


#: Served when the library has no spoken message, and whenever anything fails answering a call.
FALLBACK_VOICE_TWIML = fallback_twiml()


def render(step: Step, current: Route, library: Library, connect: VerifiedNumber) -> bytes:
    """The TwiML of a step, answering a request to the `current` route."""
    if step.kind == "fallback":
        return FALLBACK_VOICE_TWIML
    response = VoiceResponse()
    lang = step.lang or "en"
    if step.kind == "choose_language":
        action = _relative(Route("language", attempt=step.attempt), current)
        gather = _gather(response, action)
        for key, prompt_lang in LANGUAGE_KEYS.items():
            _say(gather, _language_prompt(library, prompt_lang, key), prompt_lang, library)
        # No key: Twilio goes on to the next verb, which asks the same action without Digits.
        response.redirect(action, method="POST")
    elif step.kind == "message":
        action = _relative(Route("message", lang, step.attempt), current)
        gather = _gather(response, action)
        text = library.voice_reply(lang) or dict(FALLBACK_VOICE)[lang]
        _say(gather, speakable(text), lang, library)
        response.redirect(action, method="POST")
    elif step.kind == "every_message":
        # Each language's message, in the order of SPEECH; key 1 during any of them connects (as
        # after the last repeat of a message), and when the caller presses nothing the call ends.
        first = next(iter(SPEECH))
        gather = _gather(response, _relative(Route("message", first, ATTEMPTS), current))
        for message_lang in SPEECH:
            text = library.voice_reply(message_lang) or dict(FALLBACK_VOICE)[message_lang]
            _say(gather, speakable(text), message_lang, library)
        response.hangup()
    elif step.kind == "connect":
        _say(response, _prompt(library, lang, "connecting", CONNECTING), lang, library)
        response.dial(
            f"+1{connect.digits}" if len(connect.digits) == 10 else connect.digits,
            action=_relative(Route("dialed", lang), current),
            method="POST",
        )
    elif step.kind == "not_connected":
        _say(response, _prompt(library, lang, "not_connected", NOT_CONNECTED), lang, library)
        slowly = spelled_slowly(connect.number)
        _say(response, slowly, lang, library)
        response.pause(length=1)
        _say(response, slowly, lang, library)
        _say(response, _prompt(library, lang, "goodbye", GOODBYE), lang, library)
        response.hangup()
    elif step.kind == "goodbye":
        for goodbye_lang in (step.lang,) if step.lang else tuple(GOODBYE):
            goodbye = _prompt(library, goodbye_lang, "goodbye", GOODBYE)
            _say(response, goodbye, goodbye_lang, library)
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
    registry_path = deployment_registry_path(settings)
    registry = read_registry(registry_path)
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


class VoiceHandler:
    """The handler of one step of a call behind the Twilio endpoint: answers from the live
    library, counts calls and connections."""

    def __init__(self, rt: BotRuntime, connect: VerifiedNumber, route: Route) -> None:
        self.rt = rt
        self.connect = connect
        self.route = route

    def __call__(self, form: Form) -> Answer:
        """The answer to one checked POST to this step's path."""
        rt = self.rt
        library = rt.live.snapshot.library
        step = decide(
            self.route, form.first("Digits"), form.first("DialCallStatus"), bool(library.voice)
        )
        body = render(step, self.route, library, self.connect)
        if step.count is not None and step.lang is not None and rt.settings.daily_counts:
            rt.live.counts.add(datetime.now(UTC).date(), step.count, step.lang)
        return OK, body, XML


def voice_channels(rt: BotRuntime) -> dict[str, Channel]:
    """The voice paths for the endpoint's path table; none when VOICE is off. A
    VOICE_CONNECT_NUMBER outside the registry raises SettingsError here, at start."""
    if not rt.settings.voice:
        return {}
    connect = connect_number(rt.settings)
    fallback = (OK, FALLBACK_VOICE_TWIML, XML)
    return {
        path: Channel(handle=VoiceHandler(rt, connect, route), fallback=fallback)
        for path, route in VOICE_ROUTES.items()
    }
