"""Calls to the bot's number (POST /voice): a language choice, the library's spoken message, and
"press 1" to be put through to the hotline (VOICE_CONNECT_NUMBER).

A call goes through these webhook paths, each the action of the step before:

    /voice                       <Gather> "For English, press 1. Para español, oprima 2. ..."
    /voice/language/<try>        the spoken message (voice.txt said, or voice.mp3|wav played)
    /voice/message/<key>/<try>   key 1: <Dial> VOICE_CONNECT_NUMBER, then /voice/dialed/<key>
    /voice/dialed/<key>          not put through: the number, said slowly, twice
    GET /voice/recording/<lang>.<mp3|wav>   a library recording of the live revision, for <Play>

The language menu is the library's languages that Twilio can say or that have a recording, keys
1-9 in the library's order (bot.core.call_menu); a step names its language by its menu key, so
the path table is fixed while the languages are library data.

No input or a wrong key repeats a step once (<try> 2). A caller who chooses no language then
hears the spoken message in the first two languages of the menu (911 first, then the hotline;
key 1 still puts them through), and only then does the call end; after the message, the call
hears goodbye. Everything a step needs is in its path, so the path table names every step and the handler reads nothing but
the form's Digits and DialCallStatus: never From, To or CallSid; never <Record>, never
transcription. The branch is decided by `decide`, a plain function; `render` builds the TwiML.
Action URLs are relative to the path Twilio called, so they hold behind any path prefix.
Daily counts get "calls" (a language was chosen) and "connected" (the hotline answered) per
language.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from flask import Blueprint, Response, abort, request
from twilio.twiml.voice_response import VoiceResponse

from bot.channels.endpoint import XML, Answer, Channel, Form
from bot.core.call_menu import (
    DEFAULT_SPEECH,
    MENU_KEYS,
    SILENT_CALLER_LANGUAGES,
    CallLanguage,
    Speech,
    call_menu,
)
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


# The defaults below are said only where the library's language.yaml (call:) sets nothing: the
# library's own prompts come first (docs/languages.md).
SPEECH = DEFAULT_SPEECH
#: The path under which the bot serves the library's recordings to Twilio's <Play>.
RECORDING_PATH = f"{VOICE_PATH}/recording"
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
    """One step of a call as its webhook path names it: the stage, the language's menu key, the
    attempt."""

    stage: Stage
    key: str | None = None
    attempt: int = 1

    @property
    def path(self) -> str:
        """The webhook path of this step."""
        if self.stage == "start":
            return VOICE_PATH
        if self.stage == "language":
            return f"{VOICE_PATH}/language/{self.attempt}"
        if self.stage == "message":
            return f"{VOICE_PATH}/message/{self.key}/{self.attempt}"
        return f"{VOICE_PATH}/dialed/{self.key}"


#: Every step of a call by its path: the path table of the voice channel.
VOICE_ROUTES = {
    route.path: route
    for route in (
        Route("start"),
        *(Route("language", attempt=n) for n in range(1, ATTEMPTS + 1)),
        *(Route("message", key, n) for key in MENU_KEYS for n in range(1, ATTEMPTS + 1)),
        *(Route("dialed", key) for key in MENU_KEYS),
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
    """What to answer one voice webhook request with: a kind, its language's menu key, which
    attempt it is, and the daily count it adds (if any)."""

    kind: Kind
    key: str | None = None
    attempt: int = 1
    count: str | None = None


def decide(route: Route, digits: str, dial_status: str, menu_keys: str) -> Step:
    """The branch of the call for one request: from the step its path names, the key pressed and
    the outcome of <Dial>. `menu_keys`: the keys of the call's language menu, "" when the library
    has no spoken message (voice.txt or a recording)."""
    key = digits.strip()
    if not menu_keys and route.stage != "dialed":
        return Step("fallback")
    if route.stage == "start":
        return Step("choose_language")
    if route.stage == "language":
        if len(key) == 1 and key in menu_keys:
            return Step("message", key, count=CALLS_COUNT)
        if route.attempt < ATTEMPTS:
            return Step("choose_language", attempt=route.attempt + 1)
        # A silent caller may be unable to speak or press keys: nobody hangs up on them unheard.
        return Step("every_message")
    chosen = route.key or MENU_KEYS[0]
    if route.stage == "message":
        if key == "1":
            return Step("connect", chosen)
        if route.attempt < ATTEMPTS:
            return Step("message", chosen, attempt=route.attempt + 1)
        return Step("goodbye", chosen)
    if dial_status.strip().lower() in ANSWERED:
        return Step("hang_up", chosen, count=CONNECTED_COUNT)
    return Step("not_connected", chosen)


def _say(response: Any, text: str, entry: CallLanguage, menu: Menu) -> None:
    """Say a text in a language; a language Twilio cannot say (it has a recording only) is said
    with the voice of the menu's first language that Twilio can say."""
    spoken = entry.speech or menu.fallback_speech
    if spoken.voice:
        response.say(text, language=spoken.language, voice=spoken.voice)
    else:
        response.say(text, language=spoken.language)


def _speak_message(response: Any, library: Library, entry: CallLanguage, current: Route) -> None:
    """The spoken message of a language: its recording played, else its voice.txt said."""
    if entry.recording is not None:
        target = f"{RECORDING_PATH}/{entry.lang}.{entry.recording.extension}"
        response.play(posixpath.relpath(target, posixpath.dirname(current.path)))
        return
    text = library.voice_reply(entry.lang) or dict(FALLBACK_VOICE).get(entry.lang, "")
    _say(response, speakable(text), entry, Menu.of(library))


def _say_prompt(
    response: Any,
    library: Library,
    entry: CallLanguage,
    menu: Menu,
    name: str,
    default: dict[str, str],
) -> None:
    """Say a call prompt of a language: its language.yaml `call:`, else the default; a language
    with neither hears the menu's first language's prompt in that language's voice, rather than
    another language's words in its own voice."""
    text = getattr(library.language(entry.lang).call, name) or default.get(entry.lang)
    if not text:
        entry = menu.entry(None)
        text = getattr(library.language(entry.lang).call, name) or default.get(entry.lang)
    _say(response, text or next(iter(default.values())), entry, menu)


def _language_prompt(library: Library, lang: str, key: str) -> str:
    """ "For English, press 1." in a language, from its language.yaml `call.choose`."""
    choose = library.language(lang).call.choose
    if choose:
        return choose.format(key=key)
    return LANGUAGE_PROMPT.get(lang) or f"{library.language(lang).name}: {key}."


@dataclass(frozen=True)
class Menu:
    """The call's language menu of a library, by key, and the speech of its first language Twilio
    can say (for the prompts of a language that has only a recording)."""

    by_key: dict[str, CallLanguage]
    fallback_speech: Speech
    default_language: str

    @staticmethod
    def of(library: Library) -> Menu:
        """The menu of a library."""
        entries = call_menu(library)
        spoken = next((e.speech for e in entries if e.speech is not None), SPEECH["en"])
        return Menu({e.key: e for e in entries}, spoken, library.default_language)

    def entry(self, key: str | None) -> CallLanguage:
        """The language on a key; the first when the key is no longer in the menu (a publish
        took its language out during the call), the default language when the menu is empty."""
        found = self.by_key.get(key or "")
        if found is not None:
            return found
        first = next(iter(self.by_key.values()), None)
        return first or CallLanguage(key or "1", self.default_language, None, None)


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
        spoken = SPEECH[lang]
        response.say(speakable(text), language=spoken.language, voice=spoken.voice)
    response.hangup()
    return str(response).encode("utf-8")


#: Served when the library has no spoken message, and whenever anything fails answering a call.
FALLBACK_VOICE_TWIML = fallback_twiml()


def render(step: Step, current: Route, library: Library, connect: VerifiedNumber) -> bytes:
    """The TwiML of a step, answering a request to the `current` route."""
    if step.kind == "fallback":
        return FALLBACK_VOICE_TWIML
    menu = Menu.of(library)
    response = VoiceResponse()
    if step.kind == "choose_language":
        action = _relative(Route("language", attempt=step.attempt), current)
        gather = _gather(response, action)
        for key, entry in menu.by_key.items():
            _say(gather, _language_prompt(library, entry.lang, key), entry, menu)
        # No key: Twilio goes on to the next verb, which asks the same action without Digits.
        response.redirect(action, method="POST")
        return str(response).encode("utf-8")
    if step.kind == "every_message":
        # The first languages' messages, in menu order; key 1 during any of them connects (as
        # after the last repeat of a message), and when the caller presses nothing the call ends.
        heard = list(menu.by_key.values())[:SILENT_CALLER_LANGUAGES]
        gather = _gather(response, _relative(Route("message", heard[0].key, ATTEMPTS), current))
        for entry in heard:
            _speak_message(gather, library, entry, current)
        response.hangup()
        return str(response).encode("utf-8")
    entry = menu.entry(step.key)
    if step.kind == "message":
        action = _relative(Route("message", entry.key, step.attempt), current)
        gather = _gather(response, action)
        _speak_message(gather, library, entry, current)
        response.redirect(action, method="POST")
    elif step.kind == "connect":
        _say_prompt(response, library, entry, menu, "connecting", CONNECTING)
        response.dial(
            f"+1{connect.digits}" if len(connect.digits) == 10 else connect.digits,
            action=_relative(Route("dialed", entry.key), current),
            method="POST",
        )
    elif step.kind == "not_connected":
        _say_prompt(response, library, entry, menu, "not_connected", NOT_CONNECTED)
        slowly = spelled_slowly(connect.number)
        _say(response, slowly, entry, menu)
        response.pause(length=1)
        _say(response, slowly, entry, menu)
        _say_prompt(response, library, entry, menu, "goodbye", GOODBYE)
        response.hangup()
    elif step.kind == "goodbye":
        _say_prompt(response, library, entry, menu, "goodbye", GOODBYE)
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
        has_message = bool(library.voice or library.recordings)
        keys = "".join(e.key for e in call_menu(library)) if has_message else ""
        step = decide(self.route, form.first("Digits"), form.first("DialCallStatus"), keys)
        body = render(step, self.route, library, self.connect)
        if step.count is not None and step.key is not None and rt.settings.daily_counts:
            lang = Menu.of(library).entry(step.key).lang
            rt.live.counts.add(datetime.now(UTC).date(), step.count, lang)
        return OK, body, XML


#: How long Twilio (or a cache between) may keep a recording before asking again; a publish
#: changes it under the same URL, and the ETag makes asking again cheap.
RECORDING_MAX_AGE = 300


def recording_blueprint(rt: BotRuntime) -> Blueprint:
    """GET /voice/recording/<lang>.<mp3|wav>: a recording of the live library, for <Play>.

    Only what the live revision holds is served, looked up by language code in the loaded library,
    never by a file path, so no name reaches the file system; anything else is 404. Twilio fetches
    <Play> media with an unsigned GET, and a recording is as public as the spoken message it says.
    """
    blueprint = Blueprint("voice_recordings", __name__)

    @blueprint.get(f"{RECORDING_PATH}/<name>")
    def recording(name: str) -> Response:
        lang, _, extension = name.rpartition(".")
        found = rt.live.snapshot.library.recordings.get(lang)
        if found is None or found.extension != extension:
            abort(404)
        response = Response(found.data, mimetype=found.content_type)
        response.set_etag(hashlib.sha256(found.data).hexdigest()[:32])
        response.cache_control.public = True
        response.cache_control.max_age = RECORDING_MAX_AGE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response.make_conditional(request)

    return blueprint


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
