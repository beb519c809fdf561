"""The operator commands, run through Flask's CLI runner on an app from create_app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask

from bot import create_app, runtime
from bot.core.library import read_bundle
from bot.settings import Settings
from bot.store import Store
from tests.store.test_store_schema import HEAD

KEYWORDS = """\
languages: [en, es]
topics:
  - id: emergency
    segment_budget: 1
    keywords:
      en: [emergency, im in danger]
      es: [emergencia, estoy en peligro]
  - id: housing
    menu: 1
    title: {en: Housing, es: Vivienda}
    keywords:
      en: [housing, shelter]
      es: [vivienda, refugio]
  - id: menu
    keywords:
      en: [menu, options]
      es: [menu, opciones]
  - id: stop
    silent: true
    keywords:
      en: [stop, unsubscribe]
      es: [parar, cancelar]
"""

REPLIES = {
    "responses/en/emergency.txt": "Danger now: call 911. Hotline 24/7: 1-888-373-7888.\n",
    "responses/es/emergency.txt": "Peligro ahora: llame al 911. Linea 24/7: 1-888-373-7888.\n",
    "responses/en/housing.txt": "Shelter near you: call 211.\n",
    "responses/es/housing.txt": "Refugio cerca: llame al 211.\n",
    "responses/en/menu.txt": "Reply with a number:\n{menu}\nDanger: 911.\n",
    "responses/es/menu.txt": "Responda con un numero:\n{menu}\nPeligro: 911.\n",
}


def _registry(verified: date) -> str:
    entries = [("hotline", "1-888-373-7888"), ("emergency", "911"), ("wa-211", "211")]
    return "numbers:\n" + "".join(
        f'  - id: {i}\n    number: "{n}"\n    what: {i}\n    source: tests\n'
        f"    verified: {verified.isoformat()}\n"
        for i, n in entries
    )


def write_library(directory: Path, changes: dict[str, str | None] | None = None) -> Path:
    """A small valid library (and numbers.yaml) in a directory; changes replace (None: drop) files."""
    files: dict[str, str | None] = {
        "keywords.yaml": KEYWORDS,
        **REPLIES,
        "numbers.yaml": _registry(date.today()),
        **(changes or {}),
    }
    for name, text in files.items():
        path = directory / name
        if text is None:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return write_library(tmp_path / "library")


@pytest.fixture
def cli_app(database_url: str, library_dir: Path) -> Iterator[Flask]:
    app = create_app(
        Settings(database_url=database_url, dev_insecure=True, library_dir=str(library_dir))
    )
    yield app
    runtime(app).store.dispose()


@pytest.fixture
def check_app(tmp_path: Path, library_dir: Path) -> Iterator[Flask]:
    """An app for commands that never touch the database."""
    url = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    app = create_app(Settings(database_url=url, dev_insecure=True, library_dir=str(library_dir)))
    yield app
    runtime(app).store.dispose()


def run(app: Flask, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    # Whatever happens, an operator sees a message, never a traceback.
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def store_of(app: Flask) -> Store:
    return runtime(app).store


# --- check ------------------------------------------------------------------------------------


def test_check_prints_the_replies_and_passes(check_app, library_dir):
    result = run(check_app, "library", "check", str(library_dir))
    assert result.exit_code == 0, result.output
    assert "emergency  en" in result.output
    assert "0 errors, 0 warnings" in result.output


def test_check_defaults_to_the_working_directory(check_app, library_dir, monkeypatch):
    monkeypatch.chdir(library_dir)
    result = run(check_app, "library", "check")
    assert result.exit_code == 0, result.output
    assert f"Library in {library_dir.resolve()}" in result.output


def test_check_as_json(check_app, library_dir):
    result = run(check_app, "library", "check", str(library_dir), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["errors"] == 0
    assert {(r["topic"], r["lang"]) for r in data["replies"]} == {
        (t, lang) for t in ("emergency", "housing", "menu") for lang in ("en", "es")
    }
    assert data["digest"] and data["transliterated"] == {}


def test_check_lists_load_errors_with_file_and_line(check_app, tmp_path):
    bad_schema = write_library(
        tmp_path / "schema", {"keywords.yaml": KEYWORDS.replace("menu: 1", "menu: one")}
    )
    result = run(check_app, "library", "check", str(bad_schema))
    assert result.exit_code == 1
    assert (
        "keywords.yaml:9: error: topic 'housing', menu: expected a whole number like 2, not 'one'"
        in result.output
    )

    orphan_and_missing = write_library(
        tmp_path / "files",
        {"responses/en/nothing.txt": "orphan\n", "responses/es/housing.txt": None},
    )
    result = run(check_app, "library", "check", str(orphan_and_missing))
    assert result.exit_code == 1
    assert "responses/en/nothing.txt: error: reply for unknown topic" in result.output
    assert "responses/es/housing.txt: error: topic 'housing' has no es reply" in result.output

    as_json = run(check_app, "library", "check", str(orphan_and_missing), "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["ok"] is False and data["errors"] == 2
    assert {(p["file"], p["line"]) for p in data["problems"]} == {
        ("responses/en/nothing.txt", 0),
        ("responses/es/housing.txt", 0),
    }


@pytest.mark.parametrize("command", [("library", "check"), ("library", "publish", "-m", "x")])
def test_a_file_that_is_not_utf8_is_one_error_line_naming_file_and_line(
    check_app, tmp_path, command
):
    library = write_library(tmp_path / "bytes")
    (library / "responses/es/housing.txt").write_bytes(b"Refugio:\nllame al 211 \xe9\n")
    result = run(check_app, *command, str(library))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: responses/es/housing.txt:2: byte 0xe9 (column 14) is not UTF-8 text: "
        "save the file as UTF-8 (in most editors: Save As, Encoding UTF-8)"
    ]


def test_check_refuses_a_symlinked_reply_and_an_alias_bomb(check_app, tmp_path):
    library = write_library(tmp_path / "link")
    (library / "responses/en/housing.txt").unlink()
    (library / "responses/en/housing.txt").symlink_to("/etc/hostname")
    result = run(check_app, "library", "check", str(library))
    assert result.exit_code == 1
    assert result.output.startswith("Error: responses/en/housing.txt: is a symbolic link")

    bomb = "".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]\n" for n in range(1, 10))
    library = write_library(
        tmp_path / "bomb", {"keywords.yaml": "l0: &l0 [lol]\n" + bomb + KEYWORDS}
    )
    result = run(check_app, "library", "check", str(library))
    assert result.exit_code == 1
    assert "keywords.yaml:1: error: bad YAML: anchors and aliases" in result.output


def test_check_fails_on_errors_and_passes_with_warnings(check_app, tmp_path):
    unknown_number = write_library(
        tmp_path / "unknown", {"responses/en/housing.txt": "Shelter: call 1-206-555-0100.\n"}
    )
    result = run(check_app, "library", "check", str(unknown_number))
    assert result.exit_code == 1
    assert "responses/en/housing.txt:1: error:" in result.output

    stale = write_library(
        tmp_path / "stale", {"numbers.yaml": _registry(date.today() - timedelta(days=800))}
    )
    result = run(check_app, "library", "check", str(stale))
    assert result.exit_code == 0, result.output
    assert "numbers.yaml" in result.output and "warning" in result.output


def test_check_refuses_a_missing_directory_cleanly(check_app, tmp_path):
    result = run(check_app, "library", "check", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "does not exist" in result.output

    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(
        check_app,
        "library",
        "check",
        str(empty),
        "--numbers",
        str(tmp_path / "library" / "numbers.yaml"),
    )
    assert result.exit_code == 1
    assert "keywords.yaml: error: file is missing" in result.output


# --- publish, history, rollback, export -------------------------------------------------------


def test_publish_history_rollback_export_round_trip(cli_app, library_dir, tmp_path):
    first = run(cli_app, "library", "publish", str(library_dir), "-m", "first", "--by", "ana")
    assert first.exit_code == 0, first.output
    store = store_of(cli_app)
    rev1 = store.live_revision()
    assert rev1 is not None and rev1.published_by == "ana" and rev1.comment == "first"
    assert f"Published revision {rev1.id} (digest {rev1.digest[:12]})" in first.output
    assert rev1.bundle == read_bundle(library_dir)  # numbers.yaml is not part of the bundle

    again = run(cli_app, "library", "publish", str(library_dir), "-m", "same again")
    assert again.exit_code == 0
    assert "already live" in again.output
    assert len(store.history()) == 1

    (library_dir / "responses/en/housing.txt").write_text("Housing help: call 211 today.\n")
    second = run(cli_app, "library", "publish", str(library_dir), "-m", "reword housing")
    assert second.exit_code == 0, second.output
    rev2 = store.live_revision()
    assert rev2.id != rev1.id

    history = run(cli_app, "library", "history")
    assert history.exit_code == 0
    lines = history.output.splitlines()
    assert lines[2].startswith("*") and "reword housing" in lines[2]
    assert "first" in lines[3] and "ana" in lines[3]

    back = run(cli_app, "library", "rollback", str(rev1.id))
    assert back.exit_code == 0, back.output
    assert store.live_revision_id() == rev1.id

    unknown = run(cli_app, "library", "rollback", "999")
    assert unknown.exit_code == 1
    assert "no library revision 999" in unknown.output
    assert store.live_revision_id() == rev1.id

    out = tmp_path / "exported"
    exported = run(cli_app, "library", "export", str(out))
    assert exported.exit_code == 0, exported.output
    assert read_bundle(out) == rev1.bundle

    refused = run(cli_app, "library", "export", str(out), "--rev", str(rev2.id))
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert read_bundle(out) == rev1.bundle

    (out / "responses/en/stale.txt").write_text("left over\n")
    forced = run(cli_app, "library", "export", str(out), "--rev", str(rev2.id), "--force")
    assert forced.exit_code == 0, forced.output
    assert read_bundle(out) == rev2.bundle
    assert "removed responses/en/stale.txt" in forced.output

    missing = run(cli_app, "library", "export", str(tmp_path / "x"), "--rev", "999")
    assert missing.exit_code == 1 and "no library revision 999" in missing.output


def test_a_broken_library_publish_changes_nothing(cli_app, library_dir, tmp_path):
    assert run(cli_app, "library", "publish", str(library_dir), "-m", "good").exit_code == 0
    store = store_of(cli_app)
    live = store.live_revision_id()

    broken = write_library(
        tmp_path / "broken", {"responses/es/housing.txt": "Refugio: llame al 1-206-555-0100.\n"}
    )
    result = run(cli_app, "library", "publish", str(broken), "-m", "bad number")
    assert result.exit_code == 1
    assert "responses/es/housing.txt:1: error:" in result.output
    assert "nothing was published" in result.output

    unloadable = write_library(tmp_path / "unloadable", {"keywords.yaml": "topics: [\n"})
    result = run(cli_app, "library", "publish", str(unloadable), "-m", "bad yaml")
    assert result.exit_code == 1
    assert "keywords.yaml:" in result.output and "bad YAML" in result.output

    assert store.live_revision_id() == live
    assert len(store.history()) == 1


def test_publish_transliterates_unless_told_not_to(cli_app, library_dir):
    (library_dir / "responses/en/housing.txt").write_text("Shelter: call 211 – it’s free.\n")
    result = run(cli_app, "library", "publish", str(library_dir), "-m", "curly")
    assert result.exit_code == 0, result.output
    assert "responses/en/housing.txt:" in result.output  # the change is reported
    published = store_of(cli_app).live_revision().bundle["responses/en/housing.txt"]
    assert "’" not in published and "–" not in published

    raw = run(cli_app, "library", "publish", str(library_dir), "-m", "raw", "--no-transliterate")
    assert raw.exit_code == 0, raw.output
    assert store_of(cli_app).live_revision().bundle["responses/en/housing.txt"] == (
        "Shelter: call 211 – it’s free.\n"
    )


def test_rollback_refuses_a_revision_that_no_longer_loads(cli_app, library_dir):
    store = store_of(cli_app)
    store.migrate()
    old = store.publish({"keywords.yaml": "topics: []\n"}, published_by="t", comment="ancient")
    assert run(cli_app, "library", "publish", str(library_dir), "-m", "good").exit_code == 0
    live = store.live_revision_id()
    result = run(cli_app, "library", "rollback", str(old.id))
    assert result.exit_code == 1 and "--force" in result.output
    assert store.live_revision_id() == live
    assert run(cli_app, "library", "rollback", str(old.id), "--force").exit_code == 0
    assert store.live_revision_id() == old.id


# --- db and stats -----------------------------------------------------------------------------


def test_db_upgrade_and_stats(cli_app):
    store = store_of(cli_app)
    result = run(cli_app, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert HEAD in result.output
    assert run(cli_app, "db", "current").output.strip() == HEAD

    assert "No counts" in run(cli_app, "stats").output
    today = date.today()
    store.add_counts({(today, "housing", "en"): 1})
    store.add_counts({(today, "housing", "en"): 1})
    store.add_counts({(today - timedelta(days=40), "menu", "es"): 1})
    result = run(cli_app, "stats")
    assert result.exit_code == 0
    assert "housing" in result.output and "menu" not in result.output
    assert "2 replies since" in result.output
    data = json.loads(run(cli_app, "stats", "--days", "60", "--json").output)
    assert sorted((r["topic"], r["count"]) for r in data) == [("housing", 2), ("menu", 1)]


def test_stats_shows_texts_silenced_by_the_rate_limit_apart_from_replies(cli_app):
    store = store_of(cli_app)
    run(cli_app, "db", "upgrade")
    today = date.today()
    store.add_counts({(today, "housing", "en"): 1, (today, "(silenced)", "-"): 3})
    result = run(cli_app, "stats")
    assert result.exit_code == 0, result.output
    assert "(silenced)" in result.output
    assert "1 replies since" in result.output
    assert "3 texts got no reply because of the rate limit" in result.output
    data = json.loads(run(cli_app, "stats", "--json").output)
    assert {(r["topic"], r["lang"], r["count"]) for r in data} == {
        ("housing", "en", 1),
        ("(silenced)", "-", 3),
    }


def test_stats_count_the_interpreter_reply_to_other_languages_as_a_reply(cli_app):
    store = store_of(cli_app)
    run(cli_app, "db", "upgrade")
    today = date.today()
    store.add_counts({(today, "housing", "en"): 1, (today, "(other-language)", "pt"): 2})
    result = run(cli_app, "stats")
    assert result.exit_code == 0, result.output
    assert "(other-language)" in result.output and "pt" in result.output
    assert "3 replies since" in result.output


@pytest.mark.parametrize("topic", ["(other)", "silenced)", "(silenced", "(SILENCED)"])
def test_the_count_guard_takes_only_the_one_pseudo_topic(topic):
    from bot.store.values import check_count_key

    with pytest.raises(ValueError):
        check_count_key(date.today(), topic, "-")


def test_an_unmigrated_database_gets_a_clear_message(cli_app):
    for args in (["library", "history"], ["stats"], ["library", "rollback", "1"]):
        result = run(cli_app, *args)
        assert result.exit_code == 1
        assert "flask db upgrade" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["library", "history"],
        ["library", "rollback", "1"],
        ["library", "export", "out"],
        ["stats"],
        ["db", "upgrade"],
    ],
)
def test_an_unreachable_database_fails_cleanly(args, library_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(
        Settings(database_url="postgresql://bot:hunter2@127.0.0.1:1/bot", dev_insecure=True)
    )
    result = run(app, *args)
    assert result.exit_code == 1
    assert "unavailable" in result.output
    assert "hunter2" not in result.output


def test_publish_to_an_unreachable_database_fails_cleanly(library_dir):
    app = create_app(Settings(database_url="postgresql://bot@127.0.0.1:1/bot", dev_insecure=True))
    result = run(app, "library", "publish", str(library_dir), "-m", "x")
    assert result.exit_code == 1
    assert "unavailable" in result.output
