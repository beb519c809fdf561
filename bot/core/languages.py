"""Languages as library data: each language's own file (responses/<lang>/language.yaml), the
language codes, the back-translations and the reply to a text in a language the library lacks.

Everything a language needs beyond its replies is here: its name, its SMS segment budget, the
fallback reply, the extra opt-out words set up in Twilio, the call's prompts and the printed
labels. The code names no language beyond the defaults used when a library has no such file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import langcodes
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.text import normalize
from bot.core.yamlfile import Lines

RESPONSES_DIR = "responses"
BACK_TRANSLATIONS_DIR = "back-translations"
LANGUAGE_FILE = "language.yaml"
#: The one reply to a text in a language the library lacks (in the library's first languages).
OTHER_LANGUAGE_FILE = f"{RESPONSES_DIR}/other-language.txt"

#: Twilio's default opt-out words (Advanced Opt-Out's defaults): the carrier unsubscribes whoever
#: texts one of them as the whole message, so none may be a keyword.
CARRIER_OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)

#: The call's prompts a language.yaml may set, and the printed labels (bot.outreach.content).
CALL_KEYS = ("say_language", "voice", "choose", "connecting", "not_connected", "goodbye")
LABEL_KEYS = (
    "headline",
    "text_word_to",
    "menu_intro",
    "danger",
    "hotline",
    "hotline_numbers",
    "safety",
    "scan",
    "more_topics",
)
#: The placeholders each label or prompt must keep ({word} is the word to text, and so on).
PLACEHOLDERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "text_word_to": ("word",),
        "more_topics": ("word",),
        "danger": ("number",),
        # {text} is left out where the hotline's text line does not answer in the language
        # (it works in English and Spanish only): a card must not invite a text nobody reads.
        "hotline_numbers": ("call",),
        "choose": ("key",),
    }
)
#: Longest text of any one field of language.yaml: these are prompts and labels, not replies.
MAX_FIELD_CHARS = 400
MAX_OPT_OUT_WORDS = 20
#: Letters a language.yaml may spell its own way in Latin letters (`romanized:`): an alphabet.
MAX_ROMANIZED_LETTERS = 80
#: A language's own little words (`little_words:`): its commonest ones are enough.
MAX_LITTLE_WORDS = 100


def language_file(lang: str) -> str:
    """The bundle path of a language's own file."""
    return f"{RESPONSES_DIR}/{lang}/{LANGUAGE_FILE}"


def back_translation_path(topic_id: str, lang: str) -> str:
    """The bundle path of the English back-translation of a topic's reply in a language."""
    return f"{BACK_TRANSLATIONS_DIR}/{lang}/{topic_id}.txt"


def language_code_problem(code: object) -> str | None:
    """Why a language code is not usable, or None: a BCP 47 tag such as en, zh-Hans or mix
    (ISO 639-3), written with hyphens; checked with langcodes, the maintained BCP 47 parser."""
    if not isinstance(code, str) or not code:
        return f"{code!r} is not a language code: write a BCP 47 tag such as en, es, zh-Hans or mix"
    if "_" in code or code != code.strip():
        suggestion = langcodes.standardize_tag(code.strip().replace("_", "-"))
        return f"{code!r} is not a BCP 47 tag: write it with hyphens, like {suggestion!r}"
    if not langcodes.tag_is_valid(code):
        return (
            f"{code!r} is not a valid BCP 47 language code: use a tag such as en, es, vi, zh-Hans "
            "or a three-letter ISO 639-3 code such as mix or trs"
        )
    base = langcodes.Language.get(code).language
    if base in (None, "und") or code.lower().startswith(("x-", "i-")):
        return f"{code!r} names no language: use a tag such as en, es, vi or mix"
    return None


def base_language(code: str) -> str:
    """The language subtag of a tag as written: zh for zh-Hans, tl for tl (langcodes would
    rewrite tl as fil, which language-identification models do not use)."""
    return code.split("-", 1)[0].lower()


def writing_script(code: str) -> str:
    """The ISO 15924 script a language is usually written in (zh-Hans -> Hans, ru -> Cyrl),
    from the likely-subtags data that ships with langcodes; Latn when unknown."""
    return langcodes.Language.get(code).maximize().script or "Latn"


@dataclass(frozen=True)
class CallPrompts:
    """What a call says in a language; empty strings where the language file sets nothing."""

    say_language: str = ""
    voice: str = ""
    choose: str = ""
    connecting: str = ""
    not_connected: str = ""
    goodbye: str = ""


@dataclass(frozen=True)
class Language:
    """One language of a library, as its language.yaml describes it."""

    code: str
    name: str
    english_name: str = ""
    #: this language's SMS segment budget; None: keywords.yaml's
    segment_budget: int | None = None
    reviewed: bool = False
    #: publish keeps this language's replies as written instead of sending plain-letter
    #: look-alikes (Vietnamese tone marks have none worth sending)
    keep_accents: bool = False
    fallback: str = ""
    opt_out: tuple[str, ...] = ()
    call: CallPrompts = field(default_factory=CallPrompts)
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: people text this language in Latin letters too, so detection learns it romanised
    #: (bot.core.language_model): letters of its script -> how they write them where that
    #: differs from anyascii's table for the script; None: it is not texted in Latin letters
    romanized: Mapping[str, str] | None = None
    #: the commonest little words of the language as texts write them, folded as the matcher
    #: folds words: each in a text in Latin letters is a vote for it (bot.core.detect), beside
    #: the defaults of bot.core.little_words
    little_words: frozenset[str] = frozenset()
    line: int = field(default=0, compare=False, repr=False)


class _CallSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    say_language: str = Field(default="", max_length=MAX_FIELD_CHARS)
    voice: str = Field(default="", max_length=MAX_FIELD_CHARS)
    choose: str = Field(default="", max_length=MAX_FIELD_CHARS)
    connecting: str = Field(default="", max_length=MAX_FIELD_CHARS)
    not_connected: str = Field(default="", max_length=MAX_FIELD_CHARS)
    goodbye: str = Field(default="", max_length=MAX_FIELD_CHARS)


class _LabelsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    headline: str = Field(default="", max_length=MAX_FIELD_CHARS)
    text_word_to: str = Field(default="", max_length=MAX_FIELD_CHARS)
    menu_intro: str = Field(default="", max_length=MAX_FIELD_CHARS)
    danger: str = Field(default="", max_length=MAX_FIELD_CHARS)
    hotline: str = Field(default="", max_length=MAX_FIELD_CHARS)
    hotline_numbers: str = Field(default="", max_length=MAX_FIELD_CHARS)
    safety: str = Field(default="", max_length=MAX_FIELD_CHARS)
    scan: str = Field(default="", max_length=MAX_FIELD_CHARS)
    more_topics: str = Field(default="", max_length=MAX_FIELD_CHARS)


class _LanguageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(min_length=1, max_length=MAX_FIELD_CHARS)
    english_name: str = Field(default="", max_length=MAX_FIELD_CHARS)
    segment_budget: int | None = Field(default=None, ge=1, le=10)
    reviewed: bool = False
    keep_accents: bool = False
    fallback: str = Field(default="", max_length=MAX_FIELD_CHARS)
    opt_out: list[str] = Field(default_factory=list, max_length=MAX_OPT_OUT_WORDS)
    call: _CallSpec = Field(default_factory=_CallSpec)
    labels: _LabelsSpec = Field(default_factory=_LabelsSpec)
    romanized: bool | dict[str, str] = False
    little_words: list[str] = Field(default_factory=list, max_length=MAX_LITTLE_WORDS)


Report = Callable[[str, int, str], None]
LoadYaml = Callable[[str, str], tuple[Any, Lines]]
SchemaProblems = Callable[[ValidationError, Any, Lines, str, str], list[Any]]


def load_languages(
    bundle: Mapping[str, str],
    languages: tuple[str, ...],
    error: Report,
    load_yaml: LoadYaml,
    schema_problems: SchemaProblems,
) -> Mapping[str, Language]:
    """Each listed language's language.yaml, checked; a language without one gets its code as name.

    Problems go to `error` with file and line: a schema error (an unknown call or label key among
    them), a placeholder a label or prompt lost, an empty opt-out word.
    """
    found: dict[str, Language] = {}
    for lang in languages:
        file = language_file(lang)
        text = bundle.get(file)
        if text is None:
            found[lang] = Language(code=lang, name=lang)
            continue
        try:
            raw, lines = load_yaml(text, file)
        except ValueError as exc:  # LibraryError: already located by file and line
            for problem in getattr(exc, "problems", ()):
                error(problem.file, problem.line, problem.message)
            continue
        try:
            spec = _LanguageSpec.model_validate(raw if raw is not None else {})
        except ValidationError as exc:
            for problem in schema_problems(exc, raw, lines, text, file):
                error(problem.file, problem.line, problem.message)
            continue
        for section, values in (("call", spec.call), ("labels", spec.labels)):
            for key, wanted in PLACEHOLDERS.items():
                value = getattr(values, key, None)
                if not value:
                    continue
                for name in wanted:
                    if "{" + name + "}" not in value:
                        error(
                            file,
                            lines.of((section, key)),
                            f"{section}.{key} must keep the placeholder {{{name}}} "
                            "(it is filled in when printed or said)",
                        )
        opt_out = []
        for k, word in enumerate(spec.opt_out):
            if not word.strip():
                error(file, lines.of(("opt_out", k)), "an opt-out word is empty")
            else:
                opt_out.append(word.strip())
        found[lang] = Language(
            code=lang,
            name=spec.name.strip(),
            english_name=spec.english_name.strip(),
            segment_budget=spec.segment_budget,
            reviewed=spec.reviewed,
            keep_accents=spec.keep_accents,
            fallback=spec.fallback.strip(),
            opt_out=tuple(opt_out),
            call=CallPrompts(**spec.call.model_dump()),
            labels=MappingProxyType({k: v for k, v in spec.labels.model_dump().items() if v}),
            romanized=_romanized(spec.romanized, file, lines, error),
            little_words=_little_words(spec.little_words, file, lines, error),
            line=1,
        )
    return MappingProxyType(found)


def _little_words(words: list[str], file: str, lines: Lines, error: Report) -> frozenset[str]:
    """language.yaml's `little_words:` checked: each one word, folded as texts are."""
    found = set()
    for k, word in enumerate(words):
        folded = normalize(word)
        if not folded or " " in folded or len(folded) > 20:
            error(file, lines.of(("little_words", k)), f"little_words: {word!r} is not one word")
        else:
            found.add(folded)
    return frozenset(found)


def _romanized(
    value: bool | dict[str, str], file: str, lines: Lines, error: Report
) -> Mapping[str, str] | None:
    """language.yaml's `romanized:` checked: `true`, or a table whose keys are single letters of a
    script other than Latin and whose values are up to four plain Latin letters (or none, for a
    letter people leave out); None for `false` or no entry."""
    if value is False:
        return None
    if value is True:
        return MappingProxyType({})
    if len(value) > MAX_ROMANIZED_LETTERS:
        error(file, lines.of(("romanized",)), f"romanized: at most {MAX_ROMANIZED_LETTERS} letters")
        return None
    found = {}
    for letter, latin in value.items():
        where = lines.of(("romanized", letter))
        if len(letter) != 1 or not letter.isalpha() or letter.isascii():
            error(file, where, f"romanized: {letter!r} is not one letter of a script but Latin")
        elif len(latin) > 4 or not (latin.isascii() and (latin.isalpha() or not latin)):
            error(file, where, f"romanized: {letter!r} must be up to 4 plain Latin letters")
        else:
            found[letter.lower()] = latin.lower()
    return MappingProxyType(found)


def check_language_codes(languages: tuple[str, ...], lines: Lines, error: Report) -> None:
    """Report each unusable or repeated code of keywords.yaml's `languages:`, at its line."""
    for k, lang in enumerate(languages):
        wrong = language_code_problem(lang)
        if wrong is not None:
            error("keywords.yaml", lines.of(("languages", k)), wrong)
        elif lang in languages[:k]:
            error("keywords.yaml", lines.of(("languages", k)), f"language {lang!r} is listed twice")


def folded_opt_out_words(info: Mapping[str, Language]) -> frozenset[str]:
    """Every language's extra opt-out words, folded as texts are compared with them."""
    return frozenset(
        " ".join(word.split()).casefold() for one in info.values() for word in one.opt_out
    )


def opt_out_keyword_problem(keyword: str, extra: frozenset[str]) -> str | None:
    """Why a keyword may not be a keyword (it is an opt-out word), or None."""
    folded = " ".join(keyword.split()).casefold()
    if folded in CARRIER_OPT_OUT_WORDS:
        return (
            f"keyword {keyword!r} is a carrier opt-out word: whoever texts it alone is "
            "unsubscribed by the carrier and gets no reply; remove it"
        )
    if folded in extra:
        return (
            f"keyword {keyword!r} is one of the library's opt-out words (language.yaml opt_out): "
            "texted alone it unsubscribes; remove it from the keywords"
        )
    return None
