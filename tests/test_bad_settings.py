"""A setting the bot cannot use stops it with one clear line; BOT_NUMBER must be textable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, Settings, SettingsError

BIN = Path(sys.executable).parent


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TWILIO_AUTH_TOKEN", "DEV_INSECURE", "DATABASE_URL", "BOT_NUMBER", "PORT")
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    env.update(extra)
    return env


@pytest.mark.parametrize("number", ["+99999999999999", "+15555550100", "+1509555", "+19005551234"])
def test_a_bot_number_no_phone_can_text_is_refused(number):
    with pytest.raises(SettingsError, match=r"^BOT_NUMBER: .*text"):
        Settings(bot_number=number)


@pytest.mark.parametrize("number", ["+15095550100", "+18883737888", "+442071838750"])
def test_a_bot_number_phones_can_text_is_kept(number):
    assert Settings(bot_number=number).bot_number == number


@pytest.mark.parametrize(
    ("variable", "value"),
    [("BOT_NUMBER", "5095550100"), ("BOT_NUMBER", "+99999999999999"), ("RATE_LIMIT", "lots")],
)
@pytest.mark.slow  # a flask command in a fresh process, three times
def test_a_bad_setting_stops_a_flask_command_with_one_line_and_no_traceback(
    tmp_path, variable, value
):
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "try", "help"],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path, **{variable: value}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"configuration error: {variable}: ")
    assert repr(value) in lines[0]


@pytest.mark.slow  # gunicorn in a fresh process
def test_a_bad_bot_number_stops_gunicorn_with_its_line_and_no_traceback(tmp_path):
    done = subprocess.run(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=_env(tmp_path, BOT_NUMBER="+99999999999999", WEB_CONCURRENCY="1"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    said = [line for line in output.splitlines() if line.startswith("configuration error:")]
    assert said and said[0].startswith("configuration error: BOT_NUMBER: '+99999999999999'")
