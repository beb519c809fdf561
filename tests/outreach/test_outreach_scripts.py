"""Cards in Vietnamese, Chinese and Russian: drawn with a font that has their characters (ink where
the labels are, as much as the label drawn alone in that font, far more than the boxes a font
without them leaves), their QR codes decoded by zbarimg at 200 dpi."""

from __future__ import annotations

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from bot.core.matcher import match
from bot.core.topics import MENU_TOPIC
from bot.outreach.render import CARD_SAFE, CARD_W, INCH, card_origins
from bot.outreach.typefaces import ATKINSON, choose_typeface, typeface_missing
from tests.outreach.test_outreach_commands import (  # noqa: F401  (fixtures shared)
    NUMBER,
    app,
    decode_qr,
    library,
    matcher,
    render_page,
)

DPI = 200
SCRIPT_LANGUAGES = ("vi", "zh-Hans", "ru")


def _ink(image: Image.Image) -> int:
    """Dark pixels of a greyscale image."""
    return sum(image.convert("L").histogram()[:128])


def _label_alone(tmp_path, text: str, face, size: float) -> int:
    """The ink of a text drawn alone, bold at a size, with a typeface (missing glyphs left out,
    as fpdf2 leaves them), at 200 dpi."""
    pdf = FPDF(unit="pt", format=(CARD_W * 2, 40))
    pdf.set_margin(0)
    pdf.add_font(face.family, "B", face.file(bold=True), collection_font_number=face.index)
    pdf.add_page()
    pdf.set_font(face.family, "B", size)
    pdf.text(4, 20, text)
    path = tmp_path / f"alone-{face.family}.pdf"
    pdf.output(str(path))
    return _ink(Image.open(render_page(path, 1, DPI, tmp_path / f"alone-{face.family}.png")))


@pytest.fixture(scope="module")
def cards(app, tmp_path_factory):  # noqa: F811
    """Each script language's cards, made by the command, page 1 rendered at 200 dpi."""
    folder = tmp_path_factory.mktemp("scripts")
    made = {}
    for lang in SCRIPT_LANGUAGES:
        pdf = folder / f"cards-{lang}.pdf"
        result = app.test_cli_runner().invoke(
            args=["outreach", "cards", "--lang", lang, "--out", str(pdf)]
        )
        assert result.exit_code == 0, result.output
        made[lang] = (pdf, render_page(pdf, 1, DPI, folder / f"cards-{lang}.png"))
    return made


@pytest.mark.parametrize("lang", SCRIPT_LANGUAGES)
def test_a_script_card_draws_its_label_in_a_font_that_has_it(cards, library, tmp_path, lang):  # noqa: F811
    _, png = cards[lang]
    word = decode_qr(png)[0].rsplit(":", 1)[1]
    label = library.language(lang).labels["text_word_to"].format(word=word)  # "Nhắn GIÚP tới"
    assert any(ord(ch) > 0x24F for ch in label), label  # beyond Latin: needs a script font
    face = choose_typeface(lang, [label])
    assert face is not ATKINSON and not typeface_missing(face, label)
    assert typeface_missing(ATKINSON, label)

    # The first card's top label line, left of its QR code, in pixels at 200 dpi.
    x, y = card_origins()[0]
    scale = DPI / INCH
    box = (x + CARD_SAFE, y + CARD_SAFE - 2, x + CARD_W / 2 + 20, y + CARD_SAFE + 11)
    strip = Image.open(png).convert("L").crop(tuple(round(v * scale) for v in box))
    on_card = _ink(strip)
    drawn = _label_alone(tmp_path, label, face, 9)
    boxes = _label_alone(tmp_path, label, ATKINSON, 9)
    assert 0.8 * drawn <= on_card <= 1.25 * drawn, (on_card, drawn)
    # A font without the glyphs leaves them out: the card has their ink on top of what it leaves.
    missing = _label_alone(tmp_path, "".join(typeface_missing(ATKINSON, label)), face, 9)
    assert on_card - boxes >= 0.5 * missing > 0, (on_card, boxes, missing)


@pytest.mark.parametrize("lang", SCRIPT_LANGUAGES)
def test_a_script_cards_qr_codes_decode_to_its_help_word(cards, matcher, lang):  # noqa: F811
    pdf, png = cards[lang]
    # pypdf writes a CID font's text with NULs between the characters
    first_line = PdfReader(pdf).pages[0].extract_text().replace("\x00", "").splitlines()[0]
    codes = decode_qr(png)
    assert len(codes) == 10
    word = codes[0].rsplit(":", 1)[1]
    assert codes == [f"SMSTO:{NUMBER}:{word}"] * 10
    assert word.upper() == word and word in first_line
    found = match(word, matcher)
    assert (found.topic, found.lang) == (MENU_TOPIC, lang)
