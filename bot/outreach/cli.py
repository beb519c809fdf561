"""`flask outreach cards|poster|qr`: print-ready files from the live (or a chosen) library revision.

Every failure ends with a message saying what to fix and exit code 1, and leaves no file behind:
a file is written whole, under a temporary name beside it, and renamed into place at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from flask import current_app
from flask.cli import AppGroup

from bot.outreach.content import OutreachError
from bot.outreach.files import BOTH, NoBotNumber
from bot.runtime import runtime

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


def _refusal(exc: OutreachError) -> click.ClickException:
    """A refusal as the command's error: what was missing, or every reason nothing was printed."""
    problems = list(exc.problems)
    if isinstance(exc, NoBotNumber):
        problems[0] += " or pass --number"
    lines = "\n".join(f"  - {p}" for p in problems)
    return click.ClickException(f"nothing was printed, because:\n{lines}")


Made = TypeVar("Made")


def _made(make: Callable[..., Made], **options: object) -> Made:
    """What a maker of bot.outreach.files made from this app's library, or its refusal as an error."""
    rt = runtime(current_app)
    try:
        return make(rt.settings, rt.store, **options)
    except OutreachError as exc:
        raise _refusal(exc) from None


_out_option = click.option(
    "--out", "out", required=True, help="The file to write; its folder must exist."
)
_number_option = click.option(
    "--number", help="The bot's number in E.164, e.g. +15095550100 (default: BOT_NUMBER)."
)
_lang_option = click.option(
    "--lang",
    default=BOTH,
    show_default=True,
    help="A library language (vi), or two joined by a comma (vi,en: fronts, backs); both is the"
    " library's first two languages.",
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
    from bot.outreach.files import make_cards

    path = _output(out, (".pdf",))
    made = _made(make_cards, number=number, lang=lang, revision_id=revision_id)
    _write(path, made.pdf)
    material = made.material
    sides = " and ".join(
        f"{s.lang} ({'front' if i == 0 else 'back'}, text {s.help_word})"
        for i, s in enumerate(material.sides)
    )
    click.echo(
        f"Wrote {path}: 10 cards per page for {material.display_number}, {sides},"
        f" from library revision {made.revision}."
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
    from bot.outreach.files import make_poster

    path = _output(out, (".pdf",))
    made = _made(make_poster, number=number, lang=lang, revision_id=revision_id)
    _write(path, made.pdf)
    click.echo(
        f"Wrote {path}: {len(made.material.sides)} poster page(s) for"
        f" {made.material.display_number}, from library revision {made.revision}."
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
    from bot.outreach.files import make_qr

    path = _output(out, (".png", ".svg"))
    made = _made(
        make_qr,
        kind=path.suffix.lower()[1:],
        number=number,
        body=body,
        scheme=scheme,
        revision_id=revision_id,
    )
    _write(path, made.data)
    click.echo(
        f"Wrote {path}: {made.uri}  ({made.body!r} gets the {made.lang} {made.topic!r} reply"
        f" of library revision {made.revision})"
    )
