"""The printed pieces as PDF: a Letter sheet of ten wallet cards, and a Letter poster."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fpdf import FPDF

from bot.outreach.content import Material, MenuLine, OutreachError, Side
from bot.outreach.qr import QUIET_ZONE, dark_runs, make_qr, sms_uri
from bot.outreach.typefaces import ATKINSON, Typeface, choose_typeface, describe, missing_glyphs

INCH = 72.0  # PDF points
PAGE_W, PAGE_H = 8.5 * INCH, 11 * INCH  # US Letter
CARD_W, CARD_H = 3.5 * INCH, 2 * INCH  # a US business card
COLUMNS, ROWS = 2, 5
#: Content stays this far inside a card's edge, so a cut a little off the crop marks takes none.
CARD_SAFE = 0.125 * INCH
#: The card's QR code, without its quiet zone (at least 0.8 in, for phone cameras at arm's length).
CARD_QR = 0.85 * INCH
CARD_MENU_ITEMS = 6
#: Crop marks: this long, starting this far from the cards, so no mark ends on a card.
MARK_LENGTH, MARK_GAP = 0.1875 * INCH, 0.0625 * INCH
#: The smallest type on a card; small print below it is hard to read at arm's length.
CARD_MIN_POINTS = 6.0
POSTER_MARGIN = 0.5 * INCH
POSTER_QR = 2.5 * INCH
#: Between the menu's last line and the QR code, and from the QR code to its caption's baseline.
POSTER_QR_GAP = 30.0
POSTER_CAPTION = 18.0

# fpdf2 subsets the font with fontTools, which logs every table it prunes at INFO: noise in an
# operator's terminal under the bot's LOG_LEVEL=INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def side_texts(side: Side, material: Material) -> list[str]:
    """Every text a side prints in its own language: labels (filled in), titles and keywords."""
    values = {
        "word": side.help_word,
        "number": material.emergency,
        "call": material.hotline_call,
        "text": material.hotline_text,
    }
    labels = [template.format(**values) for template in side.labels.values()]
    menu = [text for item in side.menu for text in _menu_text(item)]
    return [*labels, *menu, side.help_word, material.display_number]


def side_typefaces(material: Material) -> dict[str, Typeface]:
    """The typeface of each side, the first with all its characters; OutreachError naming, per
    language, each text with a character no font has (it would print as an empty box)."""
    chosen: dict[str, Typeface] = {}
    problems: list[str] = []
    for side in material.sides:
        face = choose_typeface(side.lang, side_texts(side, material))
        if isinstance(face, Typeface):
            chosen[side.lang] = face
        else:
            problems.extend(p for p in face if p not in problems)
    if problems:
        raise OutreachError(problems)
    return chosen


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF and every string drawn on it, for the last check of the numbers."""

    pdf: bytes
    texts: tuple[str, ...]


class _Sheet:
    """An FPDF in points with the embedded font, recording each string it draws."""

    def __init__(self, title: str, lang: str, typefaces: Iterable[Typeface]) -> None:
        pdf = FPDF(unit="pt", format="letter")
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        for face in dict.fromkeys(typefaces):
            for style, bold in (("", False), ("B", True)):
                pdf.add_font(face.family, style, face.file(bold), collection_font_number=face.index)
        self.face = ATKINSON
        pdf.set_title(title)
        pdf.set_creator("SMS resource bot: flask outreach")
        pdf.set_lang(lang)
        self.pdf = pdf
        self.texts: list[str] = []
        #: What the font cannot print: one line per text, refused when the PDF is made.
        self.unprintable: dict[str, str] = {}

    def width(self, text: str, size: float, bold: bool = False) -> float:
        self.pdf.set_font(self.face.family, "B" if bold else "", size)
        return self.pdf.get_string_width(text)

    def text(self, x: float, baseline: float, text: str, size: float, bold: bool = False) -> float:
        """Draw text with its left end at x; returns where it ends."""
        font_file = self.face.file(bold)
        missing = missing_glyphs(text, font_file, self.face.index)
        if missing and text not in self.unprintable:
            self.unprintable[text] = (
                f"{text!r} has characters the font {font_file.stem} cannot print, which would "
                f"come out blank: {describe(missing)}; write it in letters the font has"
            )
        self.pdf.set_font(self.face.family, "B" if bold else "", size)
        self.pdf.text(x, baseline, text)
        self.texts.append(text)
        return x + self.pdf.get_string_width(text)

    def centred(self, baseline: float, text: str, size: float, bold: bool = False) -> None:
        self.text((PAGE_W - self.width(text, size, bold)) / 2, baseline, text, size, bold)

    def fit(self, text: str, width: float, largest: float, smallest: float, bold=False) -> float:
        """The largest size (in 0.25 pt steps) at which text fits a width; OutreachError if none."""
        size = largest
        while self.width(text, size, bold) > width:
            size -= 0.25
            if size < smallest:
                raise OutreachError(
                    [f"{text!r} does not fit {width / INCH:.2f} in even at {smallest:g} pt"]
                )
        return size

    def fit_lines(
        self, text: str, width: float, largest: float, smallest: float, bold=False
    ) -> tuple[float, tuple[str, ...]]:
        """The size and lines of a text: one line if it fits at `smallest`, else two, broken at
        the space that best balances them (a translation is often longer than the English)."""
        if self.width(text, smallest, bold) <= width or " " not in text:
            return self.fit(text, width, largest, smallest, bold), (text,)
        words = text.split(" ")
        halves = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        lines = min(halves, key=lambda h: max(self.width(part, smallest, bold) for part in h))
        return min(self.fit(line, width, largest, smallest, bold) for line in lines), lines

    def qr(self, uri: str, x: float, y: float, size: float) -> float:
        """Draw a QR code's dark modules as vector squares, its top left at (x, y); returns the
        module size. The quiet zone is left to the caller: it is the white space kept around."""
        code = make_qr(uri)
        modules = code.symbol_size(border=0)[0]
        module = size / modules
        self.pdf.set_fill_color(0)
        # One rectangle per run of dark modules, a hair taller than a row so that no viewer
        # leaves a seam between rows.
        for row, column, length in dark_runs(code):
            self.pdf.rect(
                x + column * module, y + row * module, length * module, module * 1.02, "F"
            )
        return module

    def output(self) -> Rendered:
        """The PDF; OutreachError naming every text the font cannot print, if any."""
        if self.unprintable:
            raise OutreachError(list(self.unprintable.values()))
        return Rendered(bytes(self.pdf.output()), tuple(self.texts))


# --- Wallet cards -----------------------------------------------------------------------------


def card_origins(mirrored: bool = False) -> list[tuple[float, float]]:
    """Top-left corners of the ten cards on a sheet, row by row.

    A back page is mirrored left to right: printed on the other side of the sheet, flipped on the
    long edge, the card at column c of the front is behind column COLUMNS - 1 - c of the back.
    """
    left = (PAGE_W - COLUMNS * CARD_W) / 2
    top = (PAGE_H - ROWS * CARD_H) / 2
    origins = []
    for row in range(ROWS):
        for column in range(COLUMNS):
            x = left + column * CARD_W
            if mirrored:
                x = PAGE_W - x - CARD_W
            origins.append((x, top + row * CARD_H))
    return origins


def _crop_marks(sheet: _Sheet) -> None:
    """Short lines in the margins on every cut line, stopping short of the cards."""
    pdf = sheet.pdf
    pdf.set_draw_color(0)
    pdf.set_line_width(0.5)
    left = (PAGE_W - COLUMNS * CARD_W) / 2
    top = (PAGE_H - ROWS * CARD_H) / 2
    right, bottom = left + COLUMNS * CARD_W, top + ROWS * CARD_H
    for column in range(COLUMNS + 1):
        x = left + column * CARD_W
        pdf.line(x, top - MARK_GAP - MARK_LENGTH, x, top - MARK_GAP)
        pdf.line(x, bottom + MARK_GAP, x, bottom + MARK_GAP + MARK_LENGTH)
    for row in range(ROWS + 1):
        y = top + row * CARD_H
        pdf.line(left - MARK_GAP - MARK_LENGTH, y, left - MARK_GAP, y)
        pdf.line(right + MARK_GAP, y, right + MARK_GAP + MARK_LENGTH, y)


def _menu_line(sheet: _Sheet, x: float, baseline: float, item: MenuLine, size: float) -> float:
    x = sheet.text(x, baseline, f"{item.number} ", size, bold=True)
    x = sheet.text(x, baseline, f"{item.title} · ", size)
    return sheet.text(x, baseline, item.keyword, size, bold=True)


def _menu_text(item: MenuLine) -> tuple[str, str, str]:
    return f"{item.number} ", f"{item.title} · ", item.keyword


def _menu_width(sheet: _Sheet, item: MenuLine, size: float) -> float:
    number, title, keyword = _menu_text(item)
    return (
        sheet.width(number, size, True)
        + sheet.width(title, size)
        + sheet.width(keyword, size, True)
    )


def _fit_menu(
    sheet: _Sheet, items: Sequence[MenuLine], width: float, largest, smallest, where: str
) -> float:
    """One size for all menu lines, the largest at which the longest fits."""
    size = largest
    while any(_menu_width(sheet, item, size) > width for item in items):
        size -= 0.25
        if size < smallest:
            longest = max(items, key=lambda i: _menu_width(sheet, i, smallest))
            raise OutreachError(
                [f"menu line {''.join(_menu_text(longest))!r} is too long for a {where}"]
            )
    return size


def _card(sheet: _Sheet, x: float, y: float, side: Side, material: Material, uri: str) -> None:
    """One card with its top left at (x, y)."""
    module = CARD_QR / make_qr(uri).symbol_size(border=0)[0]
    quiet = max(QUIET_ZONE * module, CARD_SAFE)
    qr_block = CARD_QR + 2 * quiet
    sheet.qr(uri, x + CARD_W - quiet - CARD_QR, y + quiet, CARD_QR)

    left = x + CARD_SAFE
    column = CARD_W - CARD_SAFE - qr_block  # beside the QR code
    baseline = y + CARD_SAFE + 8
    sheet.text(left, baseline, side.label("text_word_to", word=side.help_word), 9, bold=True)
    size = sheet.fit(material.display_number, column, 22, 14, bold=True)
    baseline += size * 1.05
    sheet.text(left, baseline, material.display_number, size, bold=True)
    baseline += 13
    sheet.text(left, baseline, side.label("danger", number=material.emergency), 10, bold=True)
    hotline = side.label("hotline")
    numbers = side.label("hotline_numbers", call=material.hotline_call, text=material.hotline_text)
    hotline_size, hotline_lines = sheet.fit_lines(hotline, column, 7, CARD_MIN_POINTS)
    numbers_size, numbers_lines = sheet.fit_lines(numbers, column, 7, CARD_MIN_POINTS)
    size = min(hotline_size, numbers_size)
    baseline += 9 - (size + 1.5)
    for line in (*hotline_lines, *numbers_lines):
        baseline += size + 1.5
        sheet.text(left, baseline, line, size)

    # Below the QR code the card's full width holds the menu, in two columns.
    full = CARD_W - 2 * CARD_SAFE
    baseline = max(baseline, y + qr_block) + 7
    intro = side.label("menu_intro")
    sheet.text(left, baseline, intro, sheet.fit(intro, full, 7, CARD_MIN_POINTS))
    items = side.menu[:CARD_MENU_ITEMS]
    columns = 1 if len(items) <= 3 else 2
    per_column = -(-len(items) // columns)
    gutter = 6.0
    size = _fit_menu(
        sheet, items, (full - gutter * (columns - 1)) / columns, 7.5, CARD_MIN_POINTS, "card"
    )
    for index, item in enumerate(items):
        column_x = left + (index // per_column) * ((full + gutter) / 2)
        _menu_line(sheet, column_x, baseline + (index % per_column + 1) * (size + 2), item, size)
    if side.left_off or len(side.menu) > len(items):
        # The rest of the menu does not fit on a card: say plainly how to get it.
        more = side.label("more_topics", word=side.help_word)
        baseline += (per_column + 1) * (size + 2)
        sheet.text(left, baseline, more, sheet.fit(more, full, size, CARD_MIN_POINTS, True), True)
    safety = side.label("safety")
    bottom = y + CARD_H - CARD_SAFE - 1.5  # room for descenders
    sheet.text(left, bottom, safety, sheet.fit(safety, full, 6.5, CARD_MIN_POINTS))


def render_cards(material: Material) -> Rendered:
    """A Letter PDF with one sheet of ten cards per side: the first side's language on page 1,
    the second's (if any) on page 2, mirrored to print on its back."""
    faces = side_typefaces(material)
    sheet = _Sheet("Wallet cards", material.sides[0].lang, faces.values())
    for page, side in enumerate(material.sides[:2]):
        sheet.pdf.add_page()
        sheet.face = faces[side.lang]
        uri = sms_uri(material.bot_number, side.help_word)
        for x, y in card_origins(mirrored=page == 1):
            _card(sheet, x, y, side, material, uri)
        _crop_marks(sheet)
    return sheet.output()


# --- Poster -----------------------------------------------------------------------------------


def _poster_page(sheet: _Sheet, side: Side, material: Material) -> None:
    """One poster: what to text and where, large enough to read across a room, then the menu,
    then the QR code beside the numbers for danger."""
    width = PAGE_W - 2 * POSTER_MARGIN
    left = POSTER_MARGIN
    baseline = POSTER_MARGIN + 34
    headline = side.label("headline")
    sheet.centred(baseline, headline, sheet.fit(headline, width, 36, 20, bold=True), bold=True)
    baseline += 46
    sheet.centred(baseline, side.label("text_word_to", word=side.help_word), 30)
    size = sheet.fit(material.display_number, width, 88, 40, bold=True)
    baseline += size * 0.98
    sheet.centred(baseline, material.display_number, size, bold=True)

    baseline += 48
    intro = side.label("menu_intro")
    sheet.text(left, baseline, intro, sheet.fit(intro, width, 22, 14, bold=True), bold=True)
    # The QR block under the menu has a fixed height, so the menu gets the rest of the page: a
    # longer menu prints smaller instead of pushing the last lines off the bottom edge.
    below = POSTER_QR_GAP + POSTER_QR + POSTER_CAPTION
    room = PAGE_H - POSTER_MARGIN - below - baseline
    smallest = 12
    by_height = room / (1.4 * len(side.menu))
    if by_height < smallest:
        raise OutreachError(
            [f"the menu has {len(side.menu)} items, too many to print readably on a poster"]
        )
    size = min(_fit_menu(sheet, side.menu, width, 24, smallest, "poster"), by_height)
    for item in side.menu:
        baseline += size * 1.4
        _menu_line(sheet, left, baseline, item, size)

    top = baseline + POSTER_QR_GAP
    sheet.qr(sms_uri(material.bot_number, side.help_word), left, top, POSTER_QR)
    caption = side.label("scan")
    sheet.text(
        left, top + POSTER_QR + POSTER_CAPTION, caption, sheet.fit(caption, POSTER_QR + 36, 12, 9)
    )
    right = left + POSTER_QR + 36
    column = PAGE_W - POSTER_MARGIN - right
    baseline = top + 28
    danger = side.label("danger", number=material.emergency)
    sheet.text(right, baseline, danger, sheet.fit(danger, column, 30, 16, bold=True), bold=True)
    baseline += 40
    hotline = side.label("hotline")
    size, lines = sheet.fit_lines(hotline, column, 20, 12)
    for index, line in enumerate(lines):
        baseline += index and size * 1.25
        sheet.text(right, baseline, line, size)
    numbers = side.label("hotline_numbers", call=material.hotline_call, text=material.hotline_text)
    for part in numbers.split(" · "):
        size, lines = sheet.fit_lines(part, column, 22, 12, bold=True)
        baseline += 28 - size * 1.25
        for line in lines:
            baseline += size * 1.25
            sheet.text(right, baseline, line, size, bold=True)
    safety = side.label("safety")
    baseline = max(baseline + 44, top + POSTER_QR + POSTER_CAPTION)
    sheet.text(right, baseline, safety, sheet.fit(safety, column, 14, 9))


def render_poster(material: Material) -> Rendered:
    """A Letter PDF with one poster page per language."""
    faces = side_typefaces(material)
    sheet = _Sheet("Poster", material.sides[0].lang, faces.values())
    for side in material.sides:
        sheet.pdf.add_page()
        sheet.face = faces[side.lang]
        _poster_page(sheet, side, material)
    return sheet.output()
