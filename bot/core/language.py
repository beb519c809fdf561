"""Deciding the reply language of one message, from its function words and the keywords it hit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

# Hand-written on purpose: language detectors (langdetect, lingua) guess badly on the one to five
# words of a typical text and cost tens of megabytes; the small closed class of function words that
# carry a sentence in each language decides short texts better, and library keywords add evidence.
# Words both languages use ("no", "me", "a", "solo") are in neither list.
SPANISH_WORDS = frozenset(
    """
    el la los las lo le les un una unos unas del al de en y o que qu pero porque pues si sino mi
    mis tu tus su sus nuestro nuestra nos se te yo usted ustedes ella ellas ellos nosotros es
    son esta estan estoy estamos era fue fui ser estar hay habia tengo tiene tienen tenemos
    puedo puede pueden podemos quiero quiere necesito necesita hace hacen hago como donde cuando
    cual quien quienes que por para con sin sobre entre hasta desde muy mas menos ya tambien
    aqui alli ahora hoy ayer manana bien mal algo alguien nada nadie todo todos toda todas otro
    otra este ese eso esa estos esas hola gracias buenos buenas dias tardes noches senor senora
    disculpe favor ayudenme ayudame dame dice dicen dijo hijo hija esposo esposa mama papa
    trabajo casa dinero cuarto ingles espanol ni cuanto cuantos han hemos habia creo q pa xq porq ke tmb numero opcion
    porfa porfavor xfa xfavor
    """.split()
)
ENGLISH_WORDS = frozenset(
    """
    the an and or of to in on at for from with without about is are am was were be been being my
    your his her our their its i im ive id you youre he hes she shes they theyre we were it its
    this that these those what whats how where wheres when who whos why which do does did dont
    doesnt didnt can cant could couldnt will wont would wouldnt should have has had havent need
    needs want wants get got help please there theres here not any some all just like know think
    tell told said says if but so because after before hello hi hey thanks thank good morning
    evening night boss work job house home money him them us my mine someone somebody anyone
    anybody nobody everyone really
    """.split()
)
#: Words in the lists above that carry meaning of their own: they tell the language, but in a
#: keyword they count as content, and in a message they may be typos of a keyword.
CONTENT_MARKERS = frozenset(
    """
    hola gracias buenos buenas dias tardes noches senor senora disculpe favor ayudenme ayudame dame
    dice dicen dijo hijo hija esposo esposa mama papa trabajo casa dinero cuarto ingles espanol
    hoy ayer manana bien mal help please hello hi hey thanks thank good morning evening night boss
    work job house home money need needs want wants know think tell told said says
    """.split()
)
FUNCTION_WORDS = (SPANISH_WORDS | ENGLISH_WORDS) - CONTENT_MARKERS
#: Letters and marks that English texts do not use: one of them is a vote for Spanish
#: ("deportación" gets the Spanish reply although "deport" is an English keyword too).
SPANISH_MARKS = frozenset("áéíóúñÁÉÍÓÚÑ¿¡")


def has_spanish_marks(text: str) -> bool:
    """Whether a text uses an accented vowel, ñ, ¿ or ¡ (before accents are folded away)."""
    return not text.isascii() and not SPANISH_MARKS.isdisjoint(text)


def detect_language(
    words: Sequence[str],
    hits: Iterable[Any],
    languages: Sequence[str],
    spanish_marks: bool = False,
) -> str:
    """The reply language: Spanish when the message leans Spanish, else the default (the first
    of the library's languages).

    `spanish_marks` says the text was written with accents, ñ, ¿ or ¡: one more vote for Spanish.
    """
    default = languages[0]
    if len(languages) == 1:
        return default
    votes = dict.fromkeys(languages, 0.0)
    if "es" in votes:
        votes["es"] += sum(map(SPANISH_WORDS.__contains__, words)) + spanish_marks
    if "en" in votes:
        votes["en"] += sum(map(ENGLISH_WORDS.__contains__, words))
    for hit in hits:
        if hit.keyword.lang in votes:
            votes[hit.keyword.lang] += 0.5 * len(hit.keyword.words)
    best = max(votes, key=votes.__getitem__)  # a tie with the default goes to the default below
    return best if votes[best] > votes[default] else default
