"""Back-translations (back-translations/<lang>/<topic>.txt): an English translation of each reply,
written by a second translator from the reply alone, kept beside the library and never served."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import yaml

from bot.core.languages import BACK_TRANSLATIONS_DIR, LANGUAGE_FILE, RESPONSES_DIR
from bot.core.numbers import find_numbers

#: The back-translation of language.yaml's `fallback:` reply, which has no reply file of its own.
FALLBACK_BACK_TRANSLATION = "fallback.txt"

Report = Callable[[str, int, str], None]


def back_translation_problems(
    bundle: Mapping[str, str], languages: tuple[str, ...], error: Report
) -> None:
    """Report each back-translation whose phone numbers differ from its reply's.

    The back-translation is written by a second translator from the reply alone; a number that
    one has and the other lacks is a number the translation changed, dropped or added.
    """
    for name in sorted(bundle):
        parts = name.split("/")
        if len(parts) != 3 or parts[0] != BACK_TRANSLATIONS_DIR:
            continue
        lang, topic_file = parts[1], parts[2]
        if lang not in languages:
            error(
                name, 0, f"back-translation of language {lang!r}, which keywords.yaml does not list"
            )
            continue
        if not topic_file.endswith(".txt"):
            error(name, 0, "unexpected file (expected back-translations/<lang>/<topic>.txt)")
            continue
        reply_file = f"{RESPONSES_DIR}/{lang}/{topic_file}"
        reply = bundle.get(reply_file)
        if reply is None and topic_file == FALLBACK_BACK_TRANSLATION:
            reply_file = f"{RESPONSES_DIR}/{lang}/{LANGUAGE_FILE} (fallback)"
            reply = _fallback(bundle.get(f"{RESPONSES_DIR}/{lang}/{LANGUAGE_FILE}", ""))
        if reply is None:
            error(name, 0, f"back-translation of {reply_file}, which does not exist")
            continue
        in_reply = sorted(f.digits for f in find_numbers(reply))
        in_back = sorted(f.digits for f in find_numbers(bundle[name]))
        if in_reply != in_back:
            missing = sorted(set(in_reply) - set(in_back))
            extra = sorted(set(in_back) - set(in_reply))
            detail = "; ".join(
                part
                for part in (
                    f"only the reply has {', '.join(missing)}" if missing else "",
                    f"only the back-translation has {', '.join(extra)}" if extra else "",
                    "the same numbers a different number of times"
                    if not missing and not extra
                    else "",
                )
                if part
            )
            error(
                name,
                1,
                f"the phone numbers differ from {reply_file} ({detail}): check the translation",
            )


def _fallback(language_yaml: str) -> str | None:
    """The `fallback:` of a language.yaml, or None when it has none (its own check reports a
    language.yaml that does not load)."""
    try:
        spec = yaml.safe_load(language_yaml)
    except yaml.YAMLError:
        return None
    value = spec.get("fallback") if isinstance(spec, dict) else None
    return value if isinstance(value, str) and value.strip() else None
