"""Danger recognised by its parts (harm, weapon, confinement, injury, urgency, time), not phrases.

The emergency keyword list names whole phrases ("beating me", "locked us in"); each new batch of
texts found phrases it lacked. This signal reads a text for the parts danger is made of, in the
word families operators keep under `danger:` in keywords.yaml, and combines them by rule:

- someone hurt now (injury: "not breathing", "sangrando") is danger;
- a weapon next to harm, a threat, urgency, confinement or a person ("tiene arma") is danger;
- confinement of the texter or others ("nos encerro", "wont let us leave") is danger;
- a harm act against a person ("me", "my kids", "la") that is happening or about to happen (an -ing
  or -ando/-iendo form, "va a", "gonna") or comes with urgency ("ahorita", "if i leave") is danger;
- a threat ("amenazar", "threaten") with a harm act or a weapon is danger;
- what takes it back, unless an urgency word says it is now: a question about what one would do
  ("que hago si", "what do i do if"); a past-time marker ("last year", "hace meses"), except for
  someone hurt or held, which may last; a habit ("keeps", "siempre") or words showing a harm word
  means something else ("this heat", "cut my hours", "si llego tarde", "la migra").

`lowered` tells the matcher that the text is framed as past, a question or another sense of a harm
word, so the emergency phrase list's own hits there ("beat me years ago") are not danger now
either; a habit or another sense lowers the list only where a harm act is all the danger found.

Verbs are written once in their base form; their inflections are made by rule here (en -s/-ed/-ing,
es -a/-an/-o/-ando/-aron/-arme..., with clitics), so "golpear" also finds "golpeandola".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from bot.core.text import tokenize

#: The families of danger words operators keep, in the order a reason names them.
HARM, WEAPON, THREAT, CONFINEMENT, INJURY, URGENCY, FUTURE, TARGET = (
    "harm", "weapon", "threat", "confinement", "injury", "urgency", "future", "target",
)  # fmt: skip
PAST, HABITUAL, HYPOTHETICAL, NOT_HARM = "past", "habitual", "hypothetical", "not_harm"
#: Families whose verbs get inflected by rule.
VERB_FAMILIES = frozenset({HARM, THREAT, CONFINEMENT, INJURY})
#: Families that make it not danger now.
LOWERING = (PAST, HABITUAL, HYPOTHETICAL, NOT_HARM)
FAMILIES = (
    HARM, WEAPON, THREAT, CONFINEMENT, INJURY, URGENCY, FUTURE, TARGET, *LOWERING,
)  # fmt: skip
#: A harm act and its target must be this close (in words): "me esta pegando", "hitting my son".
TARGET_WINDOW = 3
#: Words a phrase of a family may skip between its own: "wont let [us] leave".
PHRASE_GAP = 1

#: Tense of an inflected form: progressive (-ing, -ando) is happening now; habitual past (-aba,
#: -ia) is not.
PROGRESSIVE, HABITUAL_PAST, OTHER = "progressive", "habitual_past", "other"

_ES_CLITICS = ("me", "nos", "la", "lo", "le", "las", "los", "les", "te")
_ES_TARGET_CLITICS = frozenset({"me", "nos", "la", "lo", "le", "las", "los", "les"})
_EN_DOUBLING_END = frozenset("bdgmnprt")  # stab -> stabbing, drag -> dragged, hit -> hitting
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True)
class DangerWords:
    """The danger word families of a library, per family and language, as operators wrote them."""

    families: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def words(self, family: str, lang: str) -> tuple[str, ...]:
        """One family's entries in one language."""
        return self.families.get(family, {}).get(lang, ())


@dataclass(frozen=True, slots=True)
class _Form:
    """One word form a family entry stands for."""

    family: str
    entry: str  # what the operator wrote, for the reason
    tense: str = OTHER
    #: the form carries its own target: "pegarme", "golpeandola"
    clitic_target: bool = False


@dataclass(frozen=True)
class DangerIndex:
    """The families' forms, indexed once per library so that reading a message is a few lookups."""

    #: word -> the forms it is
    single: Mapping[str, tuple[_Form, ...]]
    #: first word forms -> (the remaining words' forms, the form) of phrases starting with it
    phrases: Mapping[str, tuple[tuple[tuple[frozenset[str], ...], _Form], ...]]


class Part(NamedTuple):  # not a frozen dataclass: one is built per word found, on every message
    """A part of danger found in a message: its family, the operator's entry and where."""

    family: str
    entry: str
    first: int
    last: int
    tense: str = OTHER
    clitic_target: bool = False


@dataclass(frozen=True)
class DangerReading:
    """What the signal made of a message: danger or not, and the parts that say why."""

    danger: bool
    parts: tuple[Part, ...] = ()
    because: str = ""
    #: past, hypothetical or figurative framing was found, with nothing saying it is now
    lowered: bool = False

    @property
    def reason(self) -> str:
        """A line an operator can read: the rule and the entries found."""
        named = ", ".join(f"{p.family} {p.entry!r}" for p in self.parts)
        return f"danger: {self.because} ({named})" if self.because else ""


def english_forms(word: str) -> dict[str, str]:
    """A regular English verb's forms and their tense: hit -> hits, hitting, hitted(harmless)..."""
    forms = {word: OTHER, word + "s": OTHER}
    if word.endswith(("s", "sh", "ch", "x", "z")):
        forms[word + "es"] = OTHER
    if word.endswith("e") and not word.endswith("ee"):
        stem = word[:-1]
        forms[stem + "ing"] = PROGRESSIVE
        forms[word + "d"] = OTHER
        return forms
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        forms[word[:-1] + "ies"] = OTHER
        forms[word[:-1] + "ied"] = OTHER
    forms[word + "ing"] = PROGRESSIVE
    forms[word + "ed"] = OTHER
    if (
        len(word) >= 3
        and word[-1] in _EN_DOUBLING_END
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        forms[word + word[-1] + "ing"] = PROGRESSIVE
        forms[word + word[-1] + "ed"] = OTHER
    return forms


def spanish_forms(word: str) -> dict[str, tuple[str, bool]]:
    """A regular Spanish verb's forms (from its infinitive), their tense and whether a clitic
    target is attached: pegar -> pega, pegan, pego, pegue, pegando, pegaron, pegaba, pegarme,
    pegandome... A word that is no infinitive stands for itself."""
    if len(word) < 4 or word[-2:] not in ("ar", "er", "ir"):
        return {word: (OTHER, False)}
    stem, kind = word[:-2], word[-2:]
    soft = stem
    if kind == "ar":  # the spelling before e: pegue, ahorque, empuje
        if stem.endswith("g"):
            soft = stem + "u"
        elif stem.endswith("c"):
            soft = stem[:-1] + "qu"
        elif stem.endswith("z"):
            soft = stem[:-1] + "c"
        plain = ("a", "an", "o", "as", "amos", "aron", "ado", "ada", "ados", "adas", "ara")
        forms = {stem + e: (OTHER, False) for e in plain}
        forms.update({soft + e: (OTHER, False) for e in ("e", "en", "es")})
        gerund, infinitive = stem + "ando", word
        forms.update({stem + e: (HABITUAL_PAST, False) for e in ("aba", "aban", "abas")})
    else:
        plain = ("e", "en", "o", "es", "io", "ieron", "ido", "ida", "idos", "idas", "a", "an")
        forms = {stem + e: (OTHER, False) for e in plain}
        gerund, infinitive = stem + "iendo", word
        forms.update({stem + e: (HABITUAL_PAST, False) for e in ("ia", "ian", "ias")})
    forms[infinitive] = (OTHER, False)
    forms[gerund] = (PROGRESSIVE, False)
    for clitic in _ES_CLITICS:
        target = clitic in _ES_TARGET_CLITICS
        forms[infinitive + clitic] = (OTHER, target)
        forms[gerund + clitic] = (PROGRESSIVE, target)
    return forms


def _entry_forms(family: str, lang: str, word: str, first: bool) -> dict[str, tuple[str, bool]]:
    """The forms one word of a family entry stands for."""
    if family in VERB_FAMILIES and lang == "es":
        return spanish_forms(word)
    if family in VERB_FAMILIES and lang == "en" and first:
        return {form: (tense, False) for form, tense in english_forms(word).items()}
    if family == WEAPON and not word.endswith("s"):
        return {word: (OTHER, False), word + "s": (OTHER, False), word + "es": (OTHER, False)}
    return {word: (OTHER, False)}


def build_danger_index(words: DangerWords) -> DangerIndex:
    """Inflect each family's entries by rule and index their forms."""
    single: dict[str, list[_Form]] = {}
    phrases: dict[str, list[tuple[tuple[frozenset[str], ...], _Form]]] = {}
    # One _Form per entry, tense and clitic, shared by the hundreds of word forms that carry it:
    # a form each took twice the memory of the whole index.
    shared: dict[_Form, _Form] = {}
    for family in FAMILIES:
        for lang, entries in words.families.get(family, {}).items():
            for entry in entries:
                tokens = tokenize(entry)
                if not tokens:
                    continue
                slots = [
                    _entry_forms(family, lang, token, at == 0) for at, token in enumerate(tokens)
                ]
                if len(tokens) == 1:
                    for form, (tense, clitic) in slots[0].items():
                        found = single.setdefault(form, [])
                        made = _Form(family, entry, tense, clitic)
                        made = shared.setdefault(made, made)
                        if made not in found:
                            found.append(made)
                    continue
                rest = tuple(frozenset(slot) for slot in slots[1:])
                for form, (tense, clitic) in slots[0].items():
                    made = _Form(family, entry, tense, clitic)
                    phrases.setdefault(form, []).append((rest, shared.setdefault(made, made)))
    return DangerIndex(
        single=MappingProxyType({w: tuple(f) for w, f in single.items()}),
        phrases=MappingProxyType({w: tuple(p) for w, p in phrases.items()}),
    )


def _follow(words: Sequence[str], rest: tuple[frozenset[str], ...], at: int) -> int | None:
    """Where a phrase's later words follow position `at` (each within PHRASE_GAP), or None."""
    for slot in rest:
        for step in range(1, PHRASE_GAP + 2):
            if at + step < len(words) and words[at + step] in slot:
                at += step
                break
        else:
            return None
    return at


def find_parts(words: Sequence[str], index: DangerIndex) -> list[Part]:
    """Every family entry found in a message's words; a phrase covers the single words in it."""
    parts: list[Part] = []
    covered: set[tuple[int, str]] = set()  # a phrase covers words of its own family only
    phrases, single = index.phrases, index.single
    for at, word in enumerate(words):
        for rest, form in phrases.get(word, ()):
            last = _follow(words, rest, at)
            if last is not None:
                parts.append(
                    Part(form.family, form.entry, at, last, form.tense, form.clitic_target)
                )
                covered.update((i, form.family) for i in range(at, last + 1))
    for at, word in enumerate(words):
        for form in single.get(word, ()):
            if (at, form.family) not in covered:
                parts.append(Part(form.family, form.entry, at, at, form.tense, form.clitic_target))
    parts.sort(key=lambda p: (p.first, FAMILIES.index(p.family)))
    return parts


def _near(a: Part, b: Part, window: int) -> bool:
    """Whether two parts are within `window` words of each other, not overlapping."""
    return (a.last < b.first and b.first - a.last <= window) or (
        b.last < a.first and a.first - b.last <= window
    )


def combine(parts: Iterable[Part]) -> DangerReading:
    """The rule: which combinations of parts are danger now, and what takes it back."""
    parts = tuple(parts)
    by: dict[str, list[Part]] = {}
    for part in parts:
        by.setdefault(part.family, []).append(part)
    urgency, injury = by.get(URGENCY, []), by.get(INJURY, [])
    lowering = [p for family in LOWERING for p in by.get(family, [])]
    harm, weapon, threat = by.get(HARM, []), by.get(WEAPON, []), by.get(THREAT, [])
    confinement, targets, future = by.get(CONFINEMENT, []), by.get(TARGET, []), by.get(FUTURE, [])
    if urgency:
        lowering = []  # "right now", "if i leave", "911": whatever else the text says, it is now
    asked = [p for p in lowering if p.family == HYPOTHETICAL]
    if asked:  # "what do i do if", "que hago si": a question, not something happening
        return DangerReading(False, tuple(asked), lowered=True)
    past = [p for p in lowering if p.family == PAST]
    if past and not (injury or confinement):
        # "last year", "hace meses": an act that is over. Someone hurt or held is a state that
        # may still last ("they locked us in yesterday"): that stays danger, erring toward it.
        return DangerReading(False, tuple(past), lowered=True)
    if lowering and harm and not (injury or confinement or weapon):
        # "this heat is killing me", "keeps cutting our pay": the harm words mean something else,
        # or a habit the texter describes, and nothing else in the text is danger now.
        return DangerReading(False, tuple(lowering), lowered=True)

    if injury:
        return DangerReading(True, (*injury, *urgency), "someone is hurt now")
    other_sense = [p for p in lowering if p.family in (HABITUAL, NOT_HARM)]
    if other_sense:  # a habit, or words about pay, papers or the heat: not danger by its parts
        return DangerReading(False, tuple(other_sense))
    if weapon and (harm or threat or urgency or confinement or targets or future):
        with_it = [*harm, *threat, *confinement, *urgency, *future, *targets][:2]
        return DangerReading(True, (*weapon[:1], *with_it), "a weapon with a threat or a person")
    if confinement and (
        targets or urgency or len(confinement) > 1 or any(p.clitic_target for p in confinement)
    ):
        target = [t for t in targets][:1]
        return DangerReading(True, (*confinement[:1], *target), "someone is held")
    for act in harm:
        aimed = act.clitic_target or any(_near(act, t, TARGET_WINDOW) for t in targets)
        if not aimed or (act.tense == HABITUAL_PAST and not urgency):
            continue
        coming = [f for f in future if _near(act, f, TARGET_WINDOW + 1)]
        if act.tense == PROGRESSIVE or coming or urgency:
            target = [t for t in targets if _near(act, t, TARGET_WINDOW)][:1]
            return DangerReading(
                True,
                (act, *target, *coming[:1], *urgency[:1]),
                "harm to someone now or about to happen",
            )
    for act in threat:  # a threat to call immigration or keep the pay is not this kind of danger
        if harm:
            return DangerReading(True, (act, *harm[:1], *urgency[:1]), "a threat of harm")
    return DangerReading(False, parts)


def read_danger(words: Sequence[str], index: DangerIndex) -> DangerReading:
    """The danger signal of a message's normalised words."""
    parts = find_parts(words, index)
    return combine(parts) if parts else NO_DANGER


#: The reading of a message with no danger word at all (most messages).
NO_DANGER = DangerReading(False)
