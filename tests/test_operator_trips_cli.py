"""Issue 24, items 9-13, on the command line: `flask` reads .env, `try` answers from what is
live and says which revision, commands need no SECRET_KEY (a server stops in one line without
it), a rate-limited sender is explained in DEV_INSECURE mode without its number, and `make run`
names the console and how to add its first user."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import create_app
from bot.core.library import read_bundle
from bot.settings import Settings
from tests import app_library, as_twilio

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FLASK = BIN / "flask"


def _env(**extra: str) -> dict[str, str]:
    """The environment of a fresh shell: none of the bot's settings, but these."""
    names = {f.upper() for f in Settings.__dataclass_fields__}
    env = {k: v for k, v in os.environ.items() if k not in names and not k.startswith("FLASK_")}
    return {**env, **extra}


def _flask(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FLASK), "--app", str(ROOT / "wsgi.py"), *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.mark.slow  # flask, gunicorn or make in fresh processes
def test_flask_reads_dot_env_in_the_working_directory(tmp_path):
    database = tmp_path / "from-dot-env.sqlite3"
    (tmp_path / ".env").write_text(
        f"DATABASE_URL=sqlite:///{database}\nBOT_NUMBER=+12065550100\n", encoding="utf-8"
    )
    migrated = _flask(tmp_path, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    assert database.is_file()  # the database .env names, not the default one
    assert "python-dotenv" not in migrated.stdout + migrated.stderr
    # A small library: what is tested is that .env is read (publishing nine languages is tested
    # elsewhere, and costs seconds).
    library = app_library.write_library(tmp_path / "library", app_library.bundle())
    published = _flask(tmp_path, "library", "publish", str(library), "-m", "first")
    assert published.returncode == 0, published.stdout + published.stderr
    qr = _flask(tmp_path, "outreach", "qr", "--out", str(tmp_path / "card.svg"))
    assert qr.returncode == 0, qr.stdout + qr.stderr  # BOT_NUMBER came from .env
    assert (tmp_path / "card.svg").read_text().lstrip().startswith("<?xml")


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}"))


def test_try_answers_from_the_live_revision_says_which_and_files_on_request(
    app, tmp_path, monkeypatch
):
    runner = app.test_cli_runner()
    monkeypatch.chdir(ROOT)
    # Nothing published yet: the files, said so.
    before = runner.invoke(args=["try", "wages"])
    assert before.exit_code == 0, before.output
    assert f"Answering from the files in {ROOT}" in before.output

    store = app.extensions["bot"].store
    store.migrate()
    bundle = read_bundle(ROOT)
    bundle["responses/en/labor.txt"] = "Published from the console. Call 1-888-373-7888."
    revision = store.publish(bundle, published_by="pat", comment="console")

    live = runner.invoke(args=["try", "wages"])
    assert live.exit_code == 0, live.output
    assert f"Answering from live revision {revision.id}" in live.output
    assert "by pat" in live.output
    assert "Published from the console. Call 1-888-373-7888." in live.output

    files = runner.invoke(args=["try", "--json", "--files", "wages"])
    assert json.loads(files.stdout)["reply"] == read_bundle(ROOT)["responses/en/labor.txt"].strip()
    assert "Answering from the files" in files.stderr


@pytest.mark.slow  # flask, gunicorn or make in fresh processes
def test_commands_run_without_secret_key_and_flask_run_stops_in_one_line(tmp_path):
    env = {
        "TWILIO_AUTH_TOKEN": "a-token",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    }
    for args in (("try", "my boss took my passport"), ("library", "check", str(ROOT))):
        done = _flask(ROOT, *args, **env)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "SECRET_KEY" not in done.stderr

    served = _flask(ROOT, "run", "--port", "5999", "--no-reload", **env)
    assert served.returncode != 0
    lines = [line for line in served.stderr.splitlines() if line.strip()]
    assert "Traceback" not in served.stderr
    assert lines[-1].startswith("Error: SECRET_KEY must be set when TWILIO_AUTH_TOKEN is set")


@pytest.mark.slow  # flask, gunicorn or make in fresh processes
def test_gunicorn_stops_in_one_line_without_secret_key(tmp_path):
    gunicorn = BIN / "gunicorn"
    done = subprocess.run(
        [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=_env(TWILIO_AUTH_TOKEN="a-token", BIND="127.0.0.1:0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("Error: SECRET_KEY must be set")


def test_dev_insecure_says_a_sender_was_rate_limited_without_the_number(
    make_app, caplog, library_dir
):
    app = make_app(
        twilio_auth_token="",
        dev_insecure=True,
        secret_key="",
        rate_limit="2 per 10 minutes",
    )
    client = app.test_client()
    sender = "+12065550177"
    with caplog.at_level(logging.INFO):
        replies = [
            as_twilio.messages(client.post("/sms", data={"Body": "wages", "From": sender}))
            for _ in range(3)
        ]
    assert replies[0] == [app_library.REPLIES["labor/en"]] and replies[2] == []
    said = [r.getMessage() for r in caplog.records if "over RATE_LIMIT" in r.getMessage()]
    assert len(said) == 1
    for record in caplog.records:
        assert "2065550177" not in record.getMessage() and "wages" not in record.getMessage()


def test_without_dev_insecure_a_rate_limited_sender_is_not_logged(make_app, caplog):
    app = make_app(rate_limit="1 per 10 minutes")
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        for _ in range(2):
            as_twilio.post(client, as_twilio.params("wages", sender="+12065550178"))
    assert not [r for r in caplog.records if "RATE_LIMIT" in r.getMessage()]


@pytest.mark.slow  # flask, gunicorn or make in fresh processes
def test_make_run_names_the_console_and_how_to_add_its_first_user(tmp_path):
    if not shutil.which("make"):
        pytest.skip(
            "no make here: apt-get install -y make, then pytest tests/test_operator_trips_cli.py"
        )
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    create_app(Settings(database_url=database)).extensions["bot"].store.migrate()
    # FLASK="echo flask" prints the server's command instead of starting it; -o: use the venv
    # as it is, never reinstall.
    done = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run", "FLASK=echo flask", "PORT=5998"],
        cwd=ROOT,
        env=_env(DATABASE_URL=database),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    banner = done.stdout
    assert "The operators' console: http://127.0.0.1:5998/console" in banner
    assert "flask users add <name> --role admin" in banner
    assert "the password needs at least 10 characters" in banner

    # With a token and no SECRET_KEY it stops before serving, in one line.
    refused = subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", "run", "FLASK=echo flask", "PORT=5998"],
        cwd=ROOT,
        env=_env(DATABASE_URL=database, TWILIO_AUTH_TOKEN="a-token"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("Error: SECRET_KEY must be set")
    assert "Serving on" not in refused.stdout
