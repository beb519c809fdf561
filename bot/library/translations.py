"""Translators' spreadsheets: every text a language needs, beside the library's first language
(`flask library export-translations`), and the filled-in sheet written back into the library
files after the same checks publish runs (`flask library import-translations`).

A CSV, because translators open it in any spreadsheet; written as UTF-8 with a byte-order mark so
that Excel reads Vietnamese, Cyrillic, Chinese and Korean as they are.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.bundle import KEYWORDS_FILE, reply_path, voice_path
from bot.core.languages import CALL_KEYS, LABEL_KEYS, language_file

#: Columns before the two languages'.
KEY, FILE = "key", "file"
#: Call settings that are codes, not words: a translator has nothing to write there.
CODE_KEYS = ("say_language", "voice")
#: The language.yaml texts a translator writes (dotted: call.choose, labels.headline).
LANGUAGE_TEXTS = (
    "name",
    "fallback",
    *(f"call.{k}" for k in CALL_KEYS if k not in CODE_KEYS),
    *(f"labels.{k}" for k in LABEL_KEYS),
)


class TranslationError(ValueError):
    """A sheet that cannot be imported: every reason, each naming its row."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Row:
    """One text to translate: its key, the file it lives in, the source text and the translation."""

    key: str
    file: str
    source: str
    text: str


def library_languages(bundle: dict[str, str]) -> list[str]:
    """The languages keywords.yaml lists, in order (the first is the source of every sheet)."""
    try:
        keywords = yaml.safe_load(bundle.get(KEYWORDS_FILE, "")) or {}
    except yaml.YAMLError:
        return []
    return (
        [str(code) for code in keywords.get("languages") or []]
        if isinstance(keywords, dict)
        else []
    )


def _language_data(bundle: dict[str, str], lang: str) -> dict:
    data = yaml.safe_load(bundle.get(language_file(lang), "") or "") or {}
    return data if isinstance(data, dict) else {}


def _dotted(data: dict, key: str) -> str:
    for part in key.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return "" if data is None else str(data)


def translation_rows(bundle: dict[str, str], lang: str) -> list[Row]:
    """Every text the language needs, in the library's order, with the first language's beside it:
    each topic's title and reply, the menu reply, the spoken message, then language.yaml's texts."""
    keywords = yaml.safe_load(bundle.get(KEYWORDS_FILE, "")) or {}
    source_lang = (library_languages(bundle) or [lang])[0]
    rows = []
    for topic in keywords.get("topics") or []:
        tid = str(topic.get("id", ""))
        titles = topic.get("title") or {}
        if source_lang in titles:
            rows.append(
                Row(
                    f"title:{tid}",
                    KEYWORDS_FILE,
                    str(titles[source_lang]),
                    str(titles.get(lang, "")),
                )
            )
        if reply_path(tid, source_lang) in bundle and not topic.get("silent"):
            path = reply_path(tid, lang)
            source = bundle[reply_path(tid, source_lang)].strip()
            rows.append(Row(f"reply:{tid}", path, source, bundle.get(path, "").strip()))
    if voice_path(source_lang) in bundle:
        path = voice_path(lang)
        source = bundle[voice_path(source_lang)].strip()
        rows.append(Row("voice", path, source, bundle.get(path, "").strip()))
    source_data, data = _language_data(bundle, source_lang), _language_data(bundle, lang)
    for key in LANGUAGE_TEXTS:
        rows.append(Row(key, language_file(lang), _dotted(source_data, key), _dotted(data, key)))
    return rows


def export_csv(bundle: dict[str, str], lang: str) -> bytes:
    """The translation sheet of a language as CSV bytes (UTF-8 with a byte-order mark)."""
    source_lang = (library_languages(bundle) or [lang])[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([KEY, FILE, source_lang, lang])
    for row in translation_rows(bundle, lang):
        writer.writerow([row.key, row.file, row.source, row.text])
    return out.getvalue().encode("utf-8-sig")


def read_sheet(data: bytes, lang: str) -> list[tuple[int, str, str]]:
    """(row number, key, translation) of each filled-in row; TranslationError naming each bad row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranslationError(
            [f"the file is not UTF-8 (byte {exc.start}): save it as CSV UTF-8"]
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    if len(header) < 4 or header[0] != KEY or header[3] != lang:
        raise TranslationError(
            [
                f"row 1: the header must be {KEY},{FILE},<first language>,{lang} (got {','.join(header)!r})"
            ]
        )
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < 4:
            raise TranslationError([f"row {number}: {len(cells)} columns, 4 expected"])
        rows.append((number, cells[0].strip(), cells[3].strip()))
    return rows


def _set_dotted(data, key: str, value: str) -> None:
    *parents, last = key.split(".")
    for part in parents:
        if part not in data or data[part] is None:
            data[part] = {}
        data = data[part]
    data[last] = value


def apply_sheet(
    bundle: dict[str, str], lang: str, sheet: list[tuple[int, str, str]]
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """The bundle with the sheet's translations written in, and the rows that wrote each file.

    An empty translation leaves the text as it is. TranslationError names each row whose key the
    language does not need, or that is given twice.
    """
    from ruamel.yaml import YAML  # round-trip: the translator's comments and quotes are kept

    known = {row.key: row for row in translation_rows(bundle, lang)}
    problems, seen = [], {}
    for number, key, _ in sheet:
        if key not in known:
            problems.append(f"row {number}: {key!r} is not a text of {lang} (export a fresh sheet)")
        elif key in seen:
            problems.append(f"row {number}: {key!r} is given twice (also row {seen[key]})")
        seen.setdefault(key, number)
    if problems:
        raise TranslationError(problems)

    rows_of: dict[str, list[int]] = {}
    out = dict(bundle)
    rt = YAML(typ="rt")
    rt.width = 4096
    rt.preserve_quotes = True
    language_path = language_file(lang)
    language_yaml = rt.load(out.get(language_path, "") or "{}") or {}
    titles: dict[str, str] = {}
    for number, key, text in sheet:
        if not text or text == known[key].text:
            continue
        rows_of.setdefault(known[key].file, []).append(number)
        kind, _, name = key.partition(":")
        if kind == "title":
            titles[name] = text
        elif kind in ("reply", "voice"):
            out[known[key].file] = text + "\n"
        else:
            _set_dotted(language_yaml, key, text)
    if language_path in rows_of:
        written = io.StringIO()
        rt.dump(language_yaml, written)
        out[language_path] = written.getvalue()
    if titles:
        out[KEYWORDS_FILE] = set_titles(out[KEYWORDS_FILE], lang, titles)
    return out, rows_of


def _scalar(value: str) -> str:
    """A YAML flow scalar: plain when it reads back as itself, else double-quoted."""
    plain = value == value.strip() and not any(c in value for c in ":,{}[]#\"'&*!|>%@`")
    if plain and value and yaml.safe_load(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _as_written(value: object) -> str:
    """A title as the file wrote it: double-quoted, single-quoted or plain."""
    kind = type(value).__name__
    if kind == "DoubleQuotedScalarString":
        return json.dumps(str(value), ensure_ascii=False)
    if kind == "SingleQuotedScalarString":
        return "'" + str(value).replace("'", "''") + "'"
    return _scalar(str(value))


def set_titles(text: str, lang: str, titles: dict[str, str]) -> str:
    """keywords.yaml with the titles of some topics in a language replaced, every other line as
    written: ruamel.yaml finds each title's line, and only that line is rewritten (dumping the
    whole file through ruamel would re-wrap every long keyword list)."""
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    data = rt.load(text)
    lines = text.split("\n")
    for topic in data.get("topics") or []:
        tid = str(topic.get("id", ""))
        if tid not in titles:
            continue
        title = topic.get("title")
        if title is None or not hasattr(title, "lc"):
            raise TranslationError([f"keywords.yaml: topic {tid!r} has no title: mapping"])
        line = topic.lc.key("title")[0]
        if title.fa.flow_style() and "}" in lines[line]:  # title: {en: Housing, es: Vivienda}
            values = {str(k): _as_written(v) for k, v in title.items()}
            values[lang] = _scalar(titles[tid])
            indent = lines[line][: len(lines[line]) - len(lines[line].lstrip())]
            pairs = ", ".join(f"{k}: {v}" for k, v in values.items())
            lines[line] = f"{indent}title: {{{pairs}}}"
        elif lang in title:  # block style, one language a line
            at = title.lc.key(lang)[0]
            lines[at] = f"{lines[at][: title.lc.key(lang)[1]]}{lang}: {_scalar(titles[tid])}"
        else:
            last = max(title.lc.key(k)[0] for k in title)
            column = title.lc.key(next(iter(title)))[1]
            lines.insert(last + 1, f"{' ' * column}{lang}: {_scalar(titles[tid])}")
    edited = "\n".join(lines)
    # The edit is proven: the file reads back as before but for those titles.
    expected = yaml.safe_load(text)
    for topic in expected.get("topics") or []:
        if topic.get("id") in titles:
            topic["title"][lang] = titles[topic["id"]]
    if yaml.safe_load(edited) != expected:
        raise TranslationError(["keywords.yaml: the titles could not be written in place"])
    return edited


def write_files(directory: Path, before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Write the files that changed (each whole, under a temporary name renamed into place)."""
    written = []
    for path, text in after.items():
        if before.get(path) == text:
            continue
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.part")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
        written.append(path)
    return sorted(written)
