"""Candidate readers and ways of combining them with the rules, measured on writers held out.

Every labelled text (bench/reader_data.py) is dealt into folds by writer; each fold is read by
models trained on the other folds only, so every figure is a first look at writers the model never
saw. (The rules are not retrained: they were written while reading tests/corpus, so their figures
on it are flattering; data/train's writers are new to them.) Opt-out words and menu numbers are
exact in every row (bot.core.matcher), as they are in the bot.

    .venv/bin/python -m bench.reader_candidates              # all candidates (needs scikit-learn)
    .venv/bin/python -m bench.reader_candidates --only ours  # the shipped reader and combinations
    .venv/bin/python -m bench.reader_candidates --embeddings /tmp/emb.npy  # add MiniLM vectors

scikit-learn and simplemma are needed for the comparison only (pip install scikit-learn
simplemma); the bot never imports them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bench import ROOT
from bench.reader_data import TRAIN_DIR, Labelled, load_labelled, writer_folds
from bot.core.combine import CombineSettings, combine_all, is_exact
from bot.core.library import load_library_dir
from bot.core.matcher import build_matcher, match_rules
from bot.core.reader import Example, normalize_for_reader, train_reader
from bot.core.topics import EMERGENCY_TOPIC, MENU_TOPIC, STOP_TOPIC

Predict = Callable[[list[str]], list[np.ndarray]]


def figures(rows: Sequence[Labelled], predicted: Sequence[str]) -> dict[str, float]:
    """top-1, emergency recall and false-emergency rate of predictions."""
    right = sum(p in r.topics for r, p in zip(rows, predicted, strict=True))
    emerg = [p for r, p in zip(rows, predicted, strict=True) if EMERGENCY_TOPIC in r.topics]
    calm = [p for r, p in zip(rows, predicted, strict=True) if EMERGENCY_TOPIC not in r.topics]
    return {
        "n": len(rows),
        "top1": right / len(rows),
        "recall": sum(p == EMERGENCY_TOPIC for p in emerg) / max(1, len(emerg)),
        "false": sum(p == EMERGENCY_TOPIC for p in calm) / max(1, len(calm)),
        "emergencies": len(emerg),
        "calm": len(calm),
    }


def sklearn_candidates() -> dict[str, Callable]:
    """name -> fit(texts, labels) returning predict_proba over texts: the scikit-learn models."""
    import simplemma
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    def lemmas(text: str) -> list[str]:
        words = normalize_for_reader(text).split()
        lem = [simplemma.lemmatize(w, lang=("es", "en")) for w in words]
        return lem + [f"{a} {b}" for a, b in itertools.pairwise(lem)]

    def char():
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            preprocessor=normalize_for_reader,
            min_df=1,
        )

    def word():
        return TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            preprocessor=normalize_for_reader,
            token_pattern=r"\S+",
        )

    def lr():
        return LogisticRegression(C=20, max_iter=2000)

    def proba_of(pipe):
        def fit(texts, labels):
            pipe.fit(texts, labels)
            return pipe.predict_proba, list(pipe.classes_)

        return fit

    def svc_fit(vec):
        def fit(texts, labels):
            pipe = make_pipeline(vec, LinearSVC(C=0.5))
            pipe.fit(texts, labels)

            def proba(xs):
                d = pipe.decision_function(xs)
                e = np.exp(3 * (d - d.max(axis=1, keepdims=True)))
                return e / e.sum(axis=1, keepdims=True)

            return proba, list(pipe.classes_)

        return fit

    return {
        "char 2-5 + logistic": lambda: proba_of(make_pipeline(char(), lr())),
        "word 1-2 + logistic": lambda: proba_of(make_pipeline(word(), lr())),
        "lemmas 1-2 (simplemma) + logistic": lambda: proba_of(
            make_pipeline(TfidfVectorizer(analyzer=lemmas, sublinear_tf=True), lr())
        ),
        "char + word + logistic": lambda: proba_of(make_pipeline(make_union(char(), word()), lr())),
        "char 2-5 + linear SVM": lambda: svc_fit(char()),
        "char 2-5 + complement NB": lambda: proba_of(
            make_pipeline(char(), ComplementNB(alpha=0.3))
        ),
    }


def cross_read(
    rows: list[Labelled], folds: list[list[int]], fit: Callable, label: str
) -> tuple[list[dict[str, float]], float]:
    """Each row's topic probabilities from a model trained without its fold; and the time taken."""
    out: list[dict[str, float]] = [{} for _ in rows]
    start = time.perf_counter()
    for held in folds:
        held_set = set(held)
        train = [
            i for i in range(len(rows)) if i not in held_set and rows[i].topics[0] != STOP_TOPIC
        ]
        proba, classes = fit()([rows[i].text for i in train], [rows[i].topics[0] for i in train])
        probs = proba([rows[i].text for i in held])
        for i, p in zip(held, probs, strict=True):
            out[i] = dict(zip(classes, map(float, p), strict=True))
    print(
        f"  {label}: trained {len(folds)} folds in {time.perf_counter() - start:.1f}s", flush=True
    )
    return out, time.perf_counter() - start


def ours() -> Callable:
    """The shipped reader (bot.core.reader) as a candidate."""

    def fit(texts, labels):
        reader = train_reader([Example(t, y) for t, y in zip(texts, labels, strict=True)])
        return (lambda xs: [reader.probabilities(x) for x in xs]), list(reader.topics)

    return fit


def exact_first(text: str, matcher) -> str | None:
    """What stays exact whatever reads the rest: an opt-out word and a menu number."""
    got = match_rules(text, matcher)
    return got.topic if is_exact(got) else None


def table(title: str, results: list[tuple[str, dict[str, float]]]) -> str:
    """A Markdown table of figures."""
    lines = [
        f"### {title}",
        "",
        "| way | top-1 | emergency recall | false emergencies |",
        "|---|---:|---:|---:|",
    ]
    for name, f in results:
        lines.append(
            f"| {name} | {100 * f['top1']:.1f}% | {100 * f['recall']:.1f}% "
            f"| {100 * f['false']:.1f}% |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=8)
    parser.add_argument("--only", choices=["ours", "all"], default="all")
    parser.add_argument("--embeddings", help=".npy of MiniLM vectors, one row per text, same order")
    parser.add_argument("--no-train-dir", action="store_true", help="leave data/train out")
    parser.add_argument(
        "--train-dir", type=Path, default=TRAIN_DIR, help="the newer writers' texts"
    )
    parser.add_argument("--dump-texts", help="write the texts in order (for reader_embeddings.py)")
    args = parser.parse_args(argv)

    library = load_library_dir(ROOT)
    # The rules alone: the shipped reader learned from these very texts.
    matcher = build_matcher(library, reader=False)
    known = {t.id for t in library.topics}
    rows = load_labelled(known, include_train=not args.no_train_dir, train_dir=args.train_dir)
    folds = writer_folds(rows, args.folds)
    if args.dump_texts:
        with open(args.dump_texts, "w", encoding="utf-8") as out:
            out.writelines(json.dumps({"text": r.text}, ensure_ascii=False) + "\n" for r in rows)
    writers = len({r.writer for r in rows})
    print(f"{len(rows)} labelled texts by {writers} writers, {args.folds} folds by writer\n")

    rules = [match_rules(r.text, matcher) for r in rows]
    exact = [exact_first(r.text, matcher) for r in rows]
    results: list[tuple[str, dict[str, float]]] = []

    def reader_only(probs: list[dict[str, float]]) -> list[str]:
        return [
            e or (max(sorted(p), key=p.get) if p else MENU_TOPIC)
            for e, p in zip(exact, probs, strict=True)
        ]

    results.append(("rules only (today's matcher)", figures(rows, [m.topic for m in rules])))
    if args.only == "all":
        for name, fit in sklearn_candidates().items():
            probs, _ = cross_read(rows, folds, fit, name)
            results.append((name, figures(rows, reader_only(probs))))
        if args.embeddings:
            results.append(embedding_row(rows, folds, exact, np.load(args.embeddings)))
    our_probs, _seconds = cross_read(rows, folds, ours, "ours")
    results.append(
        (
            "ours: hashed char 2-5 + words, averaged SGD (numpy)",
            figures(rows, reader_only(our_probs)),
        )
    )
    print()
    print(table("Candidates, reader alone (opt-outs and menu numbers exact)", results))

    ways: list[tuple[str, dict[str, float]]] = []
    for name, settings in COMBINATIONS.items():
        predicted = [
            combine_all(r.text, m, p, settings, matcher.tips).topic
            for r, m, p in zip(rows, rules, our_probs, strict=True)
        ]
        ways.append((name, figures(rows, predicted)))
    print()
    print(table("Ways of combining the rules and the reader (ours)", ways))


def embedding_row(rows, folds, exact, vectors) -> tuple[str, dict[str, float]]:
    """all-MiniLM-L6-v2 sentence vectors + logistic regression, from vectors computed elsewhere."""
    from sklearn.linear_model import LogisticRegression

    if len(vectors) != len(rows):
        raise SystemExit(f"{len(vectors)} vectors for {len(rows)} texts: dump the texts again")
    probs: list[dict[str, float]] = [{} for _ in rows]
    for held in folds:
        held_set = set(held)
        train = [
            i for i in range(len(rows)) if i not in held_set and rows[i].topics[0] != STOP_TOPIC
        ]
        model = LogisticRegression(C=20, max_iter=3000)
        model.fit(vectors[train], [rows[i].topics[0] for i in train])
        for i, p in zip(held, model.predict_proba(vectors[held]), strict=True):
            probs[i] = dict(zip(model.classes_, map(float, p), strict=True))
    predicted = [e or max(sorted(p), key=p.get) for e, p in zip(exact, probs, strict=True)]
    return ("all-MiniLM-L6-v2 embeddings + logistic", figures(rows, predicted))


NEVER = 2.0  # a floor no probability reaches: the rules' emergency never stands alone
COMBINATIONS: dict[str, CombineSettings] = {
    "rules only": CombineSettings(use_reader=False),
    "reader only (exact first)": CombineSettings(
        whole_text_keyword=False, rules_emergency_floor=NEVER
    ),
    "rules' whole-text keyword, then reader": CombineSettings(rules_emergency_floor=NEVER),
    "reader; emergency when either says so": CombineSettings(rules_emergency_floor=0.0),
    "reader; either, reader at 0.35": CombineSettings(
        rules_emergency_floor=0.0, emergency_threshold=0.35
    ),
    "reader; rules' emergency if reader >= 0.05": CombineSettings(rules_emergency_floor=0.05),
    "reader; rules' emergency if reader >= 0.10": CombineSettings(rules_emergency_floor=0.10),
    "reader; rules' emergency if reader >= 0.20": CombineSettings(rules_emergency_floor=0.20),
    "reader; rules >= 0.05, reader at 0.35": CombineSettings(
        rules_emergency_floor=0.05, emergency_threshold=0.35
    ),
    "reader; rules >= 0.10, reader at 0.35": CombineSettings(
        rules_emergency_floor=0.10, emergency_threshold=0.35
    ),
    "reader at 0.35 alone": CombineSettings(rules_emergency_floor=NEVER, emergency_threshold=0.35),
    "reader at 0.25 alone": CombineSettings(rules_emergency_floor=NEVER, emergency_threshold=0.25),
    "either; rules' topic when reader < 0.4": CombineSettings(
        rules_emergency_floor=0.0, rules_when_unsure=0.4
    ),
    "rules >= 0.05, reader 0.35; rules' topic when reader < 0.4": CombineSettings(
        rules_emergency_floor=0.05, emergency_threshold=0.35, rules_when_unsure=0.4
    ),
    "rules >= 0.05; rules' topic when reader < 0.4": CombineSettings(
        rules_emergency_floor=0.05, rules_when_unsure=0.4
    ),
    "reader at 0.6; rules >= 0.10": CombineSettings(
        rules_emergency_floor=0.10, emergency_threshold=0.6
    ),
    "reader at 0.7; rules >= 0.10": CombineSettings(
        rules_emergency_floor=0.10, emergency_threshold=0.7
    ),
    "reader at 0.6; rules >= 0.30": CombineSettings(
        rules_emergency_floor=0.30, emergency_threshold=0.6
    ),
    "rules >= 0.05; unsure < 0.4; keyword's topic if reader >= 0.05": CombineSettings(
        rules_emergency_floor=0.05, rules_when_unsure=0.4, rules_topic_floor=0.05
    ),
    "rules >= 0.05; unsure < 0.4; keyword's topic if reader >= 0.1": CombineSettings(
        rules_emergency_floor=0.05, rules_when_unsure=0.4, rules_topic_floor=0.1
    ),
    "rules >= 0.05; unsure < 0.4; keyword's topic if reader >= 0.2": CombineSettings(
        rules_emergency_floor=0.05, rules_when_unsure=0.4, rules_topic_floor=0.2
    ),
    "rules >= 0.05; unsure < 0.4; keyword's topic if reader >= 0.3": CombineSettings(
        rules_emergency_floor=0.05, rules_when_unsure=0.4, rules_topic_floor=0.3
    ),
}


if __name__ == "__main__":
    main()
