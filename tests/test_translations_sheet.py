"""`flask library export-translations` and `import-translations`: a translator's CSV of every text
a language needs, with the first language beside it, written back only after the publish checks."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml

from bot import create_app
from bot.settings import PROJECT_ROOT, Settings


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    """The project's library files, copied where an import may write."""
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("keywords.yaml", "numbers.yaml"):
        shutil.copy(PROJECT_ROOT / name, folder / name)
    for name in ("responses", "back-translations"):
        shutil.copytree(PROJECT_ROOT / name, folder / name)
    return folder


@pytest.fixture
def run(tmp_path: Path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}"))
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["library", *args])


def _sheet(run, folder: Path, lang: str) -> list[list[str]]:
    out = folder.parent / f"{lang}.csv"
    result = run("export-translations", "--lang", lang, "--dir", str(folder), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by its mark
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


def _write(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


def test_the_sheet_has_every_text_of_the_language_beside_the_first_languages(run, library_copy):
    rows = _sheet(run, library_copy, "vi")
    assert rows[0] == ["key", "file", "en", "vi"]
    by_key = {row[0]: row for row in rows[1:]}
    labor = (library_copy / "responses" / "vi" / "labor.txt").read_text(encoding="utf-8")
    assert by_key["reply:labor"][1:] == [
        "responses/vi/labor.txt",
        (library_copy / "responses" / "en" / "labor.txt").read_text(encoding="utf-8").strip(),
        labor.strip(),
    ]
    assert by_key["title:labor"][2:] == ["Work and pay", "Việc làm, lương"]
    for key in ("reply:menu", "voice", "fallback", "call.choose", "labels.headline", "name"):
        assert by_key[key][2] and by_key[key][3], key


def test_an_imported_sheet_writes_its_texts_into_the_library_files(run, library_copy):
    rows = _sheet(run, library_copy, "vi")
    before = (library_copy / "responses" / "vi" / "language.yaml").read_text(encoding="utf-8")
    keywords_before = (library_copy / "keywords.yaml").read_text(encoding="utf-8")
    for row in rows:
        if row[0] == "labels.headline":
            row[3] = "Cần giúp đỡ? Nhắn tin cho chúng tôi."
        if row[0] == "title:housing":
            row[3] = "Nhà ở"
    result = run(
        "import-translations",
        "--lang",
        "vi",
        str(_write(library_copy.parent / "in.csv", rows)),
        "--dir",
        str(library_copy),
    )
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((library_copy / "responses" / "vi" / "language.yaml").read_text("utf-8"))
    assert data["labels"]["headline"] == "Cần giúp đỡ? Nhắn tin cho chúng tôi."
    after = (library_copy / "responses" / "vi" / "language.yaml").read_text(encoding="utf-8")
    assert len(set(after.splitlines()) - set(before.splitlines())) == 1  # the rest as written
    keywords = yaml.safe_load((library_copy / "keywords.yaml").read_text(encoding="utf-8"))
    housing = next(t for t in keywords["topics"] if t["id"] == "housing")
    assert housing["title"]["vi"] == "Nhà ở" and housing["title"]["en"] == "Housing"
    keywords_after = (library_copy / "keywords.yaml").read_text(encoding="utf-8")
    changed = set(keywords_after.splitlines()) ^ set(keywords_before.splitlines())
    assert len(changed) == 2 and all("title:" in line for line in changed)  # that one line


def test_a_title_is_written_into_a_block_style_title_mapping_in_place():
    from bot.library.translations import set_titles

    text = (
        "languages: [en, vi]\n"
        "topics:\n"
        "  - id: housing  # shelter\n"
        "    title:\n"
        "      en: Housing\n"
        "    keywords: {en: [housing,\n"
        "                    shelter]}\n"
    )
    edited = set_titles(text, "vi", {"housing": "Nhà ở: chỗ ngủ"})
    assert edited.splitlines() == [
        *text.splitlines()[:5],
        '      vi: "Nhà ở: chỗ ngủ"',
        *text.splitlines()[5:],
    ]
    assert yaml.safe_load(edited)["topics"][0]["title"] == {"en": "Housing", "vi": "Nhà ở: chỗ ngủ"}


def test_a_sheet_that_fails_the_checks_writes_nothing_and_names_the_row(run, library_copy):
    rows = _sheet(run, library_copy, "vi")
    before = {p: p.read_bytes() for p in library_copy.rglob("*") if p.is_file()}
    row_of = {row[0]: number for number, row in enumerate(rows, start=1)}
    for row in rows:
        if row[0] == "reply:housing":
            row[3] = "Gọi 1-555-010-9999 ngay."  # a number the registry does not have
        if row[0] == "labels.danger":
            row[3] = "Nguy hiểm ngay"  # lost its {number}
    sheet = _write(library_copy.parent / "bad.csv", rows)
    result = run("import-translations", "--lang", "vi", str(sheet), "--dir", str(library_copy))
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert f"row {row_of['reply:housing']} (responses/vi/housing.txt" in result.output
    assert f"row {row_of['labels.danger']} (responses/vi/language.yaml" in result.output
    assert {p: p.read_bytes() for p in library_copy.rglob("*") if p.is_file()} == before


def test_a_row_the_language_does_not_need_is_refused_by_its_number(run, library_copy):
    rows = _sheet(run, library_copy, "vi")
    rows.append(["reply:nonesuch", "responses/vi/nonesuch.txt", "", "xin chào"])
    sheet = _write(library_copy.parent / "extra.csv", rows)
    result = run("import-translations", "--lang", "vi", str(sheet), "--dir", str(library_copy))
    assert result.exit_code == 1
    assert f"row {len(rows)}: 'reply:nonesuch' is not a text of vi" in result.output
