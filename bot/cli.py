"""Operator commands: `flask try` shows a reply, `flask eval` measures accuracy, `flask stats` shows
the daily counts, `flask db` migrates the database."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from bot.core.explain import Explanation, explain
from bot.core.library import Library, LibraryError, load_library, read_bundle
from bot.core.matcher import build_matcher
from bot.core.tables import format_table
from bot.core.topics import AUTO_REPLY_COUNT, SILENCED_COUNT
from bot.runtime import runtime
from bot.store import StoreError
from bot.store.cli import db_commands, store_errors

# The checks, the evaluation and the SMS encoder are imported inside the commands that use them:
# create_app imports this module in every serving worker, which never runs a command.


def init_app(app: Flask) -> None:
    """Register the try, eval, stats and db commands."""
    app.cli.add_command(try_command)
    app.cli.add_command(eval_command)
    app.cli.add_command(stats_command)
    app.cli.add_command(db_commands(lambda: runtime(current_app).store))


def _library(directory: str | None, live: bool) -> Library:
    """The library an operator asked for: the files being edited, or the published live revision."""
    if live:
        revision = runtime(current_app).store.live_revision()
        if revision is None:
            raise click.ClickException("no library is published yet: run `flask library publish`")
        return load_library(revision.bundle)
    return _files_library(directory)


def _files_library(directory: str | None) -> Library:
    """The library files under a directory (default: the working directory), as publish sends them."""
    from bot.library.prepare import prepare_bundle

    try:
        # Publishing transliterates by default, so show the reply as publish would send it.
        bundle, _changes = prepare_bundle(read_bundle(directory or Path.cwd()))
        return load_library(bundle)
    except LibraryError as exc:
        raise click.ClickException(
            f"the library in {directory or Path.cwd()} has problems:\n{exc}"
        ) from None


def _live_or_files(directory: str | None, files: bool, live: bool) -> tuple[Library, str]:
    """What `flask try` answers from, and a line saying so: the live revision (what the bot sends)
    when the database has one, unless asked for the files (--files or --dir)."""
    where = directory or Path.cwd()
    if files or directory is not None:
        return _files_library(directory), f"Answering from the files in {where} (not published)."
    try:
        revision = runtime(current_app).store.live_revision()
    except StoreError as exc:
        if live:
            raise click.ClickException(f"the database cannot be read: {exc}") from None
        revision, why = None, f"the database cannot be read ({exc})"
    else:
        why = "nothing is published yet"
    if revision is None:
        if live:
            raise click.ClickException("no library is published yet: run `flask library publish`")
        return _files_library(None), f"Answering from the files in {where} ({why})."
    when = revision.published_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return load_library(revision.bundle), (
        f"Answering from live revision {revision.id} (published {when} by "
        f"{revision.published_by}); --files answers from the files being edited."
    )


_library_options = [
    click.option(
        "--dir",
        "directory",
        type=click.Path(file_okay=False),
        help="Library files to use (default: the working directory).",
    ),
    click.option("--live", is_flag=True, help="Answer from the published live revision only."),
]


def _with_library_options(command):
    for option in reversed(_library_options):
        command = option(command)
    return command


@click.command("try")
@with_appcontext
@click.argument("messages", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
@_with_library_options
@click.option(
    "--files",
    is_flag=True,
    help="Answer from the library files being edited (--dir, else the working directory).",
)
def try_command(
    messages: tuple[str, ...], as_json: bool, directory: str | None, live: bool, files: bool
) -> None:
    """Show the reply a text would get, from the live revision when one is published (what the
    bot sends), else from the files; with no MESSAGES, read one message per line from stdin."""
    from bot.core.sms import encode_info

    if files and live:
        raise click.UsageError("--files and --live exclude each other")
    library, source = _live_or_files(directory, files, live)
    # With --json, stdout holds only the JSON lines; the source goes to stderr.
    click.echo(source, err=as_json)
    matcher = build_matcher(library, saved=runtime(current_app).readers)
    texts = messages or tuple(line.rstrip("\r\n") for line in sys.stdin)
    for text in texts:
        why = explain(text, matcher)
        found = why.chosen
        reply = library.reply(found.topic, found.lang)
        info = encode_info(reply or "")
        row = {
            "text": text,
            "topic": found.topic,
            "lang": found.lang,
            "score": found.score,
            "keyword": found.keyword,
            "reply": reply,
            "characters": info.characters,
            "encoding": info.encoding,
            "segments": info.segments if reply else 0,
            "why": why.as_dict(),
        }
        # Output goes to the operator's terminal only, never through logging.
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        click.echo(f"text:     {text}")
        click.echo(f"topic:    {found.topic}  (score {found.score:g}, keyword {found.keyword!r})")
        click.echo(f"lang:     {found.lang}")
        click.echo("\n".join(_why_lines(why)))
        if reply is None:
            click.echo("reply:    (none: opt-out, nothing is sent)")
        else:
            click.echo("reply:")
            click.echo("\n".join(f"  | {line}" for line in reply.splitlines()))
            forced = f", forced by {' '.join(info.ucs2_chars)}" if info.ucs2_chars else ""
            click.echo(
                f"length:   {info.characters} characters, {info.encoding}{forced},"
                f" {info.segments} segment{'s' if info.segments != 1 else ''}"
            )
        click.echo("")


def _why_lines(why: Explanation) -> list[str]:
    """Why a text went where it went, for an operator: the rules' hit, the reader's likeliest
    topics and the example texts most like it."""
    rules = why.rules
    lines = [
        f"decided:  by the {why.decided_by}"
        if why.decided_by != "both"
        else "decided:  by the rules and the reader together",
        f"rules:    {rules.topic}"
        + (f"  (keyword {rules.keyword!r})" if rules.keyword else "  (no keyword found)"),
    ]
    if why.reader_top:
        lines.append(
            "reader:   " + ", ".join(f"{topic} {100 * p:.0f}%" for topic, p in why.reader_top)
        )
    for n, (example, similarity) in enumerate(why.nearest):
        head = "nearest:  " if n == 0 else "          "
        lines.append(
            f"{head}{example.text!r} ({example.topic}, {example.file}:{example.line}, "
            f"{100 * similarity:.0f}% alike)"
        )
    return lines


@click.command("eval")
@with_appcontext
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@_with_library_options
def eval_command(file, as_json: bool, directory: str | None, live: bool) -> None:
    """Measure the matcher on labelled messages (JSON lines: text, topics, lang, tags)."""
    from bot.core.evaluate import evaluate, format_eval, read_labelled

    library = _library(directory, live)
    try:
        cases = read_labelled(file, source=file.name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    report = evaluate(cases, library, runtime(current_app).readers)
    click.echo(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
        if as_json
        else format_eval(report)
    )


@click.command("stats")
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many days back, today included.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@with_appcontext
@store_errors
def stats_command(days: int, as_json: bool) -> None:
    """Anonymous counts of replies per day (UTC), topic and language."""
    since = datetime.now(UTC).date() - timedelta(days=days - 1)
    rows = runtime(current_app).store.counts(since)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"day": r.day.isoformat(), "topic": r.topic, "lang": r.lang, "count": r.count}
                    for r in rows
                ],
                indent=2,
            )
        )
        return
    if not runtime(current_app).settings.daily_counts:
        click.echo("Note: daily counts are switched off (DAILY_COUNTS=0).")
    if not rows:
        click.echo(f"No counts since {since.isoformat()}.")
        return
    table = [(r.day.isoformat(), r.topic, r.lang, str(r.count)) for r in rows]
    click.echo(format_table(("day", "topic", "lang", "count"), table, right={3}))
    # Texts answered with silence are no replies; the other-language reply is one.
    replies = sum(r.count for r in rows if r.topic not in (SILENCED_COUNT, AUTO_REPLY_COUNT))
    silenced = sum(r.count for r in rows if r.topic == SILENCED_COUNT)
    auto = sum(r.count for r in rows if r.topic == AUTO_REPLY_COUNT)
    click.echo(f"\n{replies} replies since {since.isoformat()}")
    if silenced:
        click.echo(f"{silenced} texts got no reply because of the rate limit ({SILENCED_COUNT})")
    if auto:
        click.echo(
            f"{auto} auto-replies (driving mode, out of office) got none ({AUTO_REPLY_COUNT})"
        )
