"""The danger signal: word families inflected by rule, combined into danger now, lowered by time."""

from pathlib import Path

import pytest

from bot.core.danger import (
    HABITUAL_PAST,
    PROGRESSIVE,
    english_forms,
    find_parts,
    read_danger,
    spanish_forms,
)
from bot.core.library import LibraryError, load_library, load_library_dir
from bot.core.matcher import build_matcher, match
from bot.core.text import tokenize
from tests.core.test_library import GOOD, bundle_with

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundled():
    # The bundled library's rules alone: these tests are about the danger words. The learned
    # reader beside them is measured on writers held out (docs/reader.md), and it still gives the
    # emergency reply to many of the calm texts below.
    return build_matcher(load_library_dir(ROOT), reader=False)


def danger_of(text, matcher):
    return read_danger(tokenize(text), matcher.danger)


def families_of(text, matcher):
    return {p.family for p in find_parts(tokenize(text), matcher.danger)}


# --- inflection by rule -------------------------------------------------------------------------


def test_english_verbs_get_their_endings_and_ing_is_progressive():
    assert english_forms("hit")["hitting"] == PROGRESSIVE
    assert {"stabbing", "stabbed", "stabs"} <= english_forms("stab").keys()
    assert {"choking", "choked", "chokes"} <= english_forms("choke").keys()
    assert "hited" not in english_forms("choke")


def test_spanish_verbs_get_conjugations_clitics_and_spelling_changes():
    forms = spanish_forms("pegar")
    assert forms["pegando"] == (PROGRESSIVE, False)
    assert forms["pegaba"] == (HABITUAL_PAST, False)
    assert forms["pegarme"][1] and forms["pegandonos"][1]  # the target rides on the verb
    assert {"pega", "pegan", "pego", "pegue", "pegaron"} <= forms.keys()
    assert "ahorque" in spanish_forms("ahorcar")
    assert spanish_forms("golpear")["golpeandola"] == (PROGRESSIVE, True)
    assert {"hiere", "rompiendo", "rompio", "rompieron"} <= spanish_forms("romper").keys() | {
        "hiere"
    }
    assert spanish_forms("con") == {"con": ("other", False)}  # not a verb: itself only


# --- each family, both languages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("he is choking her", "harm"),
        ("la estan golpeando", "harm"),
        ("he has a shotgun", "weapon"),
        ("trae un cuchillo", "weapon"),
        ("they locked us in the barn", "confinement"),
        ("nos encerraron", "confinement"),
        ("my friend is bleeding", "injury"),
        ("mi tio no respira", "injury"),
        ("hes outside the door", "urgency"),
        ("ya viene", "urgency"),
        ("hes gonna do it", "future"),
        ("va a venir", "future"),
        ("last year", "past"),
        ("la semana pasada", "past"),
        ("2 yrs ago", "long_ago"),
        ("hace meses", "long_ago"),
        ("what do i do if it happens", "hypothetical"),
        ("que hago si pasa", "hypothetical"),
        ("this heat", "not_harm"),
        ("me muero de risa", "not_harm"),
    ],
)
def test_each_family_is_found_in_english_and_spanish(bundled, text, family):
    assert family in families_of(text, bundled)


# --- the rule combining them --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "my husband is choking me",  # harm, progressive, target
        "el mayordomo la esta golpeando",  # clitic target before the verb
        "mi esposo me esta pegando",
        "he said hes gonna stab us",  # harm about to happen
        "si me voy me mata",  # harm with urgency: "if I leave"
        "they locked us in the barn",  # confinement of the texter
        "el patron nos encerro en la bodega",
        "the foreman is holding a machete over us",  # weapon with a person
        "mi compa esta sangrando",  # injury now
        "a worker collapsed in the rows",
    ],
)
def test_danger_is_recognised_by_its_parts(bundled, text):
    reading = danger_of(text, bundled)
    assert reading.danger, reading
    assert reading.reason.startswith("danger: ")


@pytest.mark.parametrize(
    "text",
    [
        "last year my husband was choking me",
        "el año pasado mi esposo me estaba pegando",
        "what do i do if he starts hitting me",
        "que hago si me empiezan a golpear",
        "this heat is killing me",
        "este calor me esta matando",
        "mi jefe me va a matar si llego tarde",
        "he keeps cutting our pay",
    ],
)
def test_past_questions_and_figures_of_speech_take_it_back(bundled, text):
    reading = danger_of(text, bundled)
    assert not reading.danger, reading.reason


def test_urgency_outweighs_a_past_marker(bundled):
    assert not danger_of("he beat me last week", bundled).danger
    assert danger_of(
        "he beat me last week and he is coming back tonight to beat me", bundled
    ).danger


def test_someone_held_or_hurt_stays_danger_beside_a_past_marker(bundled):
    assert danger_of("they locked us in yesterday and we cant get out", bundled).danger
    assert danger_of("se desmayo ayer y no despierta", bundled).danger
    assert not danger_of("que hago si nos encierran", bundled).danger  # a question


def test_a_habit_of_harm_is_not_danger_but_harm_happening_is(bundled):
    assert not danger_of("mi esposo me pegaba", bundled).danger  # imperfect: it used to happen
    assert danger_of("mi esposo me esta pegando", bundled).danger


def test_a_harm_word_without_a_person_is_no_danger(bundled):
    assert not danger_of("they are shooting a video of the camp", bundled).danger
    assert not danger_of("me amenazaron con no pagarme", bundled).danger


# --- kinds of danger the first danger set missed (batch-7) --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "they just loaded my sister in a white suv, help now",  # taken in a vehicle, now
        "nos metieron en una camioneta y no nos dejan bajar",  # taken, and held
        "me quieren subir a la troca, dicen q o me subo o le va mal a mis hijos",
        "he grabbed my son and threw him in the van and drove off",
    ],
)
def test_someone_taken_in_a_vehicle_by_force_or_now_is_danger(bundled, text):
    reading = danger_of(text, bundled)
    assert reading.danger, reading


@pytest.mark.parametrize(
    "text",
    [
        "my cousin picks me up in his truck every morning",  # a ride
        "mi tio me sube a su camioneta pa ir al trabajo",
        "la lluvia se llevo mi carro",  # "mi" owns the car; no one is taken
        "put the crates in the truck asap",  # no person
    ],
)
def test_a_ride_or_a_load_is_no_taking(bundled, text):
    assert not danger_of(text, bundled).danger, danger_of(text, bundled).reason


@pytest.mark.parametrize(
    "text",
    [
        "he is outside my trailer yelling let me in or else",
        "ya llego el contratista, dice q salga o les va peor a mis papas",
    ],
)
def test_a_threat_with_the_threatener_here_now_is_danger(bundled, text):
    assert danger_of(text, bundled).danger


def test_an_urgency_that_is_only_the_threats_condition_is_no_danger(bundled):
    # "si me voy" is the condition of losing the visa, not someone at the door
    assert not danger_of("el patron dice que si me voy me quita la visa", bundled).danger


@pytest.mark.parametrize(
    "text",
    [
        "my brother went down by the tractor and stopped sweating, his skin is hot",
        "se cayo al canal y no sale del agua",
        "she jumped in the pond after the kid and shes not coming up",
        "mi papa tiene los ojos en blanco y esta temblando",
    ],
)
def test_injury_told_by_its_signs_is_danger(bundled, text):
    assert danger_of(text, bundled).danger


@pytest.mark.parametrize(
    "text",
    [
        "the contractor keeps us inside a motel room and a guy sits watching the door",
        "nos tienen aqui en una casa y el hombre vigila la puerta todo el dia",
        "captain says nobody gets off the boat, we cant get off till the season ends, come now",
        "cant leave until i pay for the ride, hes waiting outside",
    ],
)
def test_confinement_told_without_locks_is_danger_even_as_a_habit(bundled, text):
    assert danger_of(text, bundled).danger, danger_of(text, bundled)


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        ("el patron dice k nos mata", True),  # k = que: "dice que nos", a threat of harm
        ("horita me pega", True),  # horita = ahorita
        ("estoy amarrada, vengan ya", True),
        ("encerrado. come now", True),
        ("dice k me mata si llego tarde jaja", False),
    ],
)
def test_texting_spellings_and_short_calls_for_help_are_read(bundled, text, danger):
    assert danger_of(text, bundled).danger is danger


@pytest.mark.parametrize(
    "text",
    [
        "my employer locked me in a shed 3 yrs ago, can i still get help",  # long ago, even held
        "mi patron me tuvo encerrada en 2019, puedo pedir visa",
        "my wife slaps me sometimes when she drinks, shes at work right now, what can i do",
        "mi esposo me empuja a veces cuando esta borracho, ahorita no esta, que hago",
        "im dying laughing at my nephew",  # a word next to its other sense
        "mi novio no me deja salir con mis amigos",
        "role play for our volunteers: a worker says the crew boss locks them in at night, how "
        "should we answer",
        "unos vecinos no dejan salir a sus trabajadores, a quien le aviso",
    ],
)
def test_long_ago_a_habit_while_he_is_away_other_senses_and_questions_stay_calm(bundled, text):
    assert match(text, bundled).topic != "emergency", match(text, bundled)


def test_someone_held_recently_stays_danger_but_held_years_ago_does_not(bundled):
    assert danger_of("they locked us in last week and we still cant get out", bundled).danger
    assert not danger_of("they locked us in 5 years ago", bundled).danger


# --- kinds of danger the second held-out set missed (batch-8) -----------------------------------


@pytest.mark.parametrize(
    ("text", "because"),
    [
        # someone in the water: a sign of drowning near the water itself
        ("my nephew slipped off the dock and went under, the lake is so cold", "in the water"),
        ("se cayo al arroyo mi compañero y no sabe nadar", "in the water"),
        ("la corriente se lo esta llevando, ayudenme", "in the water"),
        # a poison swallowed
        ("my toddler drank some drain cleaner from under the sink", "swallowed poison"),
        ("mi hija se trago el veneno pa ratas", "swallowed poison"),
        # buried or crushed
        ("the ditch caved in on two guys at the pipeline job", "hurt now"),
        ("mi primo quedo prensado abajo de la maquina", "hurt now"),
        # a threat of death with the one who threatens nearby
        ("hes in the next room saying nobody leaves this place alive", "a threat, now"),
        ("esta en el otro cuarto y dice que no salgo vivo de aqui", "a threat, now"),
        # someone searching with something held as a weapon
        ("hes looking for me with his belt, im hiding in the bathroom", "weapon"),
        ("me anda buscando con un cable en la mano", "weapon"),
        # the door blocked, someone left in a hot car
        ("they are blocking the exit so we cant go", "held"),
        ("tapan la puerta pa que no me vaya", "held"),
        ("toddler left in a hot car at the packing house lot", "held"),
        # a child taken now, or someone taken told in the passive
        ("some guy is putting a little girl in his truck", "child is being taken"),
        ("un señor esta subiendo a mi niña a su carro", "child is being taken"),
        ("my friend was just shoved into a car and they took off with her", "being taken"),
        ("she was forced into a van outside the store right now", "being taken"),
        # a threat of harm to someone, said as doing something to them
        ("dice que si hablo le hace algo a mi mama, esta aqui", "harm"),
    ],
)
def test_the_kinds_batch_8_taught_are_danger(bundled, text, because):
    reading = danger_of(text, bundled)
    assert reading.danger and because in reading.reason, reading


@pytest.mark.parametrize(
    "text",
    [
        "we fished the river all summer, is there work on a boat",  # water, nobody in it
        "the water from the sink is brown, no sale limpia",
        "can my kids drink the water near where they spray pesticide",
        "estoy llevando a mi hija a la escuela en la troca",  # the texter drives her
        "my husband is taking the kids to school in the van right now",  # no stranger
        "i left my belt in his car",  # a belt not held
        "he finally left the car in the lot",
        "mi jale me esta matando jaja",  # a job, not "jalar"
        "i got out of that trailer they kept us in, what help is there now",
        "a guy pulled a knife on me last summer, i still have nightmares",
        "the supervisor grabs my arm every week, is that legal",
        "que primeros auxilios se dan si alguien se corta",
    ],
)
def test_what_batch_8_taught_does_not_alarm_the_calm(bundled, text):
    assert match(text, bundled).topic != "emergency", match(text, bundled)


# --- in the matcher -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "el patron nos encerro en la bodega y no nos deja salir",
        "he is on his way here and said he'd break my legs",
        "el mayordomo la esta jalando de los pelos ahorita",
    ],
)
def test_the_matcher_answers_danger_the_phrase_list_does_not_name(bundled, text):
    found = match(text, bundled)
    assert found.topic == "emergency"
    assert found.keyword.startswith("danger: ")


@pytest.mark.parametrize(
    "text",
    [
        "my ex beat me years ago and i still have nightmares",
        "hace meses me golpearon en el trabajo y no hice nada",
        "what do i do if someone pulls a knife at work",
        "me mata de risa ese video",
    ],
)
def test_past_and_hypothetical_texts_are_not_emergencies_even_with_list_phrases(bundled, text):
    assert match(text, bundled).topic != "emergency"


def test_without_danger_words_the_library_does_not_see_this_danger():
    text = "el capataz nos encerro en el cuarto"
    plain = build_matcher(load_library(bundle_with()))
    with_words = GOOD + ("danger:\n  confinement:\n    es: [encerrar]\n  target:\n    es: [nos]\n")
    signal = build_matcher(load_library(bundle_with(with_words)))
    assert match(text, plain).topic != "emergency"
    found = match(text, signal)
    assert (found.topic, found.keyword) == (
        "emergency",
        "danger: someone is held (confinement 'encerrar', target 'nos')",
    )


# --- checked like the rest of the library -------------------------------------------------------


def problems_of(keywords):
    with pytest.raises(LibraryError) as caught:
        load_library(bundle_with(keywords))
    return [str(p) for p in caught.value.problems]


def test_an_unknown_danger_family_is_an_error_at_its_line():
    problems = problems_of(GOOD + "danger:\n  harms:\n    en: [hit]\n")
    assert any("keywords.yaml:23" in p and "harms" in p for p in problems), problems


def test_danger_words_in_an_unknown_language_or_without_words_are_errors():
    problems = problems_of(GOOD + "danger:\n  harm:\n    fr: [frapper]\n    en: ['!!']\n")
    assert any("unknown language 'fr'" in p for p in problems), problems
    assert any("has no words" in p and "keywords.yaml:24" in p for p in problems), problems


def test_danger_lists_are_capped():
    many = ", ".join(f"w{i}" for i in range(1001))
    problems = problems_of(GOOD + f"danger:\n  harm:\n    en: [{many}]\n")
    assert any("at most 1000" in p for p in problems), problems
    long_entry = "x" * 61
    problems = problems_of(GOOD + f"danger:\n  harm:\n    en: [{long_entry}]\n")
    assert any("longer than 60" in p for p in problems), problems


# --- batch-9's kinds: accidents, the wish to die, moved away, death threats ----------------------


@pytest.mark.parametrize(
    "text",
    [
        "his jacket got sucked into the pto shaft and we cant get him loose",
        "the forklift tipped over on the ramp and my brother is under it",
        "the ladder hit a power line and my cousin is on the ground",
        "smell of ammonia in the plant, people throwing up and nobody lets us out",
        "someone set fire to the barn and the workers are still inside",
        "our skiff capsized near the rocks and two guys are in the water",
        "se le atoro la mano en la maquina y sigue prendida",
        "el tractor se volco en la loma y mi primo esta debajo",
        "hubo una fuga de gas en la bodega, todos estan tosiendo y el mayordomo dice que sigamos",
        "le prendieron fuego a la casa y hay gente adentro",
        "se cayo mi compa al pozo de estiercol y no sale",
        "somebody torched the shed with my cousins in it",
        "el tractor le cayo encima y no lo podemos sacar",
        "he shoved her off the loading dock and her leg is bent backwards",
        "la empujo por la escalera y se le ve el hueso",
        "my coworker grabbed the live wire and hes still stuck to it",
        "mi compañero agarro el cable y se quedo pegado",
        "my brother got beat by the crew boss and hes just lying there",
        "my roommate cut her wrists, theres blood all over",
        "the heat got to my uncle, hes confused and not making sense",
        "le echaron la troca encima a mi tio y se fueron",
    ],
)
def test_an_accident_beside_the_state_it_left_someone_in_is_danger(bundled, text):
    assert danger_of(text, bundled).because == "someone hurt in an accident"
    assert match(text, bundled).topic == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "a worker fell from the roof and he wont open his eyes",
        "the cow kicked my dad and now hes foaming at the mouth",
        "my throat is closing after they sprayed the rows",
        "le dio una patada la vaca y ya no levanta",
        "se cayo del techo y no abre los ojos",
        "se le cierra la garganta desde que fumigaron",
    ],
)
def test_more_signs_of_someone_hurt_now_are_danger(bundled, text):
    assert danger_of(text, bundled).because == "someone is hurt now"


@pytest.mark.parametrize(
    "text",
    [
        "my friend says she wants to die and she has a bunch of pills with her",
        "i dont want to live anymore, the rope is ready",
        "mi amigo dice que ya no quiere vivir y tiene una soga",
        "ya me quiero morir, tengo las pastillas aqui",
        "gonna end it all, nobody will miss me",
        "voy a acabar con todo, nadie me va a extrañar",
    ],
)
def test_the_wish_to_die_beside_its_means_is_danger(bundled, text):
    assert danger_of(text, bundled).because == "someone may end their life"


@pytest.mark.parametrize(
    "text",
    [
        "they are shipping us to another state right now and we didnt agree",
        "the crew leader is hauling my sister to texas tonight, she doesnt want to go",
        "nos estan llevando a otro estado y no queremos ir",
        "a mi hermano lo van a trasladar a nevada esta noche y el no quiere",
        "the labor guy is putting us all on a bus to another state right now, nobody asked us",
    ],
)
def test_someone_moved_far_away_now_against_their_will_is_danger(bundled, text):
    assert danger_of(text, bundled).because == "someone is being moved away"


@pytest.mark.parametrize(
    "text",
    [
        "hes banging on the window saying youre dead if you tell anyone",
        "esta afuera gritando que estas muerta",
    ],
)
def test_a_death_threat_with_him_here_is_danger(bundled, text):
    assert danger_of(text, bundled).because == "a threat, now"


@pytest.mark.parametrize(
    "text",
    [
        "the landlord wont fix the gas leak under the sink, is that legal",
        "my boss flipped out on the crew and was screaming at everyone",
        "the conveyor at the packing house is still running after hours, can they make us stay",
        "our tractor rolled over last week, nobody got hurt thankfully",
        "the dog bit my son yesterday, do we need a rabies shot",
        "i dont want to live in this trailer anymore, we need housing, the bridge is far",
        "im moving to idaho next month and my wife doesnt want to go, any jobs there",
        "we are driving to oregon tonight for the pear harvest, my kid doesnt want to go lol",
        "la troca se volteo pero ya todos estan bien",
        "el perro me mordio ayer, tengo que ir al doctor?",
        "mi hijo no quiere ir a la escuela y lo estoy llevando a california",
        "me quiero ir a texas, aqui no hay trabajo, el patron no paga",
        "el patron nos amenaza con correrlos a todos si hablamos con el sindicato",
        "the crew boss says if we talk to the union hes gonna threaten to fire everyone",
        "vi en las noticias que tenian encerrados a unos trabajadores, donde leo mas",
        "last year they locked us in the bunkhouse. im out now, i want counseling",
        "smoke from the wildfire, my eyes burning, coughing all day",
        "my son hit his brother and now hes not talking to me",
        "se quema el arroz y no para de llorar el bebe",
        "la lancha se hunde cuando llueve y el patron no quiere llamar a nadie",
        "our truck caught fire last week, nobody hurt",
        "my boss crashed into my car and wont call his insurance",
        "my kid is drooling and twitching in his sleep, is that normal",
        "the forklift tipped over but nobody was under it thank god",
        "se volco la troca en el canal pero todos estan bien",
        "i used to cut my wrists in high school, is there a support group",
        "my boss is taking us to oregon tomorrow and i dont want to go",
        "el raitero nos esta llevando a idaho mañana y no queremos",
        "the heat got to me today, so tired lol",
        "i took all my pills today like the doctor said",
    ],
)
def test_calm_texts_beside_the_new_kinds_are_no_emergency(bundled, text):
    assert match(text, bundled).topic != "emergency"


@pytest.mark.parametrize(
    "text",
    ["my brother took a whole bottle of tylenol", "mi hermana se tomo todo el frasco de pastillas"],
)
def test_a_whole_bottle_of_pills_is_poison_swallowed(bundled, text):
    assert danger_of(text, bundled).because == "someone swallowed poison"


# --- batch-10's kinds (the fourth held-out set), worded afresh --------------------------------


@pytest.mark.parametrize(
    ("text", "because"),
    [
        ("the van driver is hauling my brother to montana tonight, he never said yes",
         "someone is being moved away"),
        ("el contratista nos esta llevando a oregon ahorita y nadie dijo que si",
         "someone is being moved away"),
        ("foreman swears hell bury you, hes parked outside right now", "a threat, now"),
        ("el capataz dice que va a enterrarme, esta afuera ahorita", "a threat, now"),
        ("my boss is searching for me with a flashlight, im behind the water tank",
         "a threat, now"),
        ("el mayordomo anda buscandome, estoy detras de la bodega", "a threat, now"),
        ("i can hear her screaming next door, he wont stop", "someone is hurt now"),
        ("la escucho gritar en el otro cuarto, no para", "someone is hurt now"),
        ("juans thigh has blood spurting out of it", "someone is hurt now"),
        ("se corto con el machete y esta chorreando sangre", "someone is hurt now"),
        ("dont think hes breathing, the beam landed on him", "someone is hurt now"),
        ("no creo que respire, se cayo del andamio", "someone is hurt now"),
        ("acid splashed on her arms at the plant and her skin peeling", "someone hurt in an accident"),
        ("el quimico le salpico la cara y se le cae la piel", "someone hurt in an accident"),
        ("the shelving tipped on my coworker and her legs are under it",
         "someone hurt in an accident"),
        ("the pole hit the power line and he is still holding it", "someone hurt in an accident"),
        ("my cousin slipped into the manure pit and hasnt come up", "someone hurt in an accident"),
        ("his sleeve got caught in the conveyor, nobody can shut it off",
         "someone hurt in an accident"),
        ("se le atoro el brazo en la maquina y nadie puede apagarla", "someone hurt in an accident"),
        ("some guy is walking off with the little boy from the laundromat and hes crying",
         "a child is being taken"),
        ("un señor se esta llevando a la niña de la vecina y va llorando", "a child is being taken"),
        ("my son waded out in the canal, i dont see him anymore", "someone is in the water"),
        ("mi sobrina se metio al rio y ya no la veo", "someone is in the water"),
        ("i dont plan on living past sunday, the pills are in my bag", "someone may end their life"),
        ("no pienso seguir viviendo, la soga ya esta lista", "someone may end their life"),
        ("dont call back he can hear, the bunkhouse windows are bolted shut", "someone is held"),
    ],
)  # fmt: skip
def test_batch10_kinds_are_danger_in_both_languages(bundled, text, because):
    assert danger_of(text, bundled).because == because


def test_the_job_called_jale_is_no_pull():
    assert "jale" not in spanish_forms("jalar")
    assert "jalando" in spanish_forms("jalar")


@pytest.mark.parametrize(
    "text",
    [
        "ya no tengo jale y me van a echar del cuarto, ayuda con renta",
        "can i report anonymously? the workers at the dairy get locked in the barn at night",
        "quiero reportar sin dar mi nombre, en ese rancho encierran a los trabajadores de noche",
        "my skin is peeling from the sunburn, what helps",
        "my teenager had a growth spurt, does the clinic do checkups",
        "the baby is crying all night, is there a clinic open",
        "el bebe esta llorando mucho, hay clinica",
        "we need help to bury my dad, the funeral costs too much",
        "my wife is taking the kids to the park and they are crying lol",
        "the packing line machine wont turn off by itself, is that a safety issue",
    ],
)
def test_calm_texts_beside_batch10_kinds_are_no_emergency(bundled, text):
    assert match(text, bundled).topic != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "can i tell u anonymously, they locked us in the trailer",
        "anonimo: un trabajador se cayo al canal y no sale",
        "anonymous tip, a guy at the plant is bleeding bad",
        "anonimo: el encargado esta golpeando a un trabajador",
        "anonymous tip: the foreman has a gun on the workers in the barn",
    ],
)
def test_a_tip_about_oneself_or_someone_hurt_stays_an_emergency(bundled, text):
    assert match(text, bundled).topic == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "i want to report that the crew boss is beating a worker behind the shed",
        "quiero reportar, el mayordomo esta golpeando a una muchacha en la bodega",
        "who do i tell, the foreman is dragging a girl into his truck",
        "a quien le aviso, el patron esta pateando a un señor en el surco",
    ],
)
def test_a_report_of_harm_happening_now_is_an_emergency(bundled, text):
    # "quiero reportar" once read as a question ("what do i do if") took danger back whole.
    assert match(text, bundled).topic == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "i want to report my old boss, he kept our passports last year",
        "quiero reportar un lugar donde creo que hay trata de personas",
        "como lo reporto sin dar mi nombre? en el restaurante no dejan salir a las muchachas",
    ],
)
def test_a_report_of_nothing_happening_now_goes_to_report(bundled, text):
    assert match(text, bundled).topic == "report"
