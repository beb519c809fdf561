"""The operators' guide's worked examples, run as written on a copy of the library, stay true."""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from bot import create_app, runtime
from bot.core.library import load_library, read_bundle
from bot.settings import PROJECT_ROOT, Settings

#: The worked examples are in the operators' guide (they were in the README once).
GUIDE = (PROJECT_ROOT / "docs" / "operators.md").read_text()
COMMAND = ".venv/bin/flask --app wsgi "
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _section(title: str) -> str:
    start = GUIDE.index(f"### {title}\n")
    end = GUIDE.find("\n### ", start + 1)
    return GUIDE[start:end]


def _library_copy(tmp_path: Path) -> Path:
    """The bundled library (keywords, replies, number registry) copied for editing."""
    copy = tmp_path / "library"
    copy.mkdir()
    shutil.copy(PROJECT_ROOT / "keywords.yaml", copy)
    shutil.copy(PROJECT_ROOT / "numbers.yaml", copy)
    shutil.copytree(PROJECT_ROOT / "responses", copy / "responses")
    return copy


@pytest.fixture
def operator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """Runs a guide's command line (`.venv/bin/flask --app wsgi ...`) in the library copy's folder."""
    library = _library_copy(tmp_path)
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}", library_dir=str(library))
    )
    # As after `make run`: the library is published and live before the operator edits it.
    runtime(app).live.start()
    request.addfinalizer(runtime(app).live.stop)
    runner = app.test_cli_runner()
    monkeypatch.chdir(library)

    def run(line: str):
        assert line.startswith(COMMAND), f"the guide should write {COMMAND!r}...: {line}"
        return runner.invoke(args=shlex.split(line[len(COMMAND) :]))

    run.library = library
    return run


def _shell_lines(section: str) -> list[tuple[str, str]]:
    """(command, what its comment promises) of each line of the section's sh block."""
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "no sh block"
    lines = []
    for line in block.group(1).splitlines():
        command, _, promise = line.partition("#")
        lines.append((command.strip(), promise.strip()))
    return lines


def test_the_add_a_keyword_example_gets_the_menu_before_and_its_topic_after(operator):
    section = _section("Worked example: add a keyword")
    text = re.search(r'writes "([^"]+)" and gets the menu', section).group(1)
    lang_name, topic = re.search(r"to the (\w+) keywords of `(\w+)`", section).groups()
    lang = {"English": "en", "Spanish": "es"}[lang_name]
    added_line = re.search(r"```yaml\n\s*(\w+): \[\.\.\., (.+)\]\n```", section)
    assert added_line.group(1) == lang
    added = [k.strip() for k in added_line.group(2).split(",")]
    commands = _shell_lines(section)
    try_line = next(c for c, _ in commands if " try " in f" {c} ")
    assert shlex.split(try_line)[-1] == text, "the try line tries another text than the story"

    before = operator(try_line)
    assert before.exit_code == 0, before.output
    assert re.search(r"topic:\s+menu\b", before.output), "the example text no longer gets the menu"

    keywords = operator.library / "keywords.yaml"
    lines = keywords.read_text().splitlines(keepends=True)
    start = lines.index(f"  - id: {topic}\n")
    at = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith(f"{lang}: ["))
    lines[at] = lines[at].replace(f"{lang}: [", f"{lang}: [{', '.join(added)}, ", 1)
    keywords.write_text("".join(lines))

    for command, promise in commands:
        result = operator(command)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        if promise.startswith("topic:"):
            expected = promise.split(":", 1)[1].strip()
            assert re.search(rf"topic:\s+{expected}\b", result.output), result.output
        elif promise:
            assert promise in result.output, f"{command} does not say {promise!r}"


def test_the_add_a_topic_example_clashes_with_exactly_the_keywords_the_guide_names(operator):
    section = _section("Worked example: add a topic")
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    spec = yaml.safe_load(textwrap.dedent(block))[0]
    claim = re.search(
        r"here (\w+) of the (\w+) are already `(\w+)`\s+words \(keywords or context words\):"
        r"\s+(.+?)\. The check",
        section,
        re.S,
    )
    claimed_count, total, other_topic, listed = claim.groups()
    named = [" ".join(n.split()) for n in re.findall(r'"([^"]+)"', listed)]

    bundled = load_library(read_bundle(PROJECT_ROOT))
    menus = [t.menu for t in bundled.topics if t.menu is not None]
    assert spec["menu"] == max(menus) + 1, "the example's menu number is not the next free one"
    new_keywords = [k for words in spec["keywords"].values() for k in words]
    owner = {
        k: t.id
        for t in bundled.topics
        for kind in (t.keywords, t.context)
        for words in kind.values()
        for k in words
    }
    clashing = [k for k in new_keywords if k in owner]
    assert NUMBER_WORDS[total] == len(new_keywords)
    assert NUMBER_WORDS[claimed_count] == len(clashing) == len(named)
    assert set(named) == set(clashing)
    assert {owner[k] for k in clashing} == {other_topic}

    # Steps 1 and 2 as written, then step 3: the check refuses and names every clash.
    keywords = operator.library / "keywords.yaml"
    topic = textwrap.indent(textwrap.dedent(block), "  ")  # as an item of keywords.yaml's topics
    keywords.write_text(keywords.read_text().rstrip("\n") + "\n\n" + topic)
    number = yaml.safe_load((PROJECT_ROOT / "numbers.yaml").read_text())["numbers"][0]["number"]
    for lang in ("en", "es"):
        reply = operator.library / "responses" / lang / f"{spec['id']}.txt"
        reply.write_text(f"{spec['title'][lang]}: {number}\n")
    result = operator(COMMAND + "library check")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if "error" in line]
    for keyword in named:
        assert any(f"'{keyword}'" in line and other_topic in line for line in errors), keyword
