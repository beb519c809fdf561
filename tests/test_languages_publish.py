"""Publishing a library in nine languages, and refusing one with a language problem: each named
with its file, and nothing published."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bot import create_app, runtime
from bot.settings import Settings
from tests import app_library, language_library


@pytest.fixture
def cli_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        Settings(database_url=database_url, dev_insecure=True, library_dir=str(tmp_path))
    )
    yield app
    runtime(app).store.dispose()


def run(app: Flask, *args: str):
    result = app.test_cli_runner().invoke(args=list(args))
    assert "Traceback" not in result.output
    return result


def library(directory: Path, **changed: str | None) -> Path:
    bundle = language_library.bundle()
    for name, text in changed.items():
        path = name.replace("__", "/")
        if text is None:
            bundle.pop(path)
        else:
            bundle[path] = text
    return app_library.write_library(directory, bundle)


def test_the_check_summarises_each_language(cli_app, tmp_path):
    result = run(cli_app, "library", "check", str(library(tmp_path / "nine")))
    assert result.exit_code == 0, result.output
    assert "Languages (in menu order; the first is the default):" in result.output
    assert "  vi (Tiếng Việt, not reviewed by a native speaker):" in result.output


def test_the_json_check_lists_each_languages_gaps(cli_app, tmp_path):
    nine = library(tmp_path / "nine", **{"responses__ko__housing.txt": None})
    result = run(cli_app, "library", "check", "--json", str(nine))
    gaps = {g["lang"]: g for g in json.loads(result.output)["languages"]}
    assert list(gaps) == language_library.LANGUAGES
    assert gaps["ko"]["replies"] == ["housing"] and gaps["vi"]["name"] == "Tiếng Việt"


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        ({"back-translations__vi__labor.txt": "Work: call 911."}, "back-translations/vi/labor.txt"),
        ({"responses__ko__housing.txt": None}, "responses/ko/housing.txt"),
        (
            # UCS-2 (no GSM-7 look-alikes to transliterate to): 6 segments, over Russian's 4
            {
                "responses__ru__labor.txt": "Звоните 1-888-373-7888. "
                + "Попросите переводчика. " * 14
            },
            "responses/ru/labor.txt",
        ),
        (
            {"responses__uk__language.yaml": "name: Українська\nlabels:\n  scan: x\n  qr: y\n"},
            "responses/uk/language.yaml:4",
        ),
        ({"responses__other-language.txt": "Call 1-206-555-0100."}, "responses/other-language.txt"),
    ],
)
def test_a_language_problem_is_named_and_nothing_is_published(cli_app, tmp_path, changed, named):
    good = library(tmp_path / "good")
    assert run(cli_app, "library", "publish", str(good), "-m", "nine").exit_code == 0
    store = runtime(cli_app).store
    live = store.live_revision_id()

    bad = library(tmp_path / "bad", **changed)
    result = run(cli_app, "library", "publish", str(bad), "-m", "bad")
    assert result.exit_code == 1
    assert named in result.output
    assert store.live_revision_id() == live
    assert len(store.history()) == 1


def test_a_language_that_keeps_its_accents_is_published_as_written():
    from bot.library.prepare import prepare_bundle

    bundle = language_library.bundle()
    reply = "Việc làm: gọi 1-888-373-7888."
    bundle["responses/vi/labor.txt"] = reply
    plain, _ = prepare_bundle(bundle)
    assert plain["responses/vi/labor.txt"] != reply  # plain letters by default
    bundle["responses/vi/language.yaml"] += "\nkeep_accents: true\n"
    kept, changes = prepare_bundle(bundle)
    assert kept["responses/vi/labor.txt"] == reply
    assert not any(name.startswith("responses/vi/") for name in changes)
    assert kept["responses/es/labor.txt"] == plain["responses/es/labor.txt"]


def test_a_card_label_may_leave_out_the_text_line_that_does_not_answer_in_the_language():
    from bot.core.library import load_library

    bundle = language_library.bundle()
    bundle["responses/vi/language.yaml"] += 'labels:\n  hotline_numbers: "gọi {call}"\n'
    library = load_library(bundle)
    assert library.language("vi").labels["hotline_numbers"] == "gọi {call}"
    bundle["responses/vi/language.yaml"] += '  danger: "Nguy hiểm"\n'
    with pytest.raises(ValueError, match=r"labels\.danger must keep the placeholder \{number\}"):
        load_library(bundle)
