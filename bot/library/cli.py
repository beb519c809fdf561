"""Operator commands: `flask library check|publish|history|rollback|export`.

Every failure an operator can cause or meet (a bad directory, an unknown revision, an unreachable
database, a library with errors) ends with a one-line message and exit code 1, never a traceback.
The rules of publishing are bot.library.publishing's; these commands only word what it returns.
"""

from __future__ import annotations

import functools
import getpass
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import AppGroup

from bot.core.language_gaps import format_language_gaps, language_gaps
from bot.core.library import Library, LibraryError, Problem, load_library
from bot.core.tables import format_table
from bot.library.prepare import PreparedLibrary, prepare_library
from bot.library.publishing import export_to_directory, publish, rollback
from bot.library.registry import REGISTRY_FILE
from bot.runtime import runtime
from bot.store import Store, StoreError
from bot.store.cli import store_errors

F = TypeVar("F", bound=Callable[..., Any])

library_cli = AppGroup("library", help="Check, publish, roll back and export the response library.")


# --- Helpers ----------------------------------------------------------------------------------


def _operator_errors(func: F) -> F:
    """Turn store and file errors into a clean `Error: ...` and exit code 1."""
    guarded = store_errors(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return guarded(*args, **kwargs)
        except LibraryError as exc:  # files read_bundle refuses to read: links, too big, not UTF-8
            raise click.ClickException(_one_line_each(exc.problems)) from None
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from None

    return wrapper  # type: ignore[return-value]


def _one_line_each(problems: list[Problem]) -> str:
    """Problems as `file:line: message` lines, without the severity an `Error:` already gives."""
    return "\n".join(
        f"{p.file}:{p.line}: {p.message}" if p.line else f"{p.file}: {p.message}" for p in problems
    )


def _store() -> Store:
    return runtime(current_app).store


def _directory(directory: Path | None) -> Path:
    return (directory or Path.cwd()).resolve()


def _checked(
    directory: Path, numbers: Path | None, transliterate: bool
) -> tuple[Path, PreparedLibrary]:
    """The library in a directory, prepared and checked as publish does."""
    settings = runtime(current_app).settings
    return directory, prepare_library(
        directory,
        settings,
        numbers=numbers,
        transliterate=transliterate,
        live=_live_library(),
        saved=runtime(current_app).readers,
    )


def _live_library() -> Library | None:
    """The live revision's library, which the check measures a draft's reader against; None
    when there is none or it cannot be read (the draft is then checked alone)."""
    try:
        revision = _store().live_revision()
        return None if revision is None else load_library(revision.bundle)
    except (StoreError, LibraryError):
        return None


def _echo_header(directory: Path, prepared: PreparedLibrary) -> None:
    click.echo(
        f"Library in {directory} ({len(prepared.bundle)} files), "
        f"numbers from {prepared.registry_path}"
    )
    if prepared.changes:
        click.echo("Transliterated to GSM-7 look-alikes (as publish does):")
        for name, made in sorted(prepared.changes.items()):
            click.echo(f"  {name}: {', '.join(str(c) for c in made)}")


def _echo_problems(prepared: PreparedLibrary, *, full_report: bool) -> None:
    report = prepared.report
    if prepared.load_problems:
        n = len(prepared.load_problems)
        click.echo(f"The library cannot be loaded ({n} problem{'' if n == 1 else 's'}).")
    if report is None:  # keywords.yaml or the registry cannot be read: nothing more to check
        errors = prepared.errors
        click.echo("Errors:")
        for p in prepared.problems:
            click.echo(f"  {p}")
        click.echo(f"\n{len(errors)} error{'' if len(errors) == 1 else 's'}")
        return
    if full_report:
        from bot.core.report import format_report

        click.echo(format_report(report))
        return
    for title, found in (("Errors:", report.errors), ("Warnings:", report.warnings)):
        if found:
            click.echo(title)
            for p in found:
                click.echo(f"  {p}")


def _publisher() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return os.environ.get("USER", "") or "unknown"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


_dir_argument = click.argument(
    "directory",
    required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
_numbers_option = click.option(
    "--numbers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help=f"The number registry (default: DIR/{REGISTRY_FILE}, else the app's own).",
)


# --- flask library ... ------------------------------------------------------------------------


@library_cli.command("check")
@_dir_argument
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_numbers_option
@click.option(
    "--no-transliterate",
    is_flag=True,
    help="Check the files as written, without the GSM-7 transliteration publish applies.",
)
@_operator_errors
def check_command(
    directory: Path | None, as_json: bool, numbers: Path | None, no_transliterate: bool
) -> None:
    """Check the library files in DIR (default: the working directory) as publish would.

    Prints every reply with its length, encoding and numbers, then every problem with its file
    and line. Exits 1 when there are errors; warnings alone exit 0.
    """
    where, prepared = _checked(_directory(directory), numbers, not no_transliterate)
    if as_json:
        click.echo(json.dumps(prepared.as_json(where), ensure_ascii=False, indent=2))
    else:
        _echo_header(where, prepared)
        _echo_problems(prepared, full_report=True)
        summary = format_language_gaps(language_gaps(prepared.bundle))
        if summary:
            click.echo("\n" + summary)
    if not prepared.ok:
        raise SystemExit(1)


@library_cli.command("publish")
@_dir_argument
@click.option("--comment", "-m", required=True, help="What changed and why (kept in history).")
@click.option("--by", "published_by", default=None, help="Who publishes (default: your user name).")
@click.option(
    "--no-transliterate",
    is_flag=True,
    help="Publish the files as written, without replacing characters that force UCS-2.",
)
@_numbers_option
@_operator_errors
def publish_command(
    directory: Path | None,
    comment: str,
    published_by: str | None,
    no_transliterate: bool,
    numbers: Path | None,
) -> None:
    """Check the library in DIR (default: the working directory) and make it the live revision.

    Nothing changes when the check finds errors. Workers switch to the new revision within
    RELOAD_SECONDS.
    """
    where, prepared = _checked(_directory(directory), numbers, not no_transliterate)
    _echo_header(where, prepared)
    _echo_problems(prepared, full_report=False)
    if not prepared.ok:
        raise click.ClickException("the library has errors; nothing was published")

    store = _store()
    store.migrate()
    done = publish(store, prepared, by=published_by or _publisher(), comment=comment)
    revision = done.revision
    if not done.changed:
        click.echo(
            f"Revision {revision.id} is already live with this content "
            f"(digest {revision.digest[:12]}); nothing published."
        )
        return
    seconds = runtime(current_app).settings.reload_seconds
    click.echo(
        f"Published revision {revision.id} (digest {revision.digest[:12]}); it is live now, "
        f"workers switch to it within {seconds:g}s."
    )


@library_cli.command("history")
@click.option("--limit", "-n", default=20, show_default=True, type=click.IntRange(min=1))
@_operator_errors
def history_command(limit: int) -> None:
    """List the published revisions, newest first; * marks the live one."""
    revisions = _store().history(limit)
    if not revisions:
        click.echo("Nothing has been published yet.")
        return
    rows = [
        (
            "*" if r.live else "",
            str(r.id),
            _when(r.published_at),
            r.published_by,
            str(r.files),
            r.digest[:12],
            " ".join(r.comment.split()),
        )
        for r in revisions
    ]
    header = ("", "rev", "published (UTC)", "by", "files", "digest", "comment")
    click.echo(format_table(header, rows, right={1, 4}))


@library_cli.command("rollback")
@click.argument("revision_id", metavar="REV", type=int)
@click.option("--force", is_flag=True, help="Make it live even if it no longer loads.")
@_operator_errors
def rollback_command(revision_id: int, force: bool) -> None:
    """Make an earlier revision REV live again (see `flask library history`)."""
    try:
        done = rollback(_store(), revision_id, force=force)
    except LibraryError as exc:
        click.echo(f"Revision {revision_id} does not load with this version of the bot:")
        for p in exc.problems:
            click.echo(f"  {p}")
        raise click.ClickException(
            "rollback refused (workers would keep serving the current revision); "
            "use --force to point at it anyway"
        ) from None
    target = done.revision
    if not done.changed:
        click.echo(f"Revision {target.id} is already live.")
        return
    seconds = runtime(current_app).settings.reload_seconds
    click.echo(
        f"Revision {target.id} ({_when(target.published_at)}, {target.comment or 'no comment'}) "
        f"is live again (was {done.before}); workers switch to it within {seconds:g}s."
    )


@library_cli.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--rev", "revision_id", type=int, default=None, help="Export this revision (default: live)."
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty directory, replacing its library files.",
)
@_operator_errors
def export_command(directory: Path, revision_id: int | None, force: bool) -> None:
    """Write a published revision's keywords.yaml and responses/ into DIRECTORY to edit again."""
    store = _store()
    if revision_id is None:
        revision = store.live_revision()
        if revision is None:
            raise click.ClickException("nothing has been published yet")
    else:
        revision = store.get_revision(revision_id)
    if directory.exists() and any(directory.iterdir()) and not force:
        raise click.ClickException(
            f"{directory} is not empty; use --force to replace its library files"
        )
    written, removed = export_to_directory(revision, directory)
    for path in removed:
        click.echo(
            f"removed {path.relative_to(directory).as_posix()} (not in revision {revision.id})"
        )
    click.echo(f"Wrote {len(written)} files of revision {revision.id} to {directory}")


_lang_option = click.option("--lang", required=True, help="The language, e.g. vi.")
_library_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The library folder (default: the working directory).",
)


def _library_language(directory: Path, lang: str) -> dict[str, str]:
    """The library files of a folder, refused unless keywords.yaml lists the language."""
    from bot.core.bundle import read_bundle
    from bot.library.translations import library_languages

    bundle = read_bundle(directory)
    listed = library_languages(bundle)
    if lang not in listed:
        raise click.ClickException(
            f"keywords.yaml does not list {lang!r} (it lists {', '.join(listed)});"
            " add it under languages: first"
        )
    return bundle


@library_cli.command("export-translations")
@_lang_option
@_library_dir_option
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="default: stdout"
)
@_operator_errors
def export_translations_command(lang: str, directory: Path | None, out: Path | None) -> None:
    """A CSV of every text LANG needs (titles, replies, menu, spoken message, fallback, call
    prompts, printed labels) with the library's first language beside it, for a translator."""
    from bot.library.translations import export_csv

    data = export_csv(_library_language(_directory(directory), lang), lang)
    if out is None:
        click.echo(data.decode("utf-8-sig"), nl=False)
    else:
        out.write_bytes(data)
        click.echo(f"Wrote {out}: the texts of {lang} beside the first language's.", err=True)


@library_cli.command("import-translations")
@_lang_option
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_library_dir_option
@_operator_errors
def import_translations_command(lang: str, sheet: Path, directory: Path | None) -> None:
    """Write a translator's CSV (from export-translations) into the library files, after the
    checks publish runs: on any error nothing is written, and each error names its row."""
    from bot.library.prepare import check_bundle
    from bot.library.registry import registry_path_for
    from bot.library.translations import TranslationError, apply_sheet, read_sheet, write_files

    where = _directory(directory)
    before = _library_language(where, lang)
    try:
        after, rows_of = apply_sheet(before, lang, read_sheet(sheet.read_bytes(), lang))
    except TranslationError as exc:
        raise click.ClickException("nothing was written:\n" + "\n".join(exc.problems)) from None
    settings = runtime(current_app).settings
    checked = check_bundle(after, registry_path_for(where, settings, None))
    mine = [p for p in checked.errors if p.file in rows_of]
    if mine or not checked.ok:
        lines = []
        for p in mine or checked.errors:
            rows = ", ".join(str(n) for n in rows_of.get(p.file, []))
            at = (
                f"row {rows} ({p.file}" + (f":{p.line}" if p.line else "") + ")" if rows else p.file
            )
            lines.append(f"{at}: {p.message}")
        raise click.ClickException("nothing was written, because:\n" + "\n".join(lines))
    written = write_files(where, before, after)
    click.echo(f"Wrote {len(written)} files of {lang}: {', '.join(written) or 'nothing changed'}")


def init_app(app: Any) -> None:
    """Add the `flask library` commands to an app's CLI."""
    app.cli.add_command(library_cli)


__all__ = ["init_app", "library_cli"]
