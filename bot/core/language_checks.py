"""The checks a library's languages need beyond each reply's: the fallback reply of each
language, the reply to texts in languages the library lacks, and the back-translations."""

from __future__ import annotations

from bot.core.back_translations import back_translation_problems
from bot.core.languages import OTHER_LANGUAGE_FILE, language_file
from bot.core.model import Library
from bot.core.numbers import NumberRegistry, find_numbers
from bot.core.problems import Problem
from bot.core.reply_numbers import ReplyReport, number_problems, reply_numbers
from bot.core.sms import encode_info
from bot.core.topics import MENU_TOPIC, NO_LANG, OTHER_LANGUAGE_TOPIC


def check_languages(
    library: Library, registry: NumberRegistry
) -> tuple[list[ReplyReport], list[Problem]]:
    """The other-language reply's row of the report, and every problem of the language files:
    fallback replies, the other-language reply, back-translations whose numbers differ."""
    reports: list[ReplyReport] = []
    problems: list[Problem] = []
    back_translation_problems(
        library.bundle,
        library.languages,
        lambda file, line, message: problems.append(Problem(file, line, message)),
    )
    for lang in library.languages:
        fallback = library.language(lang).fallback
        if fallback:
            file = language_file(lang)
            problems += number_problems(find_numbers(fallback), registry, file, 1)
            if encode_info(fallback).segments > library.segment_budget(MENU_TOPIC, lang):
                problems.append(Problem(file, 1, "the fallback reply is over the segment budget"))
    if library.other_language:
        report, found = check_other_language(library, registry)
        reports.append(report)
        problems += found
    return reports, problems


def check_other_language(
    library: Library, registry: NumberRegistry
) -> tuple[ReplyReport, tuple[Problem, ...]]:
    """Check the reply to texts in a language the library lacks like any reply: verified numbers
    only, at least one, and within keywords.yaml's segment budget."""
    text = library.other_language
    found = find_numbers(text)
    problems = number_problems(found, registry, OTHER_LANGUAGE_FILE)
    numbers = reply_numbers(found, registry)
    if not any(n.registry_id for n in numbers):
        problems.append(
            Problem(
                OTHER_LANGUAGE_FILE,
                1,
                f"the reply carries no number from {registry.file}: give the hotline's number",
            )
        )
    info = encode_info(text)
    if info.segments > library.default_budget:
        problems.append(
            Problem(
                OTHER_LANGUAGE_FILE,
                1,
                f"the reply is {info.segments} segments ({info.encoding}, {info.units} units), "
                f"over keywords.yaml's segment_budget of {library.default_budget}",
            )
        )
    report = ReplyReport(
        topic=OTHER_LANGUAGE_TOPIC,
        lang=NO_LANG,
        file=OTHER_LANGUAGE_FILE,
        characters=info.characters,
        encoding=info.encoding,
        units=info.units,
        segments=info.segments,
        budget=library.default_budget,
        ucs2_chars=info.ucs2_chars,
        numbers=numbers,
    )
    return report, tuple(problems)
