"""Console pages for outreach: wallet cards, posters and QR codes of the live (or a chosen)
revision, made by bot.outreach.files exactly as `flask outreach` makes them."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from bot.console.blueprint import bp, library_store, settings
from bot.console.security import requires

OUTREACH_FILES = ("cards", "poster", "qr")


def language_choices() -> list[tuple[str, str]]:
    """The --lang values the page offers, with what each prints: the first two languages, each
    language alone, and each other language with the default one on the backs."""
    from bot.outreach.content import OutreachError
    from bot.outreach.files import BOTH, published_library

    try:
        _, library = published_library(library_store())
    except OutreachError:
        return [(BOTH, "the library's first two languages")]
    codes = list(library.languages)

    def name(code: str) -> str:
        info = library.language(code)
        english = getattr(info, "english_name", "") or ""
        return f"{info.name} ({english})" if english and english != info.name else info.name

    choices = [(BOTH, " and ".join(name(c) for c in codes[:2]))]
    choices += [(code, name(code)) for code in codes]
    default = codes[0]
    choices += [(f"{c},{default}", f"{name(c)}, {name(default)} on the backs") for c in codes[2:]]
    return choices


def _outreach_page(error: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    store = library_store()
    return render_template(
        "console/outreach.html",
        bot_number=settings().bot_number,
        live=store.live_revision(),
        revisions=store.history(limit=200),
        languages=language_choices(),
        error=error,
        form=request.args,
    ), status


@bp.get("/outreach")
@requires("editor")
def outreach() -> Any:
    """Wallet cards, posters and QR codes of the live (or a chosen) revision, to download."""
    return _outreach_page()


@bp.get("/outreach/download")
@requires("editor")
def outreach_download() -> Any:
    """One outreach file, made by bot.outreach.files as `flask outreach` makes it; a refusal is
    shown on the page with every reason, and no file is sent."""
    from bot.outreach.content import OutreachError
    from bot.outreach.files import make_cards, make_poster, make_qr

    args = request.args
    what = args.get("file", "")
    if what not in OUTREACH_FILES:
        return _outreach_page([f"Choose a file to make: {', '.join(OUTREACH_FILES)}."], 400)
    revision_id: int | None = None
    if args.get("revision", "live") not in ("", "live"):
        try:
            revision_id = int(args["revision"])
        except ValueError:
            return _outreach_page(["Choose a revision from the list."], 400)
    app_settings, store = settings(), library_store()
    lang = args.get("lang", "both")
    try:
        if what == "qr":
            kind = args.get("kind", "png")
            qr = make_qr(
                app_settings,
                store,
                kind=kind,
                body=args.get("body", "")[:100],
                revision_id=revision_id,
            )
            data, name = qr.data, f"qr-rev{qr.revision}.{kind}"
            mimetype = "image/svg+xml" if kind == "svg" else "image/png"
        else:
            maker = make_cards if what == "cards" else make_poster
            made = maker(app_settings, store, lang=lang, revision_id=revision_id)
            label = "wallet-cards" if what == "cards" else "poster"
            langs = lang.replace(",", "+")  # checked against the library's codes by the maker
            data, name = made.pdf, f"{label}-rev{made.revision}-{langs}.pdf"
            mimetype = "application/pdf"
    except OutreachError as exc:
        return _outreach_page(list(exc.problems), 422)
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
