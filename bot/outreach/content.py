"""What a card or poster says, taken from one library revision and proven through the matcher.

Nothing here is typed by hand that a phone could act on: the words to text are the library's own
keywords, each run through the matcher of the same revision (a word that does not reach its topic,
in its language, is refused), and the phone numbers come from the registry by id. Only the short
labels around them ("Danger now:") are fixed text, in LABELS.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.core.languages import LABEL_KEYS
from bot.core.library import Library, Topic
from bot.core.matcher import Match, Matcher, build_matcher, match
from bot.core.numbers import NumberRegistry, find_numbers, normalize_number
from bot.core.text import tokenize
from bot.core.topics import MENU_TOPIC
from bot.settings import SettingsError, check_e164

#: Registry ids of the numbers every card and poster prints.
EMERGENCY_ID = "emergency"
HOTLINE_CALL_ID = "trafficking-hotline-call"
HOTLINE_TEXT_ID = "trafficking-hotline-text"

#: Words tried first for "Text HELP"; any other one-word menu keyword of the language comes next.
HELP_WORDS = ("help", "ayuda", "menu", "info", "hola")
#: A printed keyword longer than this would crowd a card's menu line.
MAX_KEYWORD_CHARS = 16

#: The fixed words around the library's own, per language: defaults for a library whose
#: responses/<lang>/language.yaml has no `labels:` (the library's own come first).
LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": MappingProxyType(
            {
                "headline": "Need help? Text us.",
                "text_word_to": "Text {word} to",
                "menu_intro": "Or text a number or a word:",
                "danger": "Danger now: {number}",
                "hotline": "Trafficking hotline, 24/7:",
                "hotline_numbers": "call {call} · text {text}",
                "safety": "Tip: delete this conversation when you are done.",
                "scan": "Scan with your phone's camera",
                "more_topics": "More topics: text {word}",
            }
        ),
        "es": MappingProxyType(
            {
                "headline": "¿Necesita ayuda? Escríbanos.",
                "text_word_to": "Escriba {word} al",
                "menu_intro": "O escriba un número o una palabra:",
                "danger": "Peligro ahora: {number}",
                "hotline": "Línea contra la trata, 24 horas:",
                "hotline_numbers": "llame al {call} · texto al {text}",
                "safety": "Consejo: borre esta conversación al terminar.",
                "scan": "Escanee con la cámara del teléfono",
                "more_topics": "Más temas: escriba {word}",
            }
        ),
    }
)


class OutreachError(ValueError):
    """The materials cannot be made truthfully; carries every reason found, not just the first."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class MenuLine:
    """One menu item as printed: its number, its title and one keyword, all proven to reach it."""

    number: int
    topic: str
    title: str
    keyword: str


@dataclass(frozen=True)
class Side:
    """Everything printed in one language."""

    lang: str
    help_word: str
    menu: tuple[MenuLine, ...]
    labels: Mapping[str, str]
    #: menu topics left off this side for room (a card prints the first few): the help word
    #: gets the whole menu, and the side says so
    left_off: int = 0

    def label(self, name: str, **values: str) -> str:
        """A fixed label of this language with the given values filled in."""
        return self.labels[name].format(**values)


@dataclass(frozen=True)
class Material:
    """The content of a set of cards or posters: the bot's number, the registry's, one Side per language."""

    bot_number: str
    emergency: str
    hotline_call: str
    hotline_text: str
    sides: tuple[Side, ...]

    def side(self, lang: str) -> Side:
        """The side printed in a language."""
        return next(s for s in self.sides if s.lang == lang)

    @property
    def display_number(self) -> str:
        """The bot's number as people write it: (509) 555-0100."""
        return display_number(self.bot_number)


def display_number(e164: str) -> str:
    """A North American E.164 number US-style, (509) 555-0100; any other one as it is."""
    digits = e164[2:]
    if e164.startswith("+1") and len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return e164


def reaches(matcher: Matcher, text: str, topic: str, lang: str | None = None) -> Match | None:
    """The match of a text if it reaches the topic (and the language, when given), else None."""
    found = match(text, matcher)
    if found.topic != topic or (lang is not None and found.lang != lang):
        return None
    return found


def _printable_keywords(topic: Topic, lang: str) -> list[str]:
    return [
        k
        for k in topic.keywords.get(lang, ())
        if k.replace(" ", "").isalpha() and len(k) <= MAX_KEYWORD_CHARS
    ]


def _pick_keyword(matcher: Matcher, topic: Topic, lang: str) -> str | None:
    """One keyword worth printing for a menu topic, proven to reach it in its language.

    Preferred: a word of the topic's title (what the reader just read), then the whole title if
    it is a keyword itself, then the operator's first one-word keyword (they list the commonest
    first), then any short keyword of a few words (a language such as Vietnamese writes most of
    its words in two syllables).
    """
    keywords = _printable_keywords(topic, lang)
    title_text = topic.titles.get(lang, "")
    title = tokenize(title_text)
    # A word of the title is printed as the title spells it, accents and all ("INMIGRACIÓN" under
    # "Inmigración"): keywords are written without accents, and matching ignores them.
    spelled = {tokenize(w)[0]: w for w in title_text.split() if len(tokenize(w)) == 1}
    single = [k for k in keywords if " " not in k]
    in_title = [k for k in single if set(tokenize(k)) <= set(title)]
    whole_title = [k for k in keywords if tokenize(k) == title]
    for candidate in dict.fromkeys((*in_title, *whole_title, *single, *keywords)):
        if candidate in in_title:
            candidate = spelled.get(tokenize(candidate)[0], candidate)
        printed = candidate.upper()  # proven as printed: upper-casing may change a word
        if reaches(matcher, printed, topic.id, lang):
            return printed
    return None


def pick_help_word(matcher: Matcher, library: Library, lang: str) -> str | None:
    """The word, upper-case, that gets the menu in this language: HELP, AYUDA, or another
    one-word menu keyword."""
    keywords = [k for k in library.topic(MENU_TOPIC).keywords.get(lang, ()) if k.isalpha()]
    ordered = [w.upper() for w in [*(w for w in HELP_WORDS if w in keywords), *keywords]]
    return next((w for w in ordered if reaches(matcher, w, MENU_TOPIC, lang)), None)


def build_material(
    library: Library,
    registry: NumberRegistry,
    bot_number: str,
    languages: Iterable[str],
    *,
    menu_items: int | None = None,
) -> Material:
    """Everything a card or poster prints, every word proven through the library's matcher.

    Raises OutreachError listing each thing that cannot be printed truthfully: a bot number not in
    E.164, a language the library or the labels lack, an empty menu, a title, number or keyword
    that does not reach its topic, a registry entry that is missing.
    """
    problems: list[str] = []
    try:
        check_e164(bot_number)
    except SettingsError as exc:
        problems.append(f"the bot's number: {exc}")
    numbers = {}
    for entry_id in (EMERGENCY_ID, HOTLINE_CALL_ID, HOTLINE_TEXT_ID):
        entry = registry.by_id.get(entry_id)
        if entry is None:
            problems.append(f"{registry.file} has no entry with id {entry_id!r}")
        else:
            numbers[entry_id] = entry.number
    menu = sorted(library.by_menu_number.values(), key=lambda t: t.menu or 0)
    whole_menu = len(menu)
    if not menu:
        problems.append(
            "the library's menu is empty: no topic has a menu number"
            " (give topics `menu: 1`, `menu: 2`, ... in keywords.yaml and publish)"
        )
    menu = menu[:menu_items] if menu_items else menu

    matcher = build_matcher(library)
    sides = []
    for lang in languages:
        if lang not in library.languages:
            problems.append(
                f"the library has no {lang!r} replies (it has {list(library.languages)})"
            )
            continue
        labels = {**LABELS.get(lang, {}), **library.language(lang).labels}
        missing = [key for key in LABEL_KEYS if key not in labels]
        if missing:
            problems.append(
                f"there are no printed labels {missing} in {lang!r}: add them under labels: in "
                f"responses/{lang}/language.yaml"
            )
            continue
        help_word = pick_help_word(matcher, library, lang)
        if help_word is None:
            problems.append(f"no one-word {lang} keyword of the menu topic gets the {lang} menu")
        lines = []
        for topic in menu:
            title = topic.titles.get(lang, "")
            number = str(topic.menu)
            if not reaches(matcher, number, topic.id):
                problems.append(f"menu number {number} does not reach {topic.id!r}")
            if not reaches(matcher, title, topic.id):
                found = match(title, matcher)
                problems.append(
                    f"the {lang} title {title!r} of {topic.id!r} reaches {found.topic!r} when"
                    " texted; add it (or its words) to the topic's keywords"
                )
            keyword = _pick_keyword(matcher, topic, lang)
            if keyword is None:
                problems.append(
                    f"no {lang} keyword of {topic.id!r} (letters only, at most"
                    f" {MAX_KEYWORD_CHARS} characters) reaches it in {lang} when texted alone"
                )
                continue
            lines.append(MenuLine(topic.menu or 0, topic.id, title, keyword))
        left_off = whole_menu - len(menu)
        sides.append(Side(lang, help_word or "", tuple(lines), MappingProxyType(labels), left_off))
    if problems:
        raise OutreachError(problems)
    return Material(
        bot_number=bot_number,
        emergency=numbers[EMERGENCY_ID],
        hotline_call=numbers[HOTLINE_CALL_ID],
        hotline_text=numbers[HOTLINE_TEXT_ID],
        sides=tuple(sides),
    )


def check_printed_numbers(texts: Iterable[str], registry: NumberRegistry, bot_number: str) -> None:
    """Raise OutreachError if any printed text carries a number that is neither the bot's own
    nor in the registry: the last check on the very strings drawn, whatever composed them."""
    allowed = set(registry.by_digits) | {normalize_number(bot_number)}
    unknown = sorted(
        {f.text for text in texts for f in find_numbers(text) if f.digits not in allowed}
    )
    if unknown:
        raise OutreachError(
            [f"{n!r} would be printed but is not in {registry.file}" for n in unknown]
        )
