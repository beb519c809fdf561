"""`flask try` and `flask eval`: what an operator sees, from the files being edited or the live revision."""

import json
from pathlib import Path

import pytest

from bot import create_app
from bot.core.library import read_bundle, write_bundle
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(tmp_path):
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'bot.sqlite3'}"))


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_try_shows_topic_language_score_reply_and_its_sms_cost(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["try", "my boss took my passport"])
    assert result.exit_code == 0, result.output
    assert "topic:    labor" in result.output
    assert "lang:     en" in result.output
    assert "1-888-373-7888" in result.output
    assert "GSM-7" in result.output and "segments" in result.output


def test_try_shows_the_interpreter_reply_to_a_language_the_library_lacks(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["try", "ich brauche hilfe bitte"])
    assert result.exit_code == 0, result.output
    assert "topic:    (other-language)" in result.output
    assert "say the name of your language" in result.output


def test_try_json_prints_one_object_per_message_with_the_documented_keys(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["try", "--json", "STOP", "no me pagan", "hola"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["topic"] for r in rows] == ["stop", "labor", "menu"]
    assert [r["lang"] for r in rows][1:] == ["es", "es"]
    for row in rows:
        assert {"text", "topic", "lang", "score", "reply", "segments", "encoding"} <= set(row)
    assert rows[0]["reply"] is None and rows[0]["segments"] == 0
    assert rows[1]["encoding"] == "GSM-7" and 1 <= rows[1]["segments"] <= 3


def test_try_reads_one_message_per_line_from_stdin(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["try", "--json"], input="911\nhousng\n4\n")
    assert [json.loads(line)["topic"] for line in result.stdout.splitlines()] == [
        "emergency",
        "housing",
        "disaster",
    ]


def test_try_answers_from_the_files_in_the_working_directory(runner, tmp_path, monkeypatch):
    bundle = read_bundle(ROOT)
    bundle["responses/en/labor.txt"] = "Edited labor reply. Call 1-888-373-7888."
    write_bundle(bundle, tmp_path / "lib")
    monkeypatch.chdir(tmp_path / "lib")
    result = runner.invoke(args=["try", "--json", "--files", "wages"])
    assert json.loads(result.stdout)["reply"] == "Edited labor reply. Call 1-888-373-7888."


def test_try_live_answers_from_the_published_revision(runner, app, tmp_path, monkeypatch):
    store = app.extensions["bot"].store
    store.migrate()
    bundle = read_bundle(ROOT)
    bundle["responses/en/labor.txt"] = "Published labor reply. Call 1-888-373-7888."
    store.publish(bundle, published_by="test", comment="try --live")
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["try", "--json", "--live", "wages"])
    assert json.loads(result.stdout)["reply"] == "Published labor reply. Call 1-888-373-7888."


def test_try_reports_a_broken_library_instead_of_a_traceback(runner, tmp_path, monkeypatch):
    (tmp_path / "keywords.yaml").write_text("topics: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=["try", "hello"])
    assert result.exit_code == 1
    assert "keywords.yaml:" in result.output and "Traceback" not in result.output


def test_eval_prints_the_figures_and_the_misses(runner, tmp_path, monkeypatch):
    labelled = tmp_path / "set.jsonl"
    labelled.write_text(
        '{"text": "no me pagan", "topics": ["labor"], "lang": "es", "tags": ["spanish"]}\n'
        '{"text": "Stop", "topics": ["stop"], "lang": "any", "tags": ["optout"]}\n'
        '{"text": "wages", "topics": ["housing"], "lang": "en", "tags": ["keyword"]}\n'
        '{"text": "help me now they have a gun", "topics": ["emergency"], "lang": "en", "tags": []}\n'
    )
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["eval", str(labelled)])
    assert result.exit_code == 0, result.output
    assert "top-1 accuracy:    75.0%" in result.output
    assert "emergency recall:  100.0%" in result.output
    assert "false opt-outs:    0" in result.output
    assert "want housing/en, got labor/en" in result.output

    figures = json.loads(runner.invoke(args=["eval", "--json", str(labelled)]).output)
    assert figures["top1"] == 0.75 and figures["lang_accuracy"] == 1.0
    assert figures["per_tag"]["keyword"] == {"right": 0, "total": 1}


def test_eval_names_the_line_of_a_malformed_labelled_message(runner, tmp_path, monkeypatch):
    labelled = tmp_path / "bad.jsonl"
    labelled.write_text('{"text": "hi", "topics": ["menu"]}\n{"text": "no topics"}\n')
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["eval", str(labelled)])
    assert result.exit_code == 1 and "bad.jsonl:2" in result.output


def test_try_explains_the_rules_hit_the_readers_top_topics_and_the_nearest_examples(
    runner, monkeypatch
):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["try", "my boss took my passport"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("decided:  by the") for line in lines)
    assert any(line.startswith("rules:    labor") for line in lines)
    reader = next(line for line in lines if line.startswith("reader:   "))
    assert len(reader.split(",")) == 3 and "%" in reader
    nearest = next(line for line in lines if line.startswith("nearest:  "))
    assert "examples/" in nearest and "% alike" in nearest


def test_try_json_carries_the_explanation(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["try", "--json", "the landlord locked us out of the trailer"])
    row = json.loads(result.stdout.splitlines()[0])
    why = row["why"]
    assert why["topic"] == row["topic"]
    assert why["decided_by"] in {"rules", "reader", "both"}
    assert len(why["reader"]) == 3
    probabilities = [r["probability"] for r in why["reader"]]
    assert probabilities == sorted(probabilities, reverse=True) and 0 < probabilities[0] <= 1
    assert why["nearest"] and all(n["file"].startswith("examples/") for n in why["nearest"])
