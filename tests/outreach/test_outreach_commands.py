"""`flask outreach cards|poster|qr` on the project's own library, published into a real store.

The files are checked the way a person would check them: the text a PDF reader extracts, the QR
codes a real decoder (zbarimg) reads off the rendered page, and the pixels along the cut lines.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot import create_app
from bot.core.library import load_library
from bot.core.matcher import build_matcher, match
from bot.core.numbers import load_registry_file
from bot.core.sms import encode_info
from bot.library.prepare import publishable_bundle
from bot.outreach.qr import make_qr
from bot.outreach.render import CARD_H, CARD_MENU_ITEMS, CARD_W, COLUMNS, INCH, card_origins
from bot.runtime import runtime
from bot.settings import PROJECT_ROOT, Settings
from tests.bundled import kept_readers
from tests.modules import loaded_by_a_new_worker

NUMBER = "+15095550100"
SHOWN = "(509) 555-0100"
# "1 Work and pay · LABOR": two menu columns may share a line of the extracted text.
_MENU_LINE = re.compile(r"(?<!\S)(\d{1,2}) ([^·\n]+?) · ([A-ZÁÉÍÓÚÑ]+(?: [A-ZÁÉÍÓÚÑ]+)*)")


def _tool(name: str) -> str:
    """The path of a command-line tool; a skip without it, a failure in CI (which installs it)."""
    path = shutil.which(name)
    if path is None:
        message = (
            f"{name} is not installed: apt-get install -y zbar-tools poppler-utils, then "
            "pytest tests/outreach"
        )
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
            pytest.fail(f"{message}; CI installs it in .ci/run", pytrace=False)
        pytest.skip(message)
    return path


def decode_qr(png: Path) -> list[str]:
    """Every QR code zbarimg finds in an image, as raw text."""
    result = subprocess.run(
        [_tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.splitlines()


def render_page(pdf: Path, page: int, dpi: int, out: Path) -> Path:
    """One PDF page as a greyscale PNG, rendered by poppler's pdftoppm."""
    prefix = out.with_suffix("")
    pages = ["-f", str(page), "-l", str(page)]
    subprocess.run(
        [_tool("pdftoppm"), "-r", str(dpi), "-gray", "-png", "-singlefile", *pages, pdf, prefix],
        check=True,
        timeout=60,
    )
    return prefix.with_suffix(".png")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app whose live revision is the project's own library, published as publish does."""
    folder = tmp_path_factory.mktemp("outreach")
    app = create_app(
        Settings(
            database_url=f"sqlite:///{folder / 'bot.sqlite3'}",
            library_dir=str(PROJECT_ROOT),
            bot_number=NUMBER,
        )
    )
    store = runtime(app).store
    store.migrate()
    store.publish(
        publishable_bundle(PROJECT_ROOT, saved=kept_readers()),
        published_by="tests",
        comment="outreach",
    )
    yield app
    store.dispose()


@pytest.fixture(scope="module")
def library(app):
    return load_library(runtime(app).store.live_revision().bundle)


@pytest.fixture(scope="module")
def matcher(library):
    return build_matcher(library)


@pytest.fixture(scope="module")
def made(app, tmp_path_factory):
    """The cards and the poster, made once by the commands for the module's tests."""
    folder = tmp_path_factory.mktemp("made")
    runner = app.test_cli_runner()
    for kind in ("cards", "poster"):
        result = runner.invoke(args=["outreach", kind, "--out", str(folder / f"{kind}.pdf")])
        assert result.exit_code == 0, result.output
    return folder


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def _menu(library, count=None):
    topics = sorted(library.by_menu_number.values(), key=lambda t: t.menu)
    return topics[:count] if count else topics


# --- Cards ------------------------------------------------------------------------------------


def test_cards_are_one_sheet_english_fronts_and_spanish_backs(made):
    fronts, backs = _pages(made / "cards.pdf")
    assert fronts.count("Text HELP to") == 10 and backs.count("Escriba AYUDA al") == 10
    for page in (fronts, backs):
        assert page.count(SHOWN) == 10
        assert page.count("911") >= 10 and page.count("1-888-373-7888") == 10
    assert fronts.count("Danger now: 911") == 10 and backs.count("Peligro ahora: 911") == 10
    assert "delete this conversation" in fronts and "borre esta conversación" in backs


def test_cards_print_the_first_menu_topics_with_their_titles_in_each_language(made, library):
    pages = dict(zip(("en", "es"), _pages(made / "cards.pdf"), strict=True))
    for lang, text in pages.items():
        printed = {int(n): title for n, title, _ in _MENU_LINE.findall(text)}
        expected = {t.menu: t.titles[lang] for t in _menu(library, CARD_MENU_ITEMS)}
        assert 4 <= len(expected) <= 6
        assert printed == expected


def test_a_card_says_plainly_how_to_get_the_menu_topics_it_has_no_room_for(made, library):
    assert len(_menu(library)) > CARD_MENU_ITEMS
    fronts, backs = _pages(made / "cards.pdf")
    assert fronts.count("More topics: text HELP") == 10
    assert backs.count("Más temas: escriba AYUDA") == 10


def test_printed_spanish_keeps_every_accent_titles_and_their_words_included(made, library):
    _, backs = _pages(made / "cards.pdf")
    _, poster = _pages(made / "poster.pdf")
    for accented in ("Jóvenes y familia", "JÓVENES", "Inmigración", "INMIGRACIÓN"):
        assert accented in backs and accented in poster
    assert "Enfermo por químicos o calor" in poster
    for unaccented in ("Jovenes", "JOVENES", "Inmigracion", "INMIGRACION", "quimicos"):
        assert unaccented not in backs + poster
    # The text message keeps to GSM-7: the same titles go out without their accents.
    menu = library.reply("menu", "es")
    assert "3 Jovenes y familia" in menu and "5 Inmigracion" in menu
    assert encode_info(menu).encoding == "GSM-7"


def test_printed_spanish_speaks_to_usted_as_the_texts_do(made):
    _, backs = _pages(made / "cards.pdf")
    _, poster = _pages(made / "poster.pdf")
    for page in (backs, poster):
        for tu in (
            "Necesitas",
            "Escríbenos",
            "Escribe ",
            "escribe ",
            "llama al",
            "borra ",
            "Escanea ",
        ):
            assert tu not in page, tu
    assert "¿Necesita ayuda? Escríbanos." in poster and "Escanee con la cámara" in poster
    assert backs.count("llame al 1-888-373-7888") == 10


@pytest.mark.slow  # pages rendered by pdftoppm (and read by zbarimg) in fresh processes
def test_the_lines_under_a_cards_qr_code_stay_apart(made, tmp_path):
    from PIL import Image

    dpi = 200
    px = dpi / INCH
    for number, mirrored in ((1, False), (2, True)):
        page = Image.open(render_page(made / "cards.pdf", number, dpi, tmp_path / f"{number}.png"))
        page = page.convert("L")
        x, y = card_origins(mirrored)[0]
        # Under the QR code: the menu's intro, three rows of menu, the way to the rest, the tip.
        lower = page.crop(
            tuple(round(v * px) for v in (x, y + 1.15 * INCH, x + CARD_W, y + CARD_H))
        )
        inked = [
            min(lower.getpixel((col, row)) for col in range(lower.width)) < 128
            for row in range(lower.height)
        ]
        lines = sum(1 for row, ink in enumerate(inked) if ink and (row == 0 or not inked[row - 1]))
        assert lines == 6, f"page {number}: {lines} lines of text under the QR code, not 6 apart"


def test_every_keyword_and_number_printed_on_cards_and_poster_reaches_its_topic(
    made, library, matcher
):
    by_number = {t.menu: t.id for t in library.topics if t.menu}
    checked = 0
    for name in ("cards.pdf", "poster.pdf"):
        for lang, text in zip(("en", "es"), _pages(made / name), strict=True):
            for number, title, keyword in _MENU_LINE.findall(text):
                topic = by_number[int(number)]
                assert match(number, matcher).topic == topic
                assert match(title, matcher).topic == topic, title
                found = match(keyword, matcher)
                assert (found.topic, found.lang) == (topic, lang), keyword
                checked += 1
    assert checked == 2 * 10 * CARD_MENU_ITEMS + 2 * len(by_number)


@pytest.mark.slow  # pages rendered by pdftoppm (and read by zbarimg) in fresh processes
def test_every_qr_code_on_a_sheet_decodes_to_a_text_to_the_bot_with_the_menu_word(made, tmp_path):
    pdf = made / "cards.pdf"
    fronts = decode_qr(render_page(pdf, 1, 150, tmp_path / "fronts.png"))
    backs = decode_qr(render_page(pdf, 2, 150, tmp_path / "backs.png"))
    assert fronts == [f"SMSTO:{NUMBER}:HELP"] * 10
    assert backs == [f"SMSTO:{NUMBER}:AYUDA"] * 10


@pytest.mark.slow  # pages rendered by pdftoppm (and read by zbarimg) in fresh processes
def test_a_card_qr_code_is_at_least_08_in_with_its_quiet_zone_and_scans_alone(made, tmp_path):
    from PIL import Image

    dpi = 300
    page = Image.open(render_page(made / "cards.pdf", 1, dpi, tmp_path / "p.png")).convert("L")
    x, y = card_origins()[0]
    px = dpi / INCH
    card = page.crop(
        (round(x * px), round(y * px), round((x + CARD_W) * px), round((y + CARD_H) * px))
    )
    # The QR code is the dark block in the card's top right; measure it where it is drawn.
    right = card.crop((card.width // 2 + card.width // 5, 0, card.width, card.height // 2 + 40))
    dark = right.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert dark is not None
    width_in = (dark[2] - dark[0]) / dpi
    assert width_in >= 0.8
    modules = make_qr(f"SMSTO:{NUMBER}:HELP").symbol_size(border=0)[0]
    module = (dark[2] - dark[0]) / modules
    offset = card.width // 2 + card.width // 5
    left_gap, top_gap = offset + dark[0] - 0, dark[1]
    right_gap = card.width - (offset + dark[2])
    assert min(top_gap, right_gap) >= 4 * module - 1  # the quiet zone stays on the card
    beside = card.crop((offset + dark[0] - round(4 * module), 0, offset + dark[0], dark[3]))
    assert beside.getextrema()[0] > 200, "text runs into the QR code's quiet zone"
    assert left_gap > 0
    # Scanned alone, at the size of the card itself at a phone camera's typical detail.
    alone = tmp_path / "card.png"
    card.resize((round(card.width / 2), round(card.height / 2))).save(alone)
    assert decode_qr(alone) == [f"SMSTO:{NUMBER}:HELP"]


@pytest.mark.slow  # pages rendered by pdftoppm (and read by zbarimg) in fresh processes
def test_nothing_is_drawn_near_a_cut_line_so_nothing_is_cut(made, tmp_path):
    from PIL import Image

    dpi = 144
    px = dpi / INCH
    band = 0.0625 * INCH  # a cut 1/16 in off its mark must still take no ink
    left, top = card_origins()[0]
    for number, mirrored in ((1, False), (2, True)):
        page = Image.open(render_page(made / "cards.pdf", number, dpi, tmp_path / f"{number}.png"))
        page = page.convert("L")
        for x, y in card_origins(mirrored):
            edges = {
                "left": (x, y, x + band, y + CARD_H),
                "right": (x + CARD_W - band, y, x + CARD_W, y + CARD_H),
                "top": (x, y, x + CARD_W, y + band),
                "bottom": (x, y + CARD_H - band, x + CARD_W, y + CARD_H),
            }
            for edge, box in edges.items():
                strip = page.crop(tuple(round(v * px) for v in box))
                assert strip.getextrema()[0] > 230, (
                    f"ink at the {edge} cut of a card, page {number}"
                )
        # The crop marks are there, in the top margin, each on the line of a vertical cut.
        above = page.crop((0, 0, page.width, round((top - 2) * px)))
        marks = [
            col
            for col in range(above.width)
            if min(above.getpixel((col, r)) for r in range(above.height)) < 128
        ]
        for column in range(COLUMNS + 1):
            assert any(abs(col - (left + column * CARD_W) * px) <= 2 for col in marks)


def test_back_page_cards_sit_mirrored_behind_their_fronts():
    fronts, backs = card_origins(), card_origins(mirrored=True)
    page_width = 8.5 * INCH
    for (fx, fy), (bx, by) in zip(fronts, backs, strict=True):
        assert by == fy and bx == pytest.approx(page_width - fx - CARD_W)
    # Front column 0 of a row is behind back column 1 of the same row.
    assert backs[0] == fronts[1] and backs[1] == fronts[0]


def test_cards_in_one_language_are_one_page(app, tmp_path):
    out = tmp_path / "es.pdf"
    result = app.test_cli_runner().invoke(
        args=["outreach", "cards", "--out", str(out), "--lang", "es"]
    )
    assert result.exit_code == 0, result.output
    (page,) = _pages(out)
    assert page.count("Escriba AYUDA al") == 10


# --- Poster -----------------------------------------------------------------------------------


def test_poster_has_a_page_per_language_with_the_whole_menu_911_and_the_hotline(made, library):
    registry = load_registry_file(PROJECT_ROOT / "numbers.yaml")
    for lang, text in zip(("en", "es"), _pages(made / "poster.pdf"), strict=True):
        assert SHOWN in text
        assert registry.by_id["emergency"].number in text
        assert registry.by_id["trafficking-hotline-call"].number in text
        assert registry.by_id["trafficking-hotline-text"].number in text
        printed = {int(n): title for n, title, _ in _MENU_LINE.findall(text)}
        assert printed == {t.menu: t.titles[lang] for t in _menu(library)}


@pytest.mark.slow  # pages rendered by pdftoppm (and read by zbarimg) in fresh processes
def test_nothing_on_the_poster_prints_in_a_printers_unprintable_margin(made, tmp_path):
    # Office printers leave about 1/4 in of each edge blank: the ten-item menu once pushed the
    # QR caption and the safety line to 0.01 in from the bottom, where they were cut off.
    from PIL import Image

    dpi = 72
    margin = round(0.25 * dpi)
    for number in (1, 2):
        page = Image.open(render_page(made / "poster.pdf", number, dpi, tmp_path / f"{number}.png"))
        page = page.convert("L")
        w, h = page.size
        for edge, box in {
            "top": (0, 0, w, margin),
            "bottom": (0, h - margin, w, h),
            "left": (0, 0, margin, h),
            "right": (w - margin, 0, w, h),
        }.items():
            assert page.crop(box).getextrema()[0] > 230, f"ink in the {edge} margin, page {number}"


@pytest.mark.slow  # pages rendered by pdftoppm (and read by zbarimg) in fresh processes
def test_poster_qr_code_decodes_on_each_page(made, tmp_path):
    pdf = made / "poster.pdf"
    assert decode_qr(render_page(pdf, 1, 72, tmp_path / "en.png")) == [f"SMSTO:{NUMBER}:HELP"]
    assert decode_qr(render_page(pdf, 2, 72, tmp_path / "es.png")) == [f"SMSTO:{NUMBER}:AYUDA"]


def test_poster_number_is_the_largest_type_on_the_page(made):
    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            sizes[text.strip()] = max(sizes.get(text.strip(), 0), font_size * tm[0])

    PdfReader(made / "poster.pdf").pages[0].extract_text(visitor_text=visit)
    assert max(sizes, key=sizes.get) == SHOWN
    assert sizes[SHOWN] >= 60  # about 0.6 in tall digits: readable across a room


# --- QR alone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], f"SMSTO:{NUMBER}:HELP"),
        (["--body", "AYUDA"], f"SMSTO:{NUMBER}:AYUDA"),
        (["--scheme", "sms", "--body", "HELP"], f"sms:{NUMBER}?body=HELP"),
        (["--number", "+12065550123", "--body", "vivienda"], "SMSTO:+12065550123:vivienda"),
    ],
)
def test_qr_png_decodes_to_the_expected_uri(app, tmp_path, args, expected):
    out = tmp_path / "qr.png"
    result = app.test_cli_runner().invoke(args=["outreach", "qr", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    assert decode_qr(out) == [expected]


def test_qr_svg_is_an_svg_drawing_of_the_same_code(app, tmp_path):
    import segno

    out = tmp_path / "qr.svg"
    result = app.test_cli_runner().invoke(args=["outreach", "qr", "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = io.BytesIO()
    segno.make_qr(f"SMSTO:{NUMBER}:HELP", error="m").save(expected, kind="svg", scale=10, border=4)
    assert out.read_bytes() == expected.getvalue()


def test_qr_refuses_a_body_that_would_opt_the_reader_out(app, tmp_path):
    out = tmp_path / "qr.png"
    result = app.test_cli_runner().invoke(
        args=["outreach", "qr", "--out", str(out), "--body", "STOP"]
    )
    assert result.exit_code == 1
    assert "opt-out" in result.output
    assert not out.exists()


# --- Bad input: a clear error and no file -----------------------------------------------------


@pytest.mark.parametrize("kind", ["cards", "poster", "qr"])
@pytest.mark.parametrize("number", ["5095550100", "+1 509 555 0100", "(509) 555-0100", "+0123"])
def test_a_number_not_in_e164_is_refused_and_nothing_is_written(app, tmp_path, kind, number):
    out = tmp_path / ("x.png" if kind == "qr" else "x.pdf")
    result = app.test_cli_runner().invoke(
        args=["outreach", kind, "--out", str(out), "--number", number]
    )
    assert result.exit_code == 1
    assert "E.164" in result.output and "+15095550100" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["cards", "poster", "qr"])
def test_an_output_folder_that_does_not_exist_is_refused(app, tmp_path, kind):
    out = tmp_path / "missing" / ("x.png" if kind == "qr" else "x.pdf")
    result = app.test_cli_runner().invoke(args=["outreach", kind, "--out", str(out)])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_file_kind_is_refused(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["outreach", "qr", "--out", str(tmp_path / "x.jpg")])
    assert result.exit_code == 1 and ".png or .svg" in result.output


def test_without_a_number_the_commands_say_how_to_give_one(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}"))
    result = app.test_cli_runner().invoke(
        args=["outreach", "cards", "--out", str(tmp_path / "c.pdf")]
    )
    assert result.exit_code == 1 and "BOT_NUMBER" in result.output


def test_a_serving_worker_never_loads_the_pdf_or_qr_libraries():
    assert loaded_by_a_new_worker(("fpdf", "segno", "PIL", "fontTools")) == []
