"""The bundled library measured on the project's own labelled corpus: accuracy may not drop.

tests/corpus holds texts written for this project in eleven batches, each by a writer who never saw
the library (batch-0 is the first; batch-4 and batch-5 imitate the shared dev set's style; batch-6
brought `violence` and `health`; batch-7 is the danger held-out set, 80 emergencies and 80 hard
non-emergencies; batch-8 the second, 70 and 70; batch-9 the third, 60 and 60; batch-10 the fourth,
50 and 50). Each batch was first measured as it came, then used to widen the vocabulary;
docs/operators.md "Matcher accuracy" and docs/accuracy-history.md give both figures.
tests/corpus-own holds emergencies written by the developer of issue 15 to check that the danger
signals are general; they are kept out of the corpus figures, but every emergency among them must
get the emergency reply too.
Issue 23 split injury, evacuation, raid and discrimination into topics of their own and sent tips
about someone else to `report`: 31 texts were relabelled to the topic that now answers them and
11 tips accept `report` beside `labor`; top-1 measured 0.9742 before and 0.9759 after (floors kept).

Issue 21 added the learned reader (bot/core/reader.py), trained from examples/, which
tools/examples_from_corpus.py writes from this corpus and from the newer writers' texts, holding
out whole writers of the newer ones only (examples/heldout/). So the reader has learned every text
measured here: these floors now say the bundled library answers its own corpus, not how it does on
texts written blind (docs/reader.md gives those figures, measured on writers held out). With the
reader and the rules combined as match() combines them the corpus measured 1824 texts, top-1 1.000,
every emergency, no false emergency (bench: `python -m bench.reader_candidates`).
"""

from pathlib import Path

import pytest

from bot.core.evaluate import evaluate, read_labelled
from bot.core.library import load_library_dir
from tests.bundled import kept_readers

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "corpus").glob("*.jsonl"))
OWN_TEXTS = sorted((ROOT / "tests" / "corpus-own").glob("*.jsonl"))

# Floors sit a little under what the library measures today, so a change that makes the
# matcher worse fails here; raise them when the library gets better.
TOP1_FLOOR = 0.97
LANGUAGE_FLOOR = 0.97
#: Corpus texts that are not emergencies but get the emergency reply: 4 before the danger signal
#: by parts (issue: danger as a signal of its own), 3 with it; still 3 with batch-7's 80 hard
#: non-emergencies added (12 of them got the emergency reply before its kinds were learned), and with
#: batch-8's 70 (7 of them did), with batch-9's 60 (4 of them did), and with batch-10's 50 (2 did).
#: It may not grow.
FALSE_EMERGENCY_CEILING = 3


@pytest.fixture(scope="module")
def report():
    cases = []
    for path in CORPUS:
        with path.open(encoding="utf-8") as lines:
            cases += read_labelled(lines, source=str(path))
    return evaluate(cases, load_library_dir(ROOT), kept_readers())


def test_the_corpus_is_large_enough_to_mean_something(report):
    assert report.total >= 1300


def test_top1_accuracy_stays_above_its_floor(report):
    assert report.top1 >= TOP1_FLOOR, "\n".join(o.case.text for o in report.misses)


def test_every_emergency_in_the_corpus_gets_the_emergency_reply(report):
    assert report.emergency_recall == 1.0


def test_no_more_ordinary_texts_get_the_emergency_reply_than_before(report):
    false = [
        o.case.text
        for o in report.outcomes
        if o.match.topic == "emergency" and "emergency" not in o.case.topics
    ]
    assert len(false) <= FALSE_EMERGENCY_CEILING, "\n".join(false)


def test_nothing_in_the_corpus_is_taken_for_an_opt_out_that_is_not_one(report):
    assert report.false_opt_outs == 0


def test_replies_come_in_the_senders_language(report):
    assert report.lang_accuracy >= LANGUAGE_FLOOR


def test_every_emergency_among_the_developers_own_texts_gets_the_emergency_reply():
    cases = []
    for path in OWN_TEXTS:
        with path.open(encoding="utf-8") as lines:
            cases += read_labelled(lines, source=str(path))
    own = evaluate(cases, load_library_dir(ROOT), kept_readers())
    assert own.total >= 90
    assert own.emergency_recall == 1.0, "\n".join(o.case.text for o in own.misses)


def test_the_hard_non_emergencies_of_the_danger_set_stay_out_of_the_emergency_reply():
    """tests/corpus-own/danger-a.jsonl: past violence, "what do i do if", "this heat is killing
    me", "mi jefe me va a matar si llego tarde" must not alarm anyone."""
    with (ROOT / "tests" / "corpus-own" / "danger-a.jsonl").open(encoding="utf-8") as lines:
        cases = read_labelled(lines)
    outcomes = evaluate(cases, load_library_dir(ROOT), kept_readers()).outcomes
    calm = [o for o in outcomes if "emergency" not in o.case.topics]
    assert len(calm) == 40
    assert [o.case.text for o in calm if o.match.topic == "emergency"] == []
