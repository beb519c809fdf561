"""Console: each language marked "not reviewed by a native speaker" until an admin marks it
reviewed, which sets `reviewed: true` in its language.yaml through the draft (published and
audited like any edit)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import yaml
from flask import abort, flash, redirect, request, url_for

from bot.console.blueprint import audit, bp
from bot.console.editing import EditError
from bot.console.security import requires
from bot.console.working import edit, working
from bot.core.languages import language_file


@dataclass(frozen=True)
class LanguageStatus:
    """What the console shows of a language: its code, its names, and whether it is reviewed."""

    code: str
    name: str
    english_name: str
    reviewed: bool


def language_statuses(bundle: dict[str, str], langs: list[str]) -> list[LanguageStatus]:
    """Each language's names and review mark, read from its language.yaml (a file that does not
    read is shown as not reviewed; the check reports it)."""
    statuses = []
    for lang in langs:
        try:
            data = yaml.safe_load(bundle.get(language_file(lang), "") or "") or {}
        except yaml.YAMLError:
            data = {}
        data = data if isinstance(data, dict) else {}
        statuses.append(
            LanguageStatus(
                code=lang,
                name=str(data.get("name") or lang),
                english_name=str(data.get("english_name") or ""),
                reviewed=data.get("reviewed") is True,
            )
        )
    return statuses


def set_reviewed(bundle: dict[str, str], lang: str) -> dict[str, str]:
    """The bundle with `reviewed: true` in a language's language.yaml, its comments and order kept."""
    from ruamel.yaml import YAML  # the console's round-trip editor of the library's YAML

    path = language_file(lang)
    if path not in bundle:
        raise EditError(f"{path} does not exist: add the language's name there first")
    rt = YAML(typ="rt")
    rt.width = 4096  # keep long prompts on their own line, as written
    rt.preserve_quotes = True
    data = rt.load(bundle[path])
    if not isinstance(data, dict):
        raise EditError(f"{path} is not a mapping of keys: fix it in the files")
    data["reviewed"] = True
    out = io.StringIO()
    rt.dump(data, out)
    return {**bundle, path: out.getvalue()}


@bp.post("/languages/<lang>/reviewed")
@requires("admin")
def mark_reviewed(lang: str) -> Any:
    """Mark a language reviewed by a native speaker, in the draft."""
    current = working()
    if lang not in current.parsed.languages:
        abort(404)
    try:
        edit(current, lambda bundle: set_reviewed(bundle, lang))
    except EditError as exc:
        flash(str(exc))
    else:
        audit("language_reviewed", lang)
        flash(f"Marked {lang} reviewed by a native speaker in the draft; publish to make it so.")
    back = request.form.get("topic", "")
    if back in current.parsed.by_id:
        return redirect(url_for("console.topic", topic_id=back))
    return redirect(url_for("console.index"))
