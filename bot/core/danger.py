"""Danger recognised by its parts (harm, weapon, confinement, injury, urgency, time), not phrases.

The emergency keyword list names whole phrases ("beating me", "locked us in"); each new batch of
texts found phrases it lacked. This signal reads a text for the parts danger is made of, in the
word families operators keep under `danger:` in keywords.yaml, and combines them by rule:

- someone hurt now (injury: "not breathing", "sangrando") is danger;
- a weapon next to harm, a threat, urgency, confinement or a person ("tiene arma") is danger;
- confinement of the texter or others ("nos encerro", "wont let us leave") is danger;
- a harm act against a person ("me", "my kids", "la") that is happening or about to happen (an -ing
  or -ando/-iendo form, "va a", "gonna") or comes with urgency ("ahorita", "if i leave") is danger;
- someone taken ("loading us", "me subio", "snatched my sister") in a vehicle or now, with force
  beside it (urgency, harm, a threat, confinement, a weapon), is danger; a ride is not; told in
  the passive ("got pulled into a truck") the subject is the one taken; a child taken now by a
  stranger ("un viejo", "some guy") into a vehicle, or in distress ("va llorando"), needs no
  other force;
- someone in the water (a drowning sign near the water: "fell in ... the canal", "no saben nadar
  ... el rio") or who swallowed a poison ("se tomo el cloro") is hurt now;
- someone hurt in an accident: what happened ("pulled into", "hit the power line", "se volco"),
  or a harm act aimed at someone, near the state it left them in ("still running", "under it",
  "ninguno sale");
- the wish to die near its means ("dont wanna be here anymore ... the rope"), with an urgency,
  or said twice;
- someone moved far away ("to idaho", "pa donde") against their will ("doesnt wanna go", "sin
  ventanas") now; the texter moving ("im driving") is not;
- a threat ("amenazar", "threaten", "or else") with a harm act, or with an urgency apart from the
  threat ("outside my door ... or else") that is no condition ("if i talk", "si hablamos"), is
  danger;
- a tip about others ("can i tell u anonymously", "sin dar mi nombre"), with no urgency, weapon
  or harm happening (-ing) and no one of the texter's own ("us", "mi hijo") among the people, is
  for the report line, not danger now; someone hurt, in the water or in an accident is danger all
  the same;
- what takes it back, unless an urgency word says it is now (and no `away` word says the one who
  hurts is not there: "hes at work rn"): a question about what one would do ("que hago si", "what
  do i do if"); long ago ("years ago", "in 2021"), even for someone held or hurt then; a past-time
  marker ("last week", "ayer"), except for someone hurt or held, which may last; a habit
  ("keeps", "siempre") of harm (not of holding someone); words showing a harm word means something
  else ("this heat", "cut my hours", "si llego tarde", "la migra"); a word right next to an injury
  or confinement word that gives it another sense ("dying laughing", "salir con mis amigas"), or a
  phrase a danger word is part of ("este jale" is a job, not "jalar").

Texting spellings (q, k, x, pa, aki, orita, horita...) are read as the word they stand for.

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
TAKING, VEHICLE, AWAY, LONG_AGO = "taking", "vehicle", "away", "long_ago"
WATER, DROWNING, POISON, SWALLOW = "water", "drowning", "poison", "swallow"
CHILD, STRANGER = "child", "stranger"
ACCIDENT, PLIGHT, DESPAIR, MEANS = "accident", "plight", "despair", "means"
MOVING, FAR, UNWILLING, LATER = "moving", "far", "unwilling", "later"
REPORTING = "reporting"
#: Families whose verbs get inflected by rule.
VERB_FAMILIES = frozenset(
    {HARM, THREAT, CONFINEMENT, INJURY, TAKING, DROWNING, SWALLOW, ACCIDENT, MOVING}
)
#: Families that make it not danger now.
LOWERING = (PAST, HABITUAL, HYPOTHETICAL, NOT_HARM, LONG_AGO)
FAMILIES = (
    HARM, WEAPON, THREAT, CONFINEMENT, INJURY, URGENCY, FUTURE, TARGET, TAKING, VEHICLE, AWAY,
    WATER, DROWNING, POISON, SWALLOW, CHILD, STRANGER, ACCIDENT, PLIGHT, DESPAIR, MEANS,
    MOVING, FAR, UNWILLING, LATER, REPORTING, *LOWERING,
)  # fmt: skip
#: A vehicle must be this close (in words) to the act of taking someone: "threw my cousin in the
#: back of a pickup", "put my 8 yr old in the other truck".
VEHICLE_WINDOW = 8
#: The person taken is this close to the act: "me subio", "snatched my sister", "jalo a mi".
TAKEN_WINDOW = 2
#: A child this close to the act of taking them: "llevando a una cipota", "taking the little girl".
CHILD_WINDOW = 4
#: Someone in trouble in the water ("fell in", "no saben nadar") this close to the water itself
#: ("the canal", "el rio"): "fell in the irrigation canal", "se volteo la lancha en el rio".
WATER_WINDOW = 8
#: A poison this close after swallowing it: "se tomo el cloro", "drank some bleach".
SWALLOW_WINDOW = 3
#: How close an accident ("pulled into the auger", "se cayo al silo") and the state it left
#: someone in ("still running", "no lo podemos sacar") must be: "tractor flipped on the slope
#: with my uncle under it".
ACCIDENT_WINDOW = 10
#: How close the wish to die and its means: "dont wanna be here anymore. got the rope".
DESPAIR_WINDOW = 10
#: How close a move and where to ("driving him to idaho", "nos van a mover a montana").
MOVING_WINDOW = 10
#: Words before a taking act that make it passive, the one taken its subject: "my cousin got
#: pulled into a truck", "fue subida a una camioneta".
_PASSIVE = frozenset({"got", "get", "gets", "was", "were", "been", "being", "fue", "fueron"})
#: An urgency that is the condition of a threat, not its now: "if i talk", "si hablamos".
_IF = ("if ", "si ")
#: The texter as the one who takes: "estoy llevando a mi hija en la troca" is a school run.
_SELF = frozenset({"i", "im", "we", "were", "estoy", "estamos", "voy", "vamos", "ando", "andamos"})
#: The texter as the one who moves: "im driving my son to texas" ("were" may be "we're" or
#: "they were taking us").
_MOVER_SELF = _SELF - {"were"}
#: Targets that are the texter or their own: a report about them is no tip about others.
_FIRST_PERSON = frozenset(
    {"me", "us", "my", "our", "we", "i", "im", "mi", "mis", "nos", "nosotros", "yo"}
)
#: Texting spellings read as the word the families are written with: "dice q me", "orita".
SMS_SPELLINGS = MappingProxyType({
    "q": "que", "k": "que", "ke": "que", "x": "por", "xq": "porque", "pa": "para",
    "aki": "aqui", "aca": "aqui", "orita": "ahorita", "horita": "ahorita", "ahorta": "ahorita",
    "troka": "troca", "yrs": "years", "mins": "minutes", "u": "you",
})  # fmt: skip
#: Years written as a number: "in 2021", "back in 2022", "en 2019" put what happened in the past.
_YEARS = frozenset(str(year) for year in range(1950, 2100))
_YEAR_BEFORE = frozenset({"in", "en", "del"})
#: A harm act and its target must be this close (in words): "me esta pegando", "hitting my son".
TARGET_WINDOW = 3
#: Words a phrase of a family may skip between its own: "wont let [us] leave".
PHRASE_GAP = 1

#: Tense of an inflected form: progressive (-ing, -ando) is happening now; habitual past (-aba,
#: -ia) is not.
PROGRESSIVE, HABITUAL_PAST, OTHER = "progressive", "habitual_past", "other"

#: Forms the rule makes of a verb that are, in the texts, a noun: "el jale" is the job (jalar).
_NOUNS = MappingProxyType({"jalar": ("jale", "jales")})
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
    #: first word form -> every form a second word of its phrases may take: "no", "a", "me" start
    #: dozens of phrases, and one look at the next two words skips them all in most texts
    seconds: Mapping[str, frozenset[str]]
    #: (first word form, second word form) -> (the phrase's place among the first word's, its
    #: words after the second, the form): only the phrases the next words can start are followed
    pairs: Mapping[tuple[str, str], tuple[tuple[int, tuple[frozenset[str], ...], _Form], ...]]


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
    for noun in _NOUNS.get(word, ()):
        forms.pop(noun, None)
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
    pairs: dict[tuple[str, str], list[tuple[int, tuple[frozenset[str], ...], _Form]]] = {}
    for first, started in phrases.items():
        for place, (rest, made) in enumerate(started):
            for second in rest[0]:
                pairs.setdefault((first, second), []).append((place, rest[1:], made))
    return DangerIndex(
        single=MappingProxyType({w: tuple(f) for w, f in single.items()}),
        seconds=MappingProxyType(
            {w: frozenset().union(*(rest[0] for rest, _ in p)) for w, p in phrases.items()}
        ),
        pairs=MappingProxyType({pair: tuple(p) for pair, p in pairs.items()}),
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
    if not SMS_SPELLINGS.keys().isdisjoint(words):  # most texts have none: keep their words
        words = [SMS_SPELLINGS.get(word, word) for word in words]
    parts: list[Part] = []
    covered: set[tuple[int, str]] = set()  # a phrase covers words of its own family only
    single, seconds, pairs = index.single, index.seconds, index.pairs
    for at, word in enumerate(words):
        second = seconds.get(word)
        after = words[at + 1 : at + PHRASE_GAP + 2]
        if second is None or second.isdisjoint(after):
            continue
        # A phrase's second word is taken at the first place it fits (as _follow takes the rest):
        # the phrases the next word starts, then those the word after it starts.
        tried: set[int] = set()
        found: list[tuple[int, int, _Form]] = []
        for step, next_word in enumerate(after, 1):
            for place, rest, form in pairs.get((word, next_word), ()):
                if place in tried:
                    continue
                tried.add(place)
                last = _follow(words, rest, at + step)
                if last is not None:
                    found.append((place, last, form))
        found.sort(key=lambda f: f[0])  # in the order the phrases are listed
        for _, last, form in found:
            parts.append(Part(form.family, form.entry, at, last, form.tense, form.clitic_target))
            covered.update((i, form.family) for i in range(at, last + 1))
    for at, word in enumerate(words):
        for form in single.get(word, ()):
            if (at, form.family) not in covered:
                parts.append(Part(form.family, form.entry, at, at, form.tense, form.clitic_target))
    # "im driving my son to texas": the texter moves, no one is moved away
    if not _MOVER_SELF.isdisjoint(words):
        parts = [
            p
            for p in parts
            if p.family != MOVING or _MOVER_SELF.isdisjoint(words[max(0, p.first - 2) : p.first])
        ]
    for at, part in enumerate(parts):
        if part.family != TAKING:
            continue
        before = part.first - 1
        for aux in range(max(0, before - 1), before + 1):  # "got pulled", "was just shoved"
            if words[aux] in _PASSIVE:  # passive: its subject was taken
                parts.append(Part(TARGET, words[aux], aux, aux))
                break
        if part.tense == PROGRESSIVE and not _SELF.isdisjoint(
            words[max(0, before - 1) : before + 1]
        ):
            parts[at] = part._replace(tense=OTHER)  # "im taking", "estoy llevando": the texter
    if not _YEARS.isdisjoint(words):  # a year is rare: look for "in 2021" only then
        for at in range(1, len(words)):
            if words[at] in _YEARS and words[at - 1] in _YEAR_BEFORE:
                parts.append(Part(LONG_AGO, f"{words[at - 1]} {words[at]}", at - 1, at))
    parts.sort(key=lambda p: (p.first, FAMILIES.index(p.family)))
    return parts


def _overlapping(a: Part, b: Part) -> bool:
    """Whether two parts share a word: "dying" in "dying to see them"."""
    return a.first <= b.last and b.first <= a.last


def _touching(a: Part, b: Part) -> bool:
    """Whether two parts are next to each other: "dying laughing", "salir con mis amigas"."""
    return a.last + 1 == b.first or b.last + 1 == a.first


def _near(a: Part, b: Part, window: int) -> bool:
    """Whether two parts are within `window` words of each other, not overlapping."""
    return (a.last < b.first and b.first - a.last <= window) or (
        b.last < a.first and a.first - b.last <= window
    )


def combine(parts: Iterable[Part]) -> DangerReading:
    """The rule: which combinations of parts are danger now, and what takes it back."""
    parts = tuple(parts)
    other_word = [p for p in parts if p.family == NOT_HARM]
    # A part inside a not_harm phrase is that phrase ("este jale" is a job, not "jalar"); an
    # injury or confinement right next to one means something else too.
    meant_otherwise = [
        p
        for p in parts
        if p.family != NOT_HARM
        and any(
            o.first <= p.first <= p.last <= o.last
            or (p.family in (INJURY, CONFINEMENT) and (_touching(p, o) or _overlapping(p, o)))
            for o in other_word
        )
    ]
    if meant_otherwise:
        # A word next to "laughing" or "con mis amigas" means something else ("dying laughing",
        # "no me deja salir con mis amigas"): that injury or confinement is no danger, and the
        # emergency list's phrase made of the same words is none either.
        reading = combine(p for p in parts if p not in meant_otherwise)
        if reading.danger:
            return reading
        return DangerReading(False, (*meant_otherwise, *other_word), lowered=True)
    by: dict[str, list[Part]] = {}
    for part in parts:
        by.setdefault(part.family, []).append(part)
    urgency, injury = by.get(URGENCY, []), by.get(INJURY, [])
    lowering = [p for family in LOWERING for p in by.get(family, [])]
    harm, weapon, threat = by.get(HARM, []), by.get(WEAPON, []), by.get(THREAT, [])
    confinement, targets, future = by.get(CONFINEMENT, []), by.get(TARGET, []), by.get(FUTURE, [])
    taking, vehicles = by.get(TAKING, []), by.get(VEHICLE, [])
    if urgency and not by.get(AWAY):
        # "right now", "if i leave", "911": whatever else the text says, it is now; unless the
        # now is that the one who hurts is away ("hes at work rn", "ahorita esta trabajando").
        lowering = []
    asked = [p for p in lowering if p.family == HYPOTHETICAL]
    if asked:  # "what do i do if", "que hago si": a question, not something happening
        return DangerReading(False, tuple(asked), lowered=True)
    long_ago = [p for p in lowering if p.family == LONG_AGO]
    if long_ago:  # "2 years ago", "hace 3 años", "in 2021": over, even for someone held then
        return DangerReading(False, tuple(long_ago), lowered=True)
    past = [p for p in lowering if p.family == PAST]
    if past and not (injury or confinement):
        # "last week", "ayer": an act that is over. Someone hurt or held is a state that
        # may still last ("they locked us in yesterday"): that stays danger, erring toward it.
        return DangerReading(False, tuple(past), lowered=True)
    if lowering and harm and not (injury or confinement or weapon or taking):
        # "this heat is killing me", "keeps cutting our pay": the harm words mean something else,
        # or a habit the texter describes, and nothing else in the text is danger now.
        return DangerReading(False, tuple(lowering), lowered=True)

    if injury:
        return DangerReading(True, (*injury, *urgency), "someone is hurt now")
    for sign in by.get(DROWNING, []):  # "fell in ... the canal", "no saben nadar ... el rio"
        water = [w for w in by.get(WATER, []) if _near(sign, w, WATER_WINDOW)]
        if water:
            return DangerReading(True, (sign, water[0], *urgency[:1]), "someone is in the water")
    # What hurt someone: an accident, or a blow aimed at someone ("the horse kicked him")
    causes = [
        *by.get(ACCIDENT, []),
        *(
            act
            for act in harm
            if act.tense != HABITUAL_PAST
            and (act.clitic_target or any(_near(act, t, TARGET_WINDOW) for t in targets))
        ),
    ]
    for cause in causes:  # "arm got pulled into the auger ... still running"
        state = [s for s in by.get(PLIGHT, []) if _near(cause, s, ACCIDENT_WINDOW)]
        if state:
            return DangerReading(
                True, (cause, state[0], *urgency[:1]), "someone hurt in an accident"
            )
    for wish in by.get(DESPAIR, []):  # "dont wanna be here anymore ... the rope"
        means = [m for m in by.get(MEANS, []) if _near(wish, m, DESPAIR_WINDOW)]
        # with its means, tonight, or said twice ("end it all ... nobody will miss me")
        also = [*means, *urgency, *(w for w in by[DESPAIR] if not _overlapping(w, wish))]
        if also:
            return DangerReading(True, (wish, also[0]), "someone may end their life")
    for act in by.get(MOVING, []):  # "driving him to idaho tonight and he doesnt wanna go"
        far = [f for f in by.get(FAR, []) if _near(act, f, MOVING_WINDOW)]
        unwilling = by.get(UNWILLING, []) or confinement or threat
        # "is taking us tomorrow" is a plan: the progressive is now only with no `later` word
        now = urgency or (act.tense == PROGRESSIVE and not by.get(LATER))
        if far and unwilling and now:
            return DangerReading(
                True, (act, far[0], unwilling[0], *urgency[:1]), "someone is being moved away"
            )
    for act in by.get(SWALLOW, []):  # "se tomo el cloro", "drank the bleach"
        poison = [p for p in by.get(POISON, []) if 0 < p.first - act.last <= SWALLOW_WINDOW]
        if poison:
            return DangerReading(True, (act, poison[0]), "someone swallowed poison")
    tip = by.get(REPORTING, [])
    happening = weapon or [act for act in harm if act.tense == PROGRESSIVE]
    own = [
        t for t in targets if t.entry in _FIRST_PERSON and not any(_overlapping(t, p) for p in tip)
    ]  # the "mi" of "sin dar mi nombre" is the tip's own word, not a person held or hurt
    if tip and not (urgency or happening or own):
        # "can i tell u anonymously? the crew gets locked in at night": a tip about others,
        # for the report line; the texter or their own ("us", "my son") keep it danger.
        return DangerReading(False, tuple(tip), lowered=True)
    if by.get(NOT_HARM) and not urgency:
        confinement = []  # "nos quitan los celulares ... y nos pagan al final": about the job
    if confinement and (
        targets or urgency or len(confinement) > 1 or any(p.clitic_target for p in confinement)
    ):
        # Held is a state that lasts: a habit ("always watching the door") does not take it back.
        target = [t for t in targets][:1]
        return DangerReading(True, (*confinement[:1], *target), "someone is held")
    for act in taking:  # "making me get in his truck", "me subio a su troca", "snatched my sister"
        # "mi carro", "su troca": a target right before a vehicle owns it, it is not the one taken
        people = [
            t
            for t in targets
            if (_near(act, t, TAKEN_WINDOW) or act.first < t.first < act.last)  # make [me] get in
            and not any(v.first == t.last + 1 for v in vehicles)
        ]
        carried = [v for v in vehicles if _near(act, v, VEHICLE_WINDOW)]
        # A ride is no danger: taken by force ("or else", "wont let me off", "threw") or now;
        # the act's own word is no force ("pull" is harm and taking: "pulled me over").
        forced = (
            urgency
            or [h for h in harm if not _overlapping(h, act)]
            or threat
            or confinement
            or weapon
        )
        # A child being taken away now in a vehicle by a stranger ("un viejo", "some guy") needs
        # no other sign of force; a parent driving the kids to school is no stranger.
        child = [c for c in by.get(CHILD, []) if _near(act, c, CHILD_WINDOW)]
        taker = [s for s in by.get(STRANGER, []) if s.last < act.first]
        # On foot, the child's distress says it is no walk home: "se la esta llevando ... va
        # llorando", "some guy is taking the little girl and shes crying".
        how = carried or [p for p in by.get(PLIGHT, []) if p.first > act.last]
        if child and how and taker and (act.tense == PROGRESSIVE or urgency):
            return DangerReading(True, (taker[0], act, child[0], how[0]), "a child is being taken")
        if (act.clitic_target or people) and (carried or urgency) and forced:
            target = people[:1]
            return DangerReading(
                True, (act, *target, *carried[:1], *urgency[:1]), "someone is being taken"
            )
    other_sense = [p for p in lowering if p.family in (HABITUAL, NOT_HARM)]
    if other_sense:  # a habit, or words about pay, papers or the heat: not danger by its parts
        return DangerReading(False, tuple(other_sense))
    if weapon and (harm or threat or urgency or confinement or targets or future):
        with_it = [*harm, *threat, *confinement, *urgency, *future, *targets][:2]
        return DangerReading(True, (*weapon[:1], *with_it), "a weapon with a threat or a person")
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
        # "open up or else", "o le va peor", with him at the door now; an urgency inside the
        # threat, or any "if i talk", "si hablamos", is only its condition ("dice que si nos
        # vamos nos reporta", "amenaza con correrlos si hablamos con el sindicato")
        now = [
            u
            for u in urgency
            if (u.last < act.first or act.last < u.first) and not u.entry.startswith(_IF)
        ]
        if now:
            return DangerReading(True, (act, *now[:1]), "a threat, now")
    return DangerReading(False, parts)


def read_danger(words: Sequence[str], index: DangerIndex) -> DangerReading:
    """The danger signal of a message's normalised words."""
    parts = find_parts(words, index)
    return combine(parts) if parts else NO_DANGER


#: The reading of a message with no danger word at all (most messages).
NO_DANGER = DangerReading(False)
