"""`flask outreach cards|poster|qr`: print-ready files from the live (or a chosen) library revision.

Every failure ends with a message saying what to fix and exit code 1, and leaves no file behind:
a file is written whole, under a temporary name beside it, and renamed into place at the end.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from bot.core.library import Library, LibraryError, load_library
from bot.runtime import runtime
from bot.settings import SettingsError, check_e164

LANGUAGE_CHOICES = {"en": ("en",), "es": ("es",), "both": ("en", "es")}

outreach_cli = AppGroup(
    "outreach", help="Wallet cards, posters and QR codes made from the published library."
)


def _output(path: str, suffixes: tuple[str, ...]) -> Path:
    """The output path, refused before any work if its folder is missing or its kind unknown."""
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise click.ClickException(f"{path}: the file name must end in {' or '.join(suffixes)}")
    if not out.parent.is_dir():
        raise click.ClickException(f"{path}: the folder {out.parent} does not exist")
    return out


def _write(out: Path, data: bytes) -> None:
    """Write a file whole or not at all: a reader never sees half a PDF, a failure leaves none."""
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _number(number: str | None) -> str:
    """The bot's number: --number, else BOT_NUMBER; checked to be E.164."""
    number = number or runtime(current_app).settings.bot_number
    if not number:
        raise click.ClickException(
            "no bot number: set BOT_NUMBER (e.g. +15095550100) or pass --number"
        )
    try:
        return check_e164(number)
    except SettingsError as exc:
        raise click.ClickException(f"--number: {exc}") from None


def _library(revision_id: int | None) -> tuple[int, Library]:
    """A published revision (the live one unless one is named) and its library."""
    from bot.store import StoreError

    store = runtime(current_app).store
    try:
        revision = store.live_revision() if revision_id is None else store.get_revision(revision_id)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if revision is None:
        raise click.ClickException("no library is published yet: run `flask library publish`")
    try:
        return revision.id, load_library(revision.bundle)
    except LibraryError as exc:
        raise click.ClickException(
            f"library revision {revision.id} does not load:\n{exc}"
        ) from None


def _registry():
    """The number registry: numbers.yaml in LIBRARY_DIR, else the project's."""
    from bot.core.numbers import load_registry_file
    from bot.prepare import registry_path_for

    settings = runtime(current_app).settings
    path = registry_path_for(settings.library_dir, settings)
    try:
        return load_registry_file(path)
    except (OSError, LibraryError) as exc:
        raise click.ClickException(f"the number registry {path} cannot be read:\n{exc}") from None


def _material(number: str | None, lang: str, revision_id: int | None, menu_items: int | None):
    from bot.outreach.content import OutreachError, build_material

    bot_number = _number(number)
    revision, library = _library(revision_id)
    registry = _registry()
    try:
        material = build_material(
            library, registry, bot_number, LANGUAGE_CHOICES[lang], menu_items=menu_items
        )
    except OutreachError as exc:
        raise _refusal(exc) from None
    return revision, registry, material


def _refusal(exc: Exception) -> click.ClickException:
    problems = getattr(exc, "problems", None) or (str(exc),)
    lines = "\n".join(f"  - {p}" for p in problems)
    return click.ClickException(f"nothing was printed, because:\n{lines}")


def _finish(out: Path, rendered, registry, bot_number: str) -> None:
    from bot.outreach.content import OutreachError, check_printed_numbers

    try:
        check_printed_numbers(rendered.texts, registry, bot_number)
    except OutreachError as exc:
        raise _refusal(exc) from None
    _write(out, rendered.pdf)


_out_option = click.option(
    "--out", "out", required=True, help="The file to write; its folder must exist."
)
_number_option = click.option(
    "--number", help="The bot's number in E.164, e.g. +15095550100 (default: BOT_NUMBER)."
)
_lang_option = click.option(
    "--lang",
    type=click.Choice(sorted(LANGUAGE_CHOICES)),
    default="both",
    show_default=True,
    help="Languages: both puts English on the fronts and Spanish on the backs.",
)
_revision_option = click.option(
    "--revision", "revision_id", type=int, help="A published revision (default: the live one)."
)


@outreach_cli.command("cards")
@_out_option
@_number_option
@_lang_option
@_revision_option
def cards_command(out: str, number: str | None, lang: str, revision_id: int | None) -> None:
    """A Letter PDF of ten 3.5 x 2 in wallet cards per side, with crop marks."""
    from bot.outreach.render import CARD_MENU_ITEMS, render_cards

    path = _output(out, (".pdf",))
    revision, registry, material = _material(number, lang, revision_id, CARD_MENU_ITEMS)
    try:
        rendered = render_cards(material)
    except ValueError as exc:
        raise _refusal(exc) from None
    _finish(path, rendered, registry, material.bot_number)
    sides = " and ".join(
        f"{s.lang} ({'front' if i == 0 else 'back'}, text {s.help_word})"
        for i, s in enumerate(material.sides)
    )
    click.echo(
        f"Wrote {path}: 10 cards per page for {material.display_number}, {sides},"
        f" from library revision {revision}."
    )
    if len(material.sides) > 1:
        click.echo("Print both pages on one sheet, double-sided, flipping on the long edge.")


@outreach_cli.command("poster")
@_out_option
@_number_option
@_lang_option
@_revision_option
def poster_command(out: str, number: str | None, lang: str, revision_id: int | None) -> None:
    """A Letter PDF poster, one page per language."""
    from bot.outreach.render import render_poster

    path = _output(out, (".pdf",))
    revision, registry, material = _material(number, lang, revision_id, None)
    try:
        rendered = render_poster(material)
    except ValueError as exc:
        raise _refusal(exc) from None
    _finish(path, rendered, registry, material.bot_number)
    click.echo(
        f"Wrote {path}: {len(material.sides)} poster page(s) for {material.display_number},"
        f" from library revision {revision}."
    )


@outreach_cli.command("qr")
@_out_option
@_number_option
@click.option(
    "--body", help="The word filled in (default: the library's word for the menu, e.g. HELP)."
)
@click.option(
    "--scheme",
    type=click.Choice(["smsto", "sms"]),
    default="smsto",
    show_default=True,
    help="SMSTO:number:body (read by iPhones and Android phones) or RFC 5724 sms:number?body=.",
)
@_revision_option
def qr_command(
    out: str, number: str | None, body: str | None, scheme: str, revision_id: int | None
) -> None:
    """A QR code (PNG or SVG, by the file name) that opens a text to the bot."""
    from bot.core.matcher import build_matcher, match
    from bot.outreach.content import HELP_WORDS, pick_help_word
    from bot.outreach.qr import qr_file, sms_uri

    path = _output(out, (".png", ".svg"))
    bot_number = _number(number)
    revision, library = _library(revision_id)
    matcher = build_matcher(library)
    if body is None:
        body = pick_help_word(matcher, library, library.default_language)
        if body is None:
            raise click.ClickException(
                f"no menu keyword gets the menu (tried {', '.join(HELP_WORDS)}); pass --body"
            )
    found = match(body, matcher)
    if library.topic(found.topic).silent:
        raise click.ClickException(
            f"--body {body!r} gets no reply (topic {found.topic!r}: an opt-out); choose another word"
        )
    uri = sms_uri(bot_number, body, scheme)  # type: ignore[arg-type]
    _write(path, qr_file(uri, "svg" if path.suffix.lower() == ".svg" else "png"))
    click.echo(
        f"Wrote {path}: {uri}  ({body!r} gets the {found.lang} {found.topic!r} reply"
        f" of library revision {revision})"
    )
