"""The little words that carry an English or Spanish sentence: evidence of a text's language
(bot.core.detect) and words the matcher does not read as typos of keywords (bot.core.matcher)."""

from __future__ import annotations

# Hand-written on purpose: language detectors guess badly on the one to five words of a typical
# text; the small closed class of function words that carry a sentence in each language decides
# short texts better (bot.core.detect reads py3langid's model only where these leave it open).
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
