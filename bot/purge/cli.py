"""`flask twilio purge`: one sweep on demand (for cron), printing counts, never a SID or a number."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from bot.purge.config import CREDENTIALS_HELP, credentials_set, explain_failure
from bot.runtime import runtime

twilio_cli = AppGroup("twilio", help="Work on the bot's Twilio account.")


@twilio_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option(
    "--older-than",
    "minutes",
    type=click.IntRange(min=1),
    default=None,
    metavar="MINUTES",
    help="Delete records older than this (default: PURGE_AFTER_MINUTES).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def purge_command(dry_run: bool, minutes: int | None, as_json: bool) -> None:
    """Delete the message records older than PURGE_AFTER_MINUTES from the Twilio account.

    Messages Twilio does not consider final yet are left for a later run. Only one sweep runs at
    a time (a database lock); if another holds it, this run does nothing.
    """
    # Here, not at the top: registering the command must not load twilio's REST client (~10 MB)
    # into every worker; the command and the workers that purge are the ones that need it.
    from bot.purge.purger import Purger

    rt = runtime(current_app)
    purger = rt.purge or Purger(rt.settings, rt.store)
    if not credentials_set(rt.settings):
        raise click.ClickException(f"the purge has no credentials: {CREDENTIALS_HELP}.")
    older_than = timedelta(minutes=minutes) if minutes else None
    try:
        report = purger.run_once(older_than=older_than, dry_run=dry_run)
    except Exception as exc:
        # The type only: an error's message could quote a SID, a number or a body.
        raise click.ClickException(f"the purge failed ({type(exc).__name__})") from None
    if report is None:
        click.echo("Another sweep is running (it holds the lock); nothing done.")
        return
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif report.pages:
        verb = "Would delete" if dry_run else "Deleted"
        click.echo(f"{verb}: {report.deleted}")
        if dry_run:
            click.echo("(Twilio refuses those not final yet; a real run counts them apart.)")
        else:
            click.echo(f"Already gone: {report.gone}")
            click.echo(f"Not final yet (left for the next run): {report.not_final}")
            click.echo(f"Failed: {report.failed}")
        click.echo(f"Younger than the threshold (left alone): {report.younger}")
        if not report.complete and report.error is None:
            click.echo("Stopped at the time or page limit; run again for the rest.")
    if report.error is not None:
        click.echo(f"Error: {explain_failure(report.error, report.detail)}.", err=True)
        sys.exit(1)
