"""The outreach files as bytes, made one way for `flask outreach` and the console's Outreach page.

Each maker takes the settings and the store, picks the live revision (or a named one), proves what
it prints through that revision's matcher and returns the whole file; on any refusal it raises
OutreachError with every reason, before anything is written or sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.core.library import Library, LibraryError, load_library
from bot.outreach.content import OutreachError
from bot.settings import Settings, SettingsError, check_e164

if TYPE_CHECKING:
    from bot.core.numbers import NumberRegistry
    from bot.outreach.content import Material
    from bot.store import Store

#: The --lang value that prints the library's first two languages (front, back).
BOTH = "both"
QR_KINDS = ("png", "svg")


class NoBotNumber(OutreachError):
    """Neither BOT_NUMBER nor a number given: there is nothing to print as the number to text."""


@dataclass(frozen=True)
class MadePdf:
    """Cards or a poster: the PDF, the revision it was made from and what it says."""

    pdf: bytes
    revision: int
    material: Material


@dataclass(frozen=True)
class MadeQr:
    """A QR code: the file, the revision, the URI it holds and what its word gets."""

    data: bytes
    revision: int
    uri: str
    body: str
    topic: str
    lang: str


def bot_number(settings: Settings, number: str | None = None) -> str:
    """The number to print: the one given, else BOT_NUMBER; checked to be E.164."""
    number = number or settings.bot_number
    if not number:
        raise NoBotNumber(["no bot number: set BOT_NUMBER (e.g. +15095550100)"])
    try:
        return check_e164(number)
    except SettingsError as exc:
        raise OutreachError([str(exc)]) from None


def published_library(store: Store, revision_id: int | None = None) -> tuple[int, Library]:
    """A published revision (the live one unless one is named) and its library."""
    from bot.store import StoreError

    try:
        revision = store.live_revision() if revision_id is None else store.get_revision(revision_id)
    except StoreError as exc:
        raise OutreachError([str(exc)]) from None
    if revision is None:
        raise OutreachError(["no library is published yet: run `flask library publish`"])
    try:
        return revision.id, load_library(revision.bundle)
    except LibraryError as exc:
        raise OutreachError([f"library revision {revision.id} does not load:\n{exc}"]) from None


def number_registry(settings: Settings) -> NumberRegistry:
    """The number registry: numbers.yaml in LIBRARY_DIR, else the project's."""
    from bot.library.registry import RegistryUnavailable, deployment_registry

    try:
        return deployment_registry(settings)
    except RegistryUnavailable as exc:
        raise OutreachError([f"the number registry {exc.path} cannot be read:\n{exc}"]) from None


def printed_languages(library: Library, lang: str) -> tuple[str, ...]:
    """The languages a --lang value prints, in order (front, back): "both" is the library's first
    two, else one code or two joined by a comma ("vi,en"), each one the library has."""
    if lang == BOTH:
        return tuple(library.languages[:2])
    codes = tuple(code.strip() for code in lang.split(",") if code.strip())
    unknown = [code for code in codes if code not in library.languages]
    if not codes or unknown or len(codes) > 2 or len(set(codes)) < len(codes):
        raise OutreachError(
            [
                f"unknown languages {lang!r}: give {BOTH}, one of the library's languages"
                f" ({', '.join(library.languages)}) or two joined by a comma, e.g. vi,en"
            ]
        )
    return codes


def _pdf(
    kind: Literal["cards", "poster"],
    settings: Settings,
    store: Store,
    number: str | None,
    lang: str,
    revision_id: int | None,
) -> MadePdf:
    from bot.outreach.content import build_material, check_printed_numbers
    from bot.outreach.render import CARD_MENU_ITEMS, render_cards, render_poster

    number = bot_number(settings, number)
    revision, library = published_library(store, revision_id)
    languages = printed_languages(library, lang)
    registry = number_registry(settings)
    menu_items = CARD_MENU_ITEMS if kind == "cards" else None
    material = build_material(library, registry, number, languages, menu_items=menu_items)
    try:
        rendered = (render_cards if kind == "cards" else render_poster)(material)
    except OutreachError:
        raise
    except ValueError as exc:
        raise OutreachError([str(exc)]) from None
    check_printed_numbers(rendered.texts, registry, material.bot_number)
    return MadePdf(rendered.pdf, revision, material)


def make_cards(
    settings: Settings,
    store: Store,
    *,
    number: str | None = None,
    lang: str = "both",
    revision_id: int | None = None,
) -> MadePdf:
    """A Letter PDF of ten wallet cards per side, English fronts and Spanish backs for "both"."""
    return _pdf("cards", settings, store, number, lang, revision_id)


def make_poster(
    settings: Settings,
    store: Store,
    *,
    number: str | None = None,
    lang: str = "both",
    revision_id: int | None = None,
) -> MadePdf:
    """A Letter PDF poster, one page per language."""
    return _pdf("poster", settings, store, number, lang, revision_id)


def make_qr(
    settings: Settings,
    store: Store,
    *,
    kind: str = "png",
    number: str | None = None,
    body: str | None = None,
    scheme: str = "smsto",
    revision_id: int | None = None,
) -> MadeQr:
    """A QR code (PNG or SVG) that opens a text to the bot with a word that gets a reply."""
    from bot.core.matcher import build_matcher, match
    from bot.outreach.content import HELP_WORDS, pick_help_word
    from bot.outreach.qr import qr_file, sms_uri

    if kind not in QR_KINDS:
        raise OutreachError([f"unknown QR file kind {kind!r}: choose png or svg"])
    if scheme not in ("smsto", "sms"):
        raise OutreachError([f"unknown QR scheme {scheme!r}: choose smsto or sms"])
    number = bot_number(settings, number)
    revision, library = published_library(store, revision_id)
    matcher = build_matcher(library)
    body = (body or "").strip() or None
    if body is None:
        body = pick_help_word(matcher, library, library.default_language)
        if body is None:
            raise OutreachError(
                [f"no menu keyword gets the menu (tried {', '.join(HELP_WORDS)}); give a word"]
            )
    found = match(body, matcher)
    if library.topic(found.topic).silent:
        raise OutreachError(
            [f"{body!r} gets no reply (topic {found.topic!r}: an opt-out); choose another word"]
        )
    uri = sms_uri(number, body, scheme)  # type: ignore[arg-type]
    data = qr_file(uri, kind)  # type: ignore[arg-type]
    return MadeQr(data, revision, uri, body, found.topic, found.lang)
