"""Every environment variable is in .env.example and the deployers' guide, with the code's default."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError

#: Every environment variable with its default, as .env.example lists them.
DOCUMENTED = {f.name.upper(): f.default for f in fields(Settings)}

ROOT = Path(__file__).resolve().parent.parent
# An assignment, or a commented-out one ("# NAME=value"), at the start of a line.
_ENV_LINE = re.compile(r"^(?:#\s*)?([A-Z][A-Z0-9_]*)=(.*)$")
_GUIDE_ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*([^|]*?)\s*\|")
_GUNICORN_ENV = re.compile(r"""os\.environ\.get\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def _env_example() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        m = _ENV_LINE.match(line.strip())
        if m:
            assert m.group(1) not in found, f".env.example lists {m.group(1)} twice"
            found[m.group(1)] = m.group(2)
    return found


def _guide_configuration() -> dict[str, str]:
    """Variable -> its Default cell, from the Configuration table of docs/deploying.md."""
    text = (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = _GUIDE_ROW.match(line.strip())
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def _gunicorn_variables() -> set[str]:
    return set(_GUNICORN_ENV.findall((ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")))


def _as_env(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _all_variables() -> set[str]:
    return set(DOCUMENTED) | _gunicorn_variables()


def test_env_example_lists_every_variable_and_nothing_else():
    assert set(_env_example()) == _all_variables()


def test_the_deployers_guide_lists_every_variable_and_nothing_else():
    assert set(_guide_configuration()) == _all_variables()


def test_the_deployers_guide_shows_the_defaults_env_example_has():
    listed = _env_example()
    commented_out = {
        m.group(1)
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line.startswith("#") and (m := _ENV_LINE.match(line.strip()))
    }
    for name, cell in _guide_configuration().items():
        if name in commented_out:  # a default that depends on the machine (LIBRARY_DIR, BIND)
            continue
        shown = re.match(r"`([^`]*)`", cell)
        value = listed[name].strip('"')
        assert (shown.group(1) if shown else cell) == (value or "(empty)"), name


def test_env_example_shows_the_defaults_the_code_has():
    listed = _env_example()
    for name, default in DOCUMENTED.items():
        if name == "LIBRARY_DIR":  # machine-specific; shown commented out with an example path
            continue
        assert listed[name].strip('"') == _as_env(default), name


def test_env_example_values_read_back_as_the_defaults():
    listed = {k: v.strip('"') for k, v in _env_example().items() if k in DOCUMENTED}
    listed.pop("LIBRARY_DIR")
    assert Settings.from_env(listed) == Settings()


def test_every_settings_field_has_a_one_line_comment_in_env_example():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        m = _ENV_LINE.match(line.strip())
        if m and not line.startswith("# "):
            assert lines[index - 1].startswith("# "), f"{m.group(1)} has no comment above it"


def test_each_variable_is_read_as_the_type_its_field_declares():
    settings = Settings.from_env(
        {"DAILY_COUNTS": "no", "DEV_INSECURE": "yes", "PROXY_HOPS": "2", "RELOAD_SECONDS": "0.5"}
    )
    assert (settings.daily_counts, settings.dev_insecure) == (False, True)
    assert settings.proxy_hops == 2 and isinstance(settings.proxy_hops, int)
    assert settings.reload_seconds == 0.5
    with pytest.raises(SettingsError, match="DAILY_COUNTS"):
        Settings.from_env({"DAILY_COUNTS": "maybe"})
