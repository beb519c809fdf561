"""bot.library.prepare: the one step that prepares and checks a library as `flask library publish` does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.library import LibraryError, read_bundle
from bot.library.prepare import check_bundle, prepare_library, publishable_bundle
from bot.library.registry import REGISTRY_FILE, registry_path_for
from bot.settings import PROJECT_ROOT, Settings


def _copy_library(tmp_path: Path) -> Path:
    target = tmp_path / "library"
    shutil.copytree(PROJECT_ROOT / "responses", target / "responses")
    shutil.copy(PROJECT_ROOT / "keywords.yaml", target / "keywords.yaml")
    return target


def test_the_projects_library_is_publishable_as_prepared():
    prepared = prepare_library(PROJECT_ROOT)
    assert prepared.ok, prepared.problems
    assert prepared.library is not None and prepared.report is not None
    assert publishable_bundle(PROJECT_ROOT) == prepared.bundle


def test_a_reply_with_an_unverified_number_is_refused_by_the_same_step_publish_uses(tmp_path):
    directory = _copy_library(tmp_path)
    labor = directory / "responses" / "en" / "labor.txt"
    labor.write_text(labor.read_text(encoding="utf-8") + "\nCall 206-555-0100.\n", encoding="utf-8")
    prepared = prepare_library(directory)
    assert not prepared.ok
    assert any("206-555-0100" in p.message for p in prepared.report.errors)
    with pytest.raises(LibraryError):
        prepared.raise_for_errors()


def test_a_missing_registry_is_a_problem_to_the_check_and_a_missing_file_to_the_reload(tmp_path):
    directory = _copy_library(tmp_path)
    prepared = prepare_library(directory, numbers=tmp_path / "none.yaml")
    assert not prepared.ok
    assert [p.message for p in prepared.problems] == ["the number registry is missing"]
    with pytest.raises(FileNotFoundError):
        prepared.raise_for_errors()


def test_the_registry_is_the_directorys_then_library_dirs_then_the_projects(tmp_path):
    directory = _copy_library(tmp_path)
    assert registry_path_for(directory) == PROJECT_ROOT / REGISTRY_FILE
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(PROJECT_ROOT / REGISTRY_FILE, other / REGISTRY_FILE)
    settings = Settings(library_dir=str(other))
    assert registry_path_for(directory, settings) == other / REGISTRY_FILE
    shutil.copy(PROJECT_ROOT / REGISTRY_FILE, directory / REGISTRY_FILE)
    assert registry_path_for(directory, settings) == directory / REGISTRY_FILE
    given = tmp_path / "given.yaml"
    assert registry_path_for(directory, settings, given) == given


def test_files_in_memory_are_checked_and_transliterated_like_files_on_disk():
    bundle = read_bundle(PROJECT_ROOT)
    name = "responses/en/labor.txt"
    bundle[name] = (
        bundle[name].replace("'", "\u2019", 1) if "'" in bundle[name] else bundle[name] + "\u2019"
    )
    prepared = check_bundle(bundle, PROJECT_ROOT / REGISTRY_FILE)
    assert name in prepared.changes
    assert "\u2019" not in prepared.bundle[name]
    assert not check_bundle(bundle, PROJECT_ROOT / REGISTRY_FILE, transliterate=False).changes


def test_a_load_error_does_not_hide_the_checks_errors(tmp_path):
    directory = _copy_library(tmp_path)
    (directory / "responses" / "es" / "youth.txt").write_text("\n", encoding="utf-8")
    (directory / "responses" / "es" / "labor.txt").write_text(
        "Trabajo: llame al 1-206-555-0143 o al 1-888-373-7888.\n", encoding="utf-8"
    )
    (directory / "responses" / "en" / "housing.txt").write_text(
        "Housing: call 211. " + "Shelter near you. " * 40 + "\n", encoding="utf-8"
    )
    prepared = prepare_library(directory)
    messages = [p.message for p in prepared.errors]
    assert len(messages) == 3, messages
    assert any("youth" in m and "empty" in m for m in messages)
    assert any("1-206-555-0143" in m for m in messages)
    assert any("over its budget" in m for m in messages)
    assert prepared.library is None  # never served, only checked
    assert prepared.as_json()["errors"] == 3
    with pytest.raises(LibraryError) as raised:
        prepared.raise_for_errors()
    assert len(raised.value.problems) == 3


def test_keep_accents_publishes_a_reply_as_written_and_the_check_says_what_it_costs(tmp_path):
    directory = _copy_library(tmp_path)
    keywords = directory / "keywords.yaml"
    text = keywords.read_text(encoding="utf-8")
    assert "  - id: labor\n" in text
    keywords.write_text(
        text.replace("  - id: labor\n", "  - id: labor\n    keep_accents: [es]\n", 1),
        encoding="utf-8",
    )
    accented = "Trabajo rápido: llame al 1-888-373-7888 ó escriba.\n"
    (directory / "responses" / "es" / "labor.txt").write_text(accented, encoding="utf-8")
    (directory / "responses" / "en" / "labor.txt").write_text(
        "Work: call 1-888-373-7888 rápido.\n", encoding="utf-8"
    )
    prepared = prepare_library(directory)
    assert prepared.ok, prepared.errors
    assert prepared.bundle["responses/es/labor.txt"] == accented  # kept as written
    assert prepared.bundle["responses/en/labor.txt"] == "Work: call 1-888-373-7888 rapido.\n"
    said = [p.message for p in prepared.problems if p.file == "responses/es/labor.txt"]
    assert any("keeps its accents" in m and "plain letters it would be" in m for m in said), said


def test_keep_accents_in_a_language_the_library_lacks_is_an_error(tmp_path):
    directory = _copy_library(tmp_path)
    keywords = directory / "keywords.yaml"
    text = keywords.read_text(encoding="utf-8")
    keywords.write_text(
        text.replace("  - id: labor\n", "  - id: labor\n    keep_accents: [fr]\n", 1),
        encoding="utf-8",
    )
    prepared = prepare_library(directory)
    assert any("'fr'" in p.message and "labor" in p.message for p in prepared.errors)
