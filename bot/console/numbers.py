"""The console's Numbers page: the verified numbers a reply may carry (the number registry).

Everyone sees the registry; admins add or change an entry. An edit is checked as numbers.yaml
is checked everywhere (bot.core.numbers.load_registry), put in the shared draft as its
numbers.yaml, recorded in the audit trail, and goes live with the draft: publishing makes it the
deployment's registry (bot.library.registry.write_deployment_registry).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from bot.console.blueprint import audit, bp, settings
from bot.console.security import requires
from bot.console.working import edit, working
from bot.core.numbers import REGISTRY_FILE, RegistryError, load_registry
from bot.library.registry import registry_text

if TYPE_CHECKING:  # ruamel is imported by an edit only: 1 MB a worker need not hold to serve
    from ruamel.yaml import YAML

FIELDS = ("id", "number", "what", "source", "verified")
#: Longest value of a field typed in the form (the registry's own entries are far shorter).
MAX_FIELD = 300


class NumberEditError(ValueError):
    """An edit of the registry that cannot be made; the message is fit to show an operator."""


def _yaml() -> YAML:
    # ruamel keeps the file's comments and layout: an admin's edit changes one entry, not the
    # file's look (PyYAML would drop every comment).
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def set_number(text: str, entry: dict[str, str]) -> str:
    """numbers.yaml text with the entry of entry["id"] added or replaced, checked as the
    registry is checked everywhere; NumberEditError saying what is wrong."""
    try:
        verified = dt.date.fromisoformat(entry["verified"])
    except ValueError:
        raise NumberEditError("the date it was checked must be a date like 2026-11-24") from None
    if verified > dt.date.today():
        raise NumberEditError("the date it was checked cannot be after today")
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    yaml = _yaml()
    try:
        data = yaml.load(text) if text.strip() else None
    except YAMLError as exc:
        raise NumberEditError(f"numbers.yaml does not read as YAML: {exc}") from None
    if data is None:
        data = {"numbers": []}
    items = data.get("numbers") if hasattr(data, "get") else None
    if items is None:
        raise NumberEditError("numbers.yaml has no 'numbers:' list; fix the file first")
    new = {
        "id": entry["id"],
        "number": DoubleQuotedScalarString(entry["number"]),
        "what": entry["what"],
        "source": entry["source"],
        "verified": verified,
    }
    at = next((i for i, item in enumerate(items) if item.get("id") == entry["id"]), None)
    if at is None:
        items.append(new)
    else:
        for key, value in new.items():
            items[at][key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    result = out.getvalue()
    try:
        load_registry(result, REGISTRY_FILE)
    except RegistryError as exc:
        raise NumberEditError("; ".join(p.message for p in exc.problems)) from None
    return result


def _entry_from_form() -> dict[str, str]:
    entry = {name: request.form.get(name, "").strip()[:MAX_FIELD] for name in FIELDS}
    missing = [name for name in FIELDS if not entry[name]]
    if missing:
        raise NumberEditError(f"fill in {', '.join(missing)}")
    return entry


@bp.route("/numbers", methods=["GET", "POST"])
@requires("editor")
def numbers() -> Any:
    """The verified numbers; admins add or change one in the draft."""
    current = working()
    text = registry_text(current.bundle, settings())
    error, form = None, {}
    if request.method == "POST":
        if not g.account.can("admin"):
            abort(403)
        try:
            entry = _entry_from_form()
            form = entry
            new_text = set_number(text, entry)
            edit(current, lambda bundle: {**bundle, REGISTRY_FILE: new_text})
        except NumberEditError as exc:
            error = str(exc)
        else:
            audit(
                "numbers_edit",
                f"{entry['id']}: {entry['number']} ({entry['what']}), source {entry['source']}, "
                f"checked {entry['verified']}",
            )
            flash(
                f"Saved {entry['id']} ({entry['number']}) in the draft; it goes live when the "
                "draft is published."
            )
            return redirect(url_for("console.numbers"))
    try:
        registry = load_registry(text, REGISTRY_FILE) if text else None
    except RegistryError:
        registry = None
    chosen = next(
        (e for e in (registry.entries if registry else ()) if e.id == request.args.get("change")),
        None,
    )
    if chosen is not None and not form:
        form = {name: str(getattr(chosen, name)) for name in FIELDS}
    problems = [p for p in current.checked.problems if p.file.endswith(REGISTRY_FILE)]
    return render_template(
        "console/numbers.html",
        working=current,
        entries=registry.entries if registry else [],
        problems=problems,
        in_draft=current.registry_changed,
        error=error,
        form=form or {"verified": dt.date.today().isoformat()},
        today=dt.date.today().isoformat(),
    ), (400 if error else 200)
