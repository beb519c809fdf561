"""SMS encoding: GSM-7 or UCS-2, units and segments at the carriers' boundaries, and look-alikes."""

import pytest

from bot.core.sms import (
    GSM_BASIC,
    GSM_EXTENSION,
    Change,
    encode_info,
    is_gsm,
    transliterate_gsm,
)


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm_text_is_one_segment_up_to_160_then_153_a_part(length, segments):
    info = encode_info("a" * length)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", length, segments)


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_ucs2_text_is_one_segment_up_to_70_then_67_a_part(length, segments):
    info = encode_info("á" + "a" * (length - 1))
    assert (info.encoding, info.units, info.segments) == ("UCS-2", length, segments)


def test_empty_text_is_no_segment():
    assert encode_info("").segments == 0


@pytest.mark.parametrize("char", sorted(GSM_EXTENSION))
def test_extension_characters_cost_two_units(char):
    info = encode_info("a" + char)
    assert (info.encoding, info.characters, info.units) == ("GSM-7", 2, 3)


def test_extension_characters_count_towards_the_160_limit():
    assert encode_info("€" * 80).segments == 1
    assert encode_info("a" * 159 + "€").segments == 2
    assert encode_info("a" * 158 + "{").segments == 1


def test_an_extension_character_is_not_split_across_parts():
    # 152 units fill part one but for one septet: the escaped euro moves whole to part two,
    # which it then fills exactly, so the last 'a' needs a third part (306 units, not 2 x 153).
    text = "a" * 152 + "€" + "a" * 152
    info = encode_info(text)
    assert info.units == 306
    assert info.segments == 3
    # The same units with the euro where it fits do make two parts.
    assert encode_info("€" + "a" * 304).segments == 2


def test_eighty_one_euros_need_two_parts_of_seventy_six():
    assert encode_info("€" * 81).segments == 2
    assert encode_info("€" * 153).segments == 3  # 76 + 76 + 1


def test_emoji_count_two_utf16_units_and_are_not_split_across_parts():
    info = encode_info("😀")
    assert (info.encoding, info.characters, info.units, info.segments) == ("UCS-2", 1, 2, 1)
    assert encode_info("a" * 69 + "😀").segments == 2  # 71 units
    # 66 units, then a surrogate pair that would straddle the 67-unit part: it moves whole.
    straddling = encode_info("a" * 66 + "😀" + "a" * 66)
    assert (straddling.units, straddling.segments) == (134, 3)


@pytest.mark.parametrize("char", list("éñ¿¡üÑÜÉàòùìèÇØåÅæÆßÄÖäö"))
def test_spanish_and_european_letters_of_the_basic_table_stay_gsm(char):
    info = encode_info(f"¿Qué {char}?")
    assert info.encoding == "GSM-7"
    assert info.ucs2_chars == ()


def test_a_spanish_reply_with_basic_table_accents_is_gsm():
    info = encode_info("¿Necesita ayuda? Llame al 911. ¡Señal de peligro! Pingüino. Él sabe")
    assert info.encoding == "GSM-7"


@pytest.mark.parametrize("char", ["á", "í", "ó", "ú", "“", "”", "’", "–", "…", "ç"])
def test_characters_outside_gsm_force_ucs2_and_are_reported(char):
    info = encode_info(f"Call 911 {char} now")
    assert info.encoding == "UCS-2"
    assert info.ucs2_chars == (char,)


def test_forcing_characters_are_reported_once_each_in_order_of_use():
    info = encode_info("“Sí”, dijo. “Ayúdame”")
    assert info.ucs2_chars == ("“", "í", "”", "ú")


def test_the_tables_hold_the_gsm_03_38_characters():
    assert len(GSM_BASIC) == 127  # 128 positions less the escape to the extension table
    assert set("^{}\\[]~|€\f") == GSM_EXTENSION
    assert not GSM_BASIC & GSM_EXTENSION
    assert is_gsm("Línea".replace("í", "i")) and not is_gsm("Línea")


def test_transliteration_replaces_look_alikes_and_reports_each_kind_with_its_count():
    text = "“Don’t wait” — call 911… it’s free\u00a0and safe"
    new, changes = transliterate_gsm(text)
    assert new == "\"Don't wait\" - call 911... it's free and safe"
    assert changes == (
        Change("“", '"', 1),
        Change("’", "'", 2),
        Change("”", '"', 1),
        Change("—", "-", 1),
        Change("…", "...", 1),
        Change("\u00a0", " ", 1),
    )
    assert encode_info(new).encoding == "GSM-7"


def test_transliteration_drops_accents_that_gsm_lacks_and_keeps_those_it_has():
    new, changes = transliterate_gsm(
        "Llámenos: línea, acción, útil. ÁÍÓÚ âêîôû. Él, niño, pingüino, ¿sí? ¡ya!"
    )
    assert new == "Llamenos: linea, accion, util. AIOU aeiou. Él, niño, pingüino, ¿si? ¡ya!"
    assert {c.char for c in changes} == set("áíóúÁÍÓÚâêîôû")
    assert Change("í", "i", 2) in changes  # línea and sí
    assert encode_info(new).encoding == "GSM-7"


def test_transliteration_maps_small_c_cedilla_to_the_tables_capital():
    new, changes = transliterate_gsm("Français")
    assert new == "FranÇais"
    assert changes == (Change("ç", "Ç", 1),)


def test_a_decomposed_accent_is_composed_into_its_gsm_letter():
    new, changes = transliterate_gsm("cafe\u0301 y ma\u0301s")
    assert new == "café y mas"
    assert changes == (Change("e\u0301", "é", 1), Change("a\u0301", "a", 1))


def test_characters_without_a_look_alike_are_kept_and_text_without_changes_is_unchanged():
    assert transliterate_gsm("Help 😀 求助") == ("Help 😀 求助", ())
    assert transliterate_gsm("Señal ¿ok? {911} €5") == ("Señal ¿ok? {911} €5", ())
