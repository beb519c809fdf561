"""The call's language menu: which of the library's languages a call offers, on which key, and how
each is spoken (Twilio <Say> with a voice, or a recording played with <Play>)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.model import Library
    from bot.core.recordings import Recording

#: Keys a caller presses to choose a language, in the library's order. A one-key <Gather> ends on
#: the first key, so a tenth language cannot have "10"; 0, * and # are left for the caller to
#: press by mistake. A library of more than nine callable languages offers the first nine, and
#: `make check` names the others (bot.core.language_gaps).
MENU_KEYS = "123456789"
#: How many languages' messages a caller who chooses none hears, in menu order: each message is
#: 20-40 s, and a silent caller must still reach the end, where the call hangs up.
SILENT_CALLER_LANGUAGES = 2


@dataclass(frozen=True)
class Speech:
    """How a language is spoken: <Say>'s language and a voice that speaks it."""

    language: str
    voice: str


#: Defaults for a library whose language.yaml sets no call.say_language: Amazon Polly voices
#: through Twilio (<Say voice="Polly.…">), each speaking its language natively.
DEFAULT_SPEECH = {"en": Speech("en-US", "Polly.Joanna"), "es": Speech("es-MX", "Polly.Mia")}


def speech(library: Library, lang: str) -> Speech | None:
    """How Twilio says a language: its language.yaml's call.say_language (and call.voice), else a
    default; None when Twilio has no voice for it in this library."""
    call = library.language(lang).call
    default = DEFAULT_SPEECH.get(lang)
    if call.say_language:
        voice = call.voice or (
            default.voice if default and default.language == call.say_language else ""
        )
        return Speech(call.say_language, voice)
    return default


def has_speech(lang: str, say_language: str) -> bool:
    """Whether Twilio can say a language: it sets call.say_language, or has a default voice."""
    return bool(say_language) or lang in DEFAULT_SPEECH


@dataclass(frozen=True)
class CallLanguage:
    """One entry of the call's language menu."""

    key: str
    lang: str
    speech: Speech | None
    recording: Recording | None


def callable_languages(library: Library) -> tuple[str, ...]:
    """The library's languages a call can speak, in its order: a recording, or a voice and a
    spoken message to say (voice.txt, or the built-in one of a language with a default voice)."""
    return tuple(
        lang
        for lang in library.languages
        if lang in library.recordings
        or (
            speech(library, lang) is not None
            and (library.voice_reply(lang) is not None or lang in DEFAULT_SPEECH)
        )
    )


def call_menu(library: Library) -> tuple[CallLanguage, ...]:
    """The call's language menu: the first nine callable languages, keys 1-9 in library order."""
    return tuple(
        CallLanguage(key, lang, speech(library, lang), library.recordings.get(lang))
        for key, lang in zip(MENU_KEYS, callable_languages(library), strict=False)
    )
