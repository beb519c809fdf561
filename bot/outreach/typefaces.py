"""Which font prints a language: the first typeface that has every character a side prints.

The bundled Atkinson Hyperlegible covers Latin (English, Spanish, Tagalog, Somali). Vietnamese,
Cyrillic, Chinese and Korean need Noto (SIL Open Font License 1.1), which comes from Debian's
fonts-noto-core and fonts-noto-cjk packages at the paths below, not from the repository: the CJK
font is 20 MB a weight, and a subset cut to today's library would refuse the next title an
operator writes. `.ci/run` and `make run` install the packages (docs/languages.md, Printing).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The bundled fonts (bot/outreach/fonts, with their licence).
BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"
#: Where Debian's fonts-noto-core and fonts-noto-cjk put their files.
NOTO_CORE_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK_DIR = Path("/usr/share/fonts/opentype/noto")


@dataclass(frozen=True)
class Typeface:
    """A font family as fpdf2 embeds it: a regular and a bold file, and where it comes from."""

    family: str
    regular: str
    bold: str
    folder: Path
    #: the face's index in a TrueType collection (.ttc); 0 for a plain font file
    index: int = 0
    #: the Debian package that provides the files, or None when they are bundled
    package: str | None = None

    def file(self, bold: bool = False) -> Path:
        """The font file of a weight."""
        return self.folder / (self.bold if bold else self.regular)

    @property
    def installed(self) -> bool:
        """Whether both weights' files are on this machine."""
        return self.file().is_file() and self.file(bold=True).is_file()


ATKINSON = Typeface(
    "Atkinson",
    "AtkinsonHyperlegible-Regular.ttf",
    "AtkinsonHyperlegible-Bold.ttf",
    BUNDLED_DIR,
)
NOTO_SANS = Typeface(
    "NotoSans",
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    NOTO_CORE_DIR,
    package="fonts-noto-core",
)
#: Index 2 of the collection is Noto Sans CJK SC (Simplified Chinese forms). Its Hangul and Latin
#: are the same drawings in every regional face of the collection; only Han forms differ.
NOTO_SANS_CJK = Typeface(
    "NotoSansCJK",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJK-Bold.ttc",
    NOTO_CJK_DIR,
    index=2,
    package="fonts-noto-cjk",
)
#: Tried in this order: the first that has every character of a side prints it.
TYPEFACES: tuple[Typeface, ...] = (ATKINSON, NOTO_SANS, NOTO_SANS_CJK)


@functools.cache
def covered(font_file: Path, index: int = 0) -> frozenset[int]:
    """The code points a font file (or face `index` of a collection) has a glyph for."""
    from fontTools.ttLib import TTFont  # fpdf2's own dependency, which reads fonts for it

    with TTFont(font_file, lazy=True, fontNumber=index) as font:
        return frozenset(font.getBestCmap() or {})


def missing_glyphs(text: str, font_file: Path, index: int = 0) -> tuple[str, ...]:
    """The characters of a text that a font file has no glyph for, each once, in order.

    fpdf2 prints such a character as nothing (with only a warning in the log), so a title in a
    script the font does not cover would come out blank; the glyph check asks the font used.
    """
    have = covered(font_file, index)
    return tuple(dict.fromkeys(ch for ch in text if ord(ch) not in have and not ch.isspace()))


def typeface_missing(face: Typeface, text: str) -> tuple[str, ...]:
    """The characters of a text that either weight of a typeface lacks (all, if not installed)."""
    if not face.installed:
        return tuple(dict.fromkeys(ch for ch in text if not ch.isspace()))
    found = missing_glyphs(text, face.file(), face.index)
    found += missing_glyphs(text, face.file(bold=True), face.index)
    return tuple(dict.fromkeys(found))


def describe(chars: Iterable[str]) -> str:
    """Characters as a reader can find them: '住' (U+4F4F), ..."""
    return ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in chars)


def choose_typeface(
    lang: str, texts: Sequence[str], typefaces: Sequence[Typeface] = TYPEFACES
) -> Typeface | list[str]:
    """The first typeface with every character of a language's printed texts, or the problems:
    each text some character of which no typeface has, naming the language and the characters."""
    for face in typefaces:
        if all(not typeface_missing(face, text) for text in texts):
            return face
    # No one face prints them all: name what the fullest installed face still lacks, text by text.
    installed = [f for f in typefaces if f.installed] or list(typefaces)
    best = min(installed, key=lambda f: sum(len(typeface_missing(f, t)) for t in texts))
    problems = []
    for text in dict.fromkeys(texts):
        missing = typeface_missing(best, text)
        if missing:
            problems.append(
                f"{lang}: {text!r} has characters no printing font has ({describe(missing)}),"
                f" which would print as empty boxes; the fullest font, {best.family}"
                f" ({best.file()}), lacks them"
            )
    absent = [f.package for f in typefaces if f.package and not f.installed]
    if absent:
        problems.append(
            f"not installed: {', '.join(absent)} (apt-get install {' '.join(absent)}),"
            " whose fonts print Vietnamese, Cyrillic, Chinese and Korean"
        )
    return problems
