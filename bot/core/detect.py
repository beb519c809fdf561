"""Which of the library's languages a text is in, or that it is in a language the library lacks.

Evidence, strongest first:
1. The script. Hangul, Han, Kana, Cyrillic, Arabic... name a few languages at most; a text whose
   letters are mostly in a script no library language is written in is in a language it lacks.
   Letters only some languages of a script use tell them apart (Ukrainian і ї є ґ, Russian
   ы э ъ ё; Vietnamese đ ơ ư and its tone marks, which no other Latin language writes).
2. The library's own words: the keywords a text hits, and the little words of each language
   (FUNCTION_WORD_LISTS). A text of one or two words is decided by them alone when they name a
   language: no statistical model reads two words as well.
3. The library's own language model (bot.core.language_model: naive Bayes over the reader's
   character n-grams, learned from the library's examples of each language): for texts
   in the Latin script whose language the words leave open, or that none of the library's words
   name (then only when it is sure), and to tell languages of one script apart. A language whose
   language.yaml says it is texted in Latin letters too (`romanized:`) is learned romanised as
   well, so a Latin text may be in it ("pomogite").
4. py3langid (bot.core.langid_model), restricted to the library's languages and, in a library
   that answers languages it lacks, the commoner ones it lacks: for texts in the Latin script
   whose language the words leave open (_words_leave_open), mostly to tell a language the library
   lacks; and to tell languages of one script apart when the library has no model of them.

A text that gives no sign of its language (a menu number, "ok") gets the default language and
`guessed=True`, so the webhook may answer it in the language of the reply it sent last.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.core.langid_model import LangidTables, langid_tables
from bot.core.language import SPANISH_MARKS
from bot.core.language_model import (
    LanguageModel,
    library_texts,
    romanized_languages,
    train_language_model,
)
from bot.core.languages import base_language, writing_script
from bot.core.little_words import FUNCTION_WORD_LISTS, ROMANIZED_FUNCTION_WORD_LISTS
from bot.core.scripts import script_counts

if TYPE_CHECKING:
    from bot.core.model import Library

#: Default evidence about languages, by language subtag; a library language without an entry
#: has only its script, its keywords and the model. Letters that mark one language of a script:
DISTINCTIVE_LETTERS: Mapping[str, str] = MappingProxyType(
    {
        "uk": "іїєґ",
        "ru": "ыэъё",
        "be": "ў",
        # not ă or â, which Romanian writes too
        "vi": "đơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịĩọỏốồổỗộớờởỡợụủũứừửữựỳỵỷỹ",
    }
)
#: Latin letters that Spanish never uses: with one of them, accents are no vote for Spanish
#: (Portuguese ã õ ç â ê ô, French è à ù, German ä ö ü ß...).
NOT_SPANISH_LETTERS = frozenset("ãõçâêîôûàèìòùëïäößåøæœăđơư")
#: Languages the model is also asked about besides the library's, so that a text clearly in one
#: of them is recognised as a language the library lacks: the commoner ones written in the Latin
#: script (a text in another script is told by its script). Each costs a worker ~200 KB.
OTHER_CANDIDATES = "pt fr de it nl ro pl ht id ms sw tr ca om ha yo zu".split()
#: The model's probability for the languages the library lacks, together, that a text of enough
#: words and no keyword of the library needs to count as written in one of them.
OTHER_LANGUAGE_CONFIDENCE = 0.9
#: A text of FOREIGN_MIN_WORDS words or more that the model gives a language the library lacks
#: this probability is in that language though a keyword of the library is among its words, if
#: they are few: "patron", "restaurant" and "passeport" are French too.
FOREIGN_SURE = 0.99
FOREIGN_MIN_WORDS = 4
#: ...few: fewer keyword votes than one for every this many words of the text.
FOREIGN_WORDS_PER_KEYWORD = 4
#: How much of a text its script, marks and model are read from (its words all count).
SAMPLE_CHARS = 320
#: Keyword words of one language (and of no other) that decide a text's language without the model.
KEYWORD_WORDS_THAT_DECIDE = 2
#: Texts of fewer words than this are decided by the library's own words (and marks) alone
#: when those name a language.
MODEL_MIN_WORDS = 3
#: Votes the library's language model gives a Latin text's languages: this many times each one's
#: probability (py3langid's weigh twice theirs; a keyword word half a vote, a little word one).
LIBRARY_MODEL_VOTE = 3.0
#: A text none of the library's words name goes to the language the library's model gives this
#: probability or more, else to the default language as a guess (a word that is no keyword).
LIBRARY_MODEL_SURE = 0.8
#: A Latin text in a language written in another script is answered in it, though py3langid
#: finds it in a language the library lacks, when the library's model gives it this probability:
#: py3langid knows that language in its own script only.
ROMANIZED_SURE = 0.9
#: Votes py3langid gives a Latin text's languages: this many times each one's probability.
PY3LANGID_VOTE = 2.0

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_VIETNAMESE = frozenset(DISTINCTIVE_LETTERS["vi"])
#: Scripts as langcodes writes a language's usual script, folded to the script of its letters.
_SCRIPT_FAMILY = {"Hans": "Hani", "Hant": "Hani", "Jpan": "Kana", "Kore": "Hang"}
#: A Han character says about as much as a word: counted this many times against other letters.
_HAN_WEIGHT = 2
#: Letters of any script but Latin count this many times: in "help 주세요" the Korean decides, as
#: English words ("help", "ok") are written among every other script.
_NON_LATIN_WEIGHT = 3


def _weight(script: str, letters: int) -> int:
    """Letters of a script as evidence: those of any script but Latin count more (a Han
    character most: it is a word)."""
    if script == "Latn":
        return letters
    return letters * _NON_LATIN_WEIGHT * (_HAN_WEIGHT if script == "Hani" else 1)


class Detected(NamedTuple):  # a NamedTuple: built for every text, at a third of a dataclass's cost
    """A text's reply language: a library language, or None for one the library lacks; `guessed`
    when the text gave no sign of any and the default was taken; `other` names the model's
    guess of a language the library lacks (for the daily counts), else ""."""

    lang: str | None
    guessed: bool = False
    other: str = ""


@dataclass(frozen=True, eq=False)
class LanguageDetector:
    """What detection needs of a library's languages, worked out once when its matcher is built."""

    languages: tuple[str, ...]
    #: library language -> the script family it is written in
    scripts: Mapping[str, str]
    #: library language -> its language subtag (zh for zh-Hans)
    bases: Mapping[str, str]
    #: the library can answer a text in a language it lacks (responses/other-language.txt)
    answers_others: bool = False
    #: the model's tables for the library's languages and OTHER_CANDIDATES; None if unavailable
    model: LangidTables | None = field(default=None, repr=False)
    #: worked out once from the above (build_detector), so a text costs a few set lookups:
    #: the library's languages written in the Latin script, in the library's order
    latin: tuple[str, ...] = ()
    #: the scripts the library's languages are written in
    script_set: frozenset[str] = frozenset()
    latin_set: frozenset[str] = frozenset()
    #: (language, its function words) for those of them that have a list
    function_words: tuple[tuple[str, frozenset[str]], ...] = ()
    #: the library's language whose subtag is es, which accents vote for; "" if none
    spanish: str = ""
    #: (subtag, its function words) of languages the library lacks, and all their words
    foreign_lists: tuple[tuple[str, frozenset[str]], ...] = ()
    foreign_words: frozenset[str] = frozenset()
    #: the library's language subtags
    our_bases: frozenset[str] = frozenset()
    #: (subtag, its distinctive letters) of languages the library lacks, if it answers others
    lacking_letters: tuple[tuple[str, frozenset[str]], ...] = ()
    #: the library's own language model (bot.core.language_model); None without enough texts
    library_model: LanguageModel | None = field(default=None, repr=False)
    #: the library's languages written in another script that a Latin text may be in: its model
    #: learned them romanised too (language.yaml `romanized:`)
    romanized: tuple[str, ...] = ()
    #: the languages a Latin text may be in: `latin`, then `romanized`
    latin_candidates: tuple[str, ...] = ()
    #: the library's model knows every one of `latin_candidates`
    latin_modelled: bool = False

    @property
    def default(self) -> str:
        """The library's first language."""
        return self.languages[0]


def library_detector(library: Library) -> LanguageDetector:
    """The detector for a library: its languages, whether it answers others, and its own texts."""
    return build_detector(
        library.languages,
        bool(library.other_language),
        library_texts(library),
        romanized_languages(library),
        {lang: info.little_words for lang, info in library.language_info.items()},
    )


def build_detector(
    languages: Sequence[str],
    answers_others: bool,
    texts: Mapping[str, Sequence[str]] | None = None,
    romanized: Mapping[str, Mapping[str, str]] | None = None,
    little_words: Mapping[str, frozenset[str]] | None = None,
) -> LanguageDetector:
    """The detector for a library's languages (the model's tables are shared per process).

    `texts` are the library's own texts in each language (its examples), which its
    language model learns from; `romanized` names the languages people text in Latin letters too,
    each with its own spellings of letters (language.yaml `romanized:`); `little_words` are each
    language's own little words (language.yaml `little_words:`), counted beside the defaults."""
    bases = {lang: base_language(lang) for lang in languages}
    scripts = {lang: _family(writing_script(lang)) for lang in languages}
    library_model = None
    if texts and (len(languages) > 1 or answers_others):
        library_model = train_language_model(
            {lang: texts.get(lang, ()) for lang in languages},
            {
                lang: letters
                for lang, letters in (romanized or {}).items()
                if scripts.get(lang, "Latn") != "Latn"
            },
        )
    romanized_langs = tuple(
        lang for lang in languages if library_model is not None and lang in library_model.romanized
    )
    # The model leaves out those it does not know. Other languages are asked about only when the
    # library can answer them: each language costs every text the model reads.
    wanted = {*bases.values(), *(OTHER_CANDIDATES if answers_others else ())}
    model = None
    if len(languages) > 1 or answers_others:
        try:
            model = langid_tables(sorted(wanted))
        except (RuntimeError, OSError, ValueError, subprocess.SubprocessError):
            # Without the model, the script and the library's own words still decide: a bot
            # that answers in the wrong language now and then beats one that does not answer.
            model = None
    latin = tuple(lang for lang in languages if scripts[lang] == "Latn")
    own_words = little_words or {}
    ours = frozenset(bases.values())
    foreign = tuple((b, words) for b, words in FUNCTION_WORD_LISTS.items() if b not in ours)
    return LanguageDetector(
        languages=tuple(languages),
        scripts=MappingProxyType(scripts),
        bases=MappingProxyType(bases),
        answers_others=answers_others,
        model=model,
        latin=latin,
        script_set=frozenset(scripts.values()),
        latin_set=frozenset(latin),
        function_words=tuple(
            (lang, listed)
            for lang, defaults in (
                *((lang, FUNCTION_WORD_LISTS) for lang in latin),
                *((lang, ROMANIZED_FUNCTION_WORD_LISTS) for lang in romanized_langs),
            )
            if (listed := defaults.get(bases[lang], frozenset()) | own_words.get(lang, frozenset()))
        ),
        spanish=next((lang for lang in latin if bases[lang] == "es"), ""),
        foreign_lists=foreign,
        foreign_words=frozenset().union(*(words for _, words in foreign)),
        our_bases=ours,
        lacking_letters=tuple(
            (base, frozenset(letters))
            for base, letters in DISTINCTIVE_LETTERS.items()
            if base not in ours and answers_others
        ),
        library_model=library_model,
        romanized=romanized_langs,
        latin_candidates=(*latin, *romanized_langs),
        latin_modelled=library_model is not None and all(lang in library_model for lang in latin),
    )


def _family(script: str) -> str:
    return _SCRIPT_FAMILY.get(script, script)


def detect(
    text: str, words: Sequence[str], hits: Iterable[Any], detector: LanguageDetector
) -> Detected:
    """The reply language of a text (see the module's docstring for the evidence and its order)."""
    languages = detector.languages
    # Its first characters tell a text's script and marks as well as all 1,600 would.
    text = text[:SAMPLE_CHARS]
    counts = script_counts(text)
    counts.pop("Zyyy", None)
    if not counts:
        return Detected(detector.default, guessed=True)
    if len(languages) == 1 and not detector.answers_others:
        return Detected(detector.default)
    if len(counts) == 1:  # most texts: one script
        script = next(iter(counts))
    else:
        script = max(counts, key=lambda s: (_weight(s, counts[s]), s != "Latn"))
        # Japanese writes Han characters among its kana, and Chinese never writes kana: the kana
        # decide, however few ("残業代が出ません" is not Chinese).
        kana_among_han = script == "Hani" and counts.get("Kana", 0) > 0
        if kana_among_han:
            script = "Kana"
        ours = [s for s in counts if s in detector.script_set]
        # A script no library language uses may outweigh the others, but it takes more of its
        # letters than of theirs to make the text another language's: "Housing 住房" is not.
        if (
            ours
            and not kana_among_han
            and script not in detector.script_set
            and sum(counts[s] for s in ours) >= counts[script]
        ):
            script = max(ours, key=lambda s: _weight(s, counts[s]))
    if script != "Latn":
        return _by_script(text, script, hits, detector)
    return _latin(text, words, hits, detector)


def _by_script(text: str, script: str, hits: Iterable[Any], detector: LanguageDetector) -> Detected:
    """A text mostly in a script other than Latin: the library's languages written in it."""
    candidates = [lang for lang in detector.languages if detector.scripts[lang] == script]
    if not candidates:
        return _other(text, detector, guess="-")
    lacking = _lacking_letters(text, detector)
    if lacking:
        return _other(text, detector, lacking)  # "на будоўлі": Belarusian, not Ukrainian
    if len(candidates) == 1:
        return Detected(candidates[0])
    marked = _marked(text, candidates, detector)
    if len(marked) == 1:
        return Detected(marked[0])
    votes = _keyword_votes(hits, candidates)
    library_model = detector.library_model
    if library_model is not None and all(lang in library_model for lang in candidates):
        # One vote shared by the model's probabilities: it knows how the library's writers text
        # each language ("не платять"), and costs less than py3langid.
        for lang, probability in library_model.probabilities(text, candidates).items():
            votes[lang] = votes.get(lang, 0.0) + probability
    if votes and max(votes.values()) > 0:
        return Detected(max(candidates, key=lambda lang: votes.get(lang, 0.0)))
    ranked = _model_rank(text, candidates, detector)
    return Detected(ranked[0] if ranked else candidates[0])


def _latin(
    text: str, words: Sequence[str], hits: Iterable[Any], detector: LanguageDetector
) -> Detected:
    """A text in the Latin script: marks, the library's words, then the models."""
    plain = text.isascii()
    if not plain:
        marked = _marked(text, detector.latin or detector.languages, detector)
        if marked:
            return Detected(marked[0])
        if not _VIETNAMESE.isdisjoint(text.lower()):
            return _other(text, detector, "vi")  # Vietnamese, which this library lacks
    if not detector.latin:
        return _other(text, detector)
    candidates = detector.latin_candidates
    hits = tuple(hits)
    said = _keyword_votes(hits, detector.latin_set)
    votes = dict(said)
    if detector.romanized:
        # Keywords of a language written in another script, found in Latin letters ("pomogite"
        # for "помогите": the matcher reads every text romanised), those written in that script
        # only (a loanword such as "T visa" says nothing). They vote, but are not `said`, which
        # keeps a text from another language's reply: "zabrali mi paszport" is Polish.
        romanized = (hit for hit in hits if not hit.keyword.text.isascii())
        for lang, vote in _keyword_votes(romanized, detector.romanized).items():
            votes[lang] = votes.get(lang, 0.0) + vote
    # A little word inside a keyword the text hits is that keyword's ("i" of "i caawi").
    inside = {i for hit in hits for i in range(hit.first, hit.last + 1)}
    counted = [word for i, word in enumerate(words) if i not in inside] if inside else words
    for lang, listed in detector.function_words:
        found = sum(map(listed.__contains__, counted))
        if found:
            votes[lang] = votes.get(lang, 0.0) + found
    if (
        not plain
        and detector.spanish
        and not SPANISH_MARKS.isdisjoint(text)
        and NOT_SPANISH_LETTERS.isdisjoint(text.lower())
        and not _marks_spelled_by_keywords(text, hits, detector.spanish)
    ):
        votes[detector.spanish] = votes.get(detector.spanish, 0.0) + 1
    if len(words) >= 2 and not any(votes.values()):
        # No word of the library's languages, but little words of another: "salamat po" to a
        # library without Tagalog.
        theirs = _other_function_words(words, detector)
        if theirs is not None:
            return _other(text, detector, theirs)
    leave_open = _words_leave_open(text, words, said, votes, detector)
    modelled: Mapping[str, float] = {}
    if detector.latin_modelled and words and (leave_open or not any(votes.values())):
        assert detector.library_model is not None
        modelled = detector.library_model.probabilities(text, candidates)
        if any(votes.values()):
            for lang, probability in modelled.items():
                votes[lang] = votes.get(lang, 0.0) + LIBRARY_MODEL_VOTE * probability
        else:  # no word of the library names a language: the model alone, if it is sure
            top = max(modelled, key=modelled.__getitem__)
            if modelled[top] >= LIBRARY_MODEL_SURE:
                votes[top] = LIBRARY_MODEL_VOTE * modelled[top]
    if leave_open and detector.model is not None:
        ranked = detector.model.rank(text)
        top = ranked[0][0]
        ours = {detector.bases[lang]: lang for lang in reversed(detector.latin)}
        ours_all = detector.our_bases
        others = sum(p for base, p in ranked if base not in ours_all)
        keywords = sum(said.values())
        if (
            others >= OTHER_LANGUAGE_CONFIDENCE
            and (
                keywords < 1
                or (
                    ranked[0][1] >= FOREIGN_SURE
                    and len(words) >= FOREIGN_MIN_WORDS
                    and keywords * FOREIGN_WORDS_PER_KEYWORD < len(words)
                )
            )
            and top not in ours_all
            and not _romanized_lead(votes, modelled, detector)
        ):
            return _other(text, detector, top)
        for base, probability in ranked:
            if base in ours:
                votes[ours[base]] = votes.get(ours[base], 0.0) + PY3LANGID_VOTE * probability
    if not votes or max(votes.values()) <= 0:
        return Detected(detector.default, guessed=True)
    best = max(votes.values())
    # On a tie the library's order decides: its first language is the default.
    return Detected(next(lang for lang in candidates if votes.get(lang, 0.0) == best))


def _marks_spelled_by_keywords(text: str, hits: Sequence[Any], spanish: str) -> bool:
    """Whether every accented letter Spanish also writes is one that a keyword of another of the
    library's languages the text holds is spelled with: "giúp" is a Vietnamese keyword, and
    its ú says nothing of Spanish."""
    spelled = {ch for hit in hits if hit.keyword.lang != spanish for ch in hit.keyword.text.lower()}
    return bool(spelled) and (SPANISH_MARKS & set(text.lower())) <= spelled


def _romanized_lead(
    votes: Mapping[str, float], modelled: Mapping[str, float], detector: LanguageDetector
) -> bool:
    """Whether a Latin text is in a language written in another script: it leads the votes, and
    the library's model is sure of it."""
    if not detector.romanized or not votes:
        return False
    best = max(votes, key=votes.__getitem__)
    return best in detector.romanized and modelled.get(best, 0.0) >= ROMANIZED_SURE


def _other_function_words(words: Sequence[str], detector: LanguageDetector) -> str | None:
    """A language the library lacks whose function words are two or more of the text's, if any."""
    for base, listed in detector.foreign_lists:
        if len(listed.intersection(words)) >= 2:
            return base
    return None


def _words_leave_open(
    text: str,
    words: Sequence[str],
    said: Mapping[str, float],
    votes: Mapping[str, float],
    detector: LanguageDetector,
) -> bool:
    """Whether the library's own words leave a text's language open, so the models must read it.

    The models cost 50-250 us a text, the words nothing: they read a text of three words or more
    when the two likeliest languages are within a vote of each other (in a library that cannot
    answer other languages, only when some word votes), or, in a library that answers languages
    it lacks, when the text may be in one (a letter or a little word of another language, or
    too few of the library's words for its length), unless two keyword words of one language
    and none of another settle it.
    """
    if len(words) < MODEL_MIN_WORDS:
        return False
    ranked = [*sorted(votes.values(), reverse=True), 0.0, 0.0]
    if not detector.answers_others:
        # Only the library's languages to choose from: the model is asked only when the words
        # lean two ways. A text without any of them keeps the default, marked as a guess.
        return 0 < ranked[0] < ranked[1] + 1
    if ranked[0] - ranked[1] < 1:
        return True
    foreign = not detector.foreign_words.isdisjoint(words) or not NOT_SPANISH_LETTERS.isdisjoint(
        text.lower()
    )
    if foreign and len(words) >= FOREIGN_MIN_WORDS:
        # Before two keyword words may settle it: "o patrao nao paga as horas extras ... faço" is
        # Portuguese, "les agents de l'immigration ... chez moi" French (FOREIGN_SURE decides).
        return True
    if len(said) == 1 and next(iter(said.values())) >= KEYWORD_WORDS_THAT_DECIDE * 0.5:
        return False
    return foreign or ranked[0] < len(words) / 3


def _marked(text: str, candidates: Sequence[str], detector: LanguageDetector) -> list[str]:
    """The candidates whose distinctive letters the text uses, most letters first."""
    unusual = "".join(_NON_ASCII.findall(text)).lower()  # every distinctive letter is non-ASCII
    if not unusual:
        return []
    scored = []
    for lang in candidates:
        letters = DISTINCTIVE_LETTERS.get(detector.bases[lang])
        if letters:
            found = sum(ch in letters for ch in unusual)
            if found:
                scored.append((found, lang))
    scored.sort(key=lambda pair: -pair[0])
    return [lang for _, lang in scored]


def _lacking_letters(text: str, detector: LanguageDetector) -> str:
    """The language the library lacks whose distinctive letters the text uses ("" if none, or if
    the library has no other-language reply)."""
    if not detector.lacking_letters:
        return ""
    lowered = text.lower()
    return next(
        (base for base, letters in detector.lacking_letters if not letters.isdisjoint(lowered)), ""
    )


def _keyword_votes(hits: Iterable[Any], wanted: Collection[str]) -> dict[str, float]:
    """Half a vote per word of each keyword the text hits, for its language (if wanted)."""
    votes: dict[str, float] = {}
    for hit in hits:
        lang = hit.keyword.lang
        if lang in wanted:
            votes[lang] = votes.get(lang, 0.0) + 0.5 * len(hit.keyword.words)
    return votes


def _model_rank(text: str, candidates: Sequence[str], detector: LanguageDetector) -> list[str]:
    """The candidates in the model's order (those it does not know left out)."""
    if detector.model is None:
        return []
    by_base = {detector.bases[lang]: lang for lang in reversed(candidates)}
    return [by_base[base] for base, _ in detector.model.rank(text) if base in by_base]


def _other(text: str, detector: LanguageDetector, guess: str = "") -> Detected:
    """A text in a language the library lacks: the other-language reply if the library has one,
    else the default language, as before there was one."""
    if not detector.answers_others:
        return Detected(detector.default, guessed=True)
    if not guess and detector.model is not None:
        guess = detector.model.rank(text)[0][0]
    return Detected(None, other=guess if guess.isascii() and guess.isalpha() else "")


def closest_language(text: str, detector: LanguageDetector | None, default: str) -> str:
    """Of the library's languages, the one its own model finds a text closest to (romanised
    ones too: pinyin is nearest Chinese), for a reply that must go out though the text reads as
    another language; `default` without a model or when it is unsure (below 50%)."""
    model = detector.library_model if detector is not None else None
    if model is None:
        return default
    scored = model.probabilities(text, detector.languages)
    best = max(scored, key=scored.__getitem__, default=None)
    return best if best is not None and scored[best] >= 0.5 else default
