"""The learned reader: normalisation of every script, deterministic training, scores and neighbours."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bot.core.reader import Example, hashed, normalize_for_reader, train_reader

TRAINING = [
    # Two topics in seven scripts and spellings: each language's texts about pay and about danger.
    Example("my boss did not pay my wages", "labor"),
    Example("they owe me three weeks of pay", "labor"),
    Example("no me pagan el trabajo", "labor"),
    Example("el patron no me paga", "labor"),
    Example("Chủ không trả lương cho tôi", "labor"),
    Example("Начальник не платит зарплату", "labor"),
    Example("老板不给我工资", "labor"),
    Example("사장이 월급을 안 줘요", "labor"),
    Example("he has a gun and is coming for me", "emergency"),
    Example("they locked us in and we cant get out", "emergency"),
    Example("tiene una pistola y me va a matar", "emergency"),
    Example("nos encerraron y no podemos salir", "emergency"),
    Example("Anh ta có súng, cứu tôi", "emergency"),
    Example("У него пистолет, помогите", "emergency"),
    Example("他有枪，救命", "emergency"),
    Example("그 사람이 총을 가지고 있어요 도와주세요", "emergency"),
]


@pytest.fixture(scope="module")
def reader():
    return train_reader(TRAINING)


def test_normalising_drops_accents_case_and_vietnamese_tone_marks():
    assert normalize_for_reader("Inmigración!!") == "inmigracion"
    assert normalize_for_reader("Tôi bị chủ giữ hộ chiếu") == "toi bi chu giu ho chieu"
    assert normalize_for_reader("Đi đâu") == "di dau"


def test_normalising_keeps_cyrillic_han_and_whole_hangul_syllables():
    assert normalize_for_reader("ПАСПОРТ забрали") == "паспорт забрали"
    assert normalize_for_reader("老板扣了我的护照") == "老板扣了我的护照"
    assert normalize_for_reader("여권을 가져갔어요") == "여권을 가져갔어요"


def test_stretched_letters_fold_and_apostrophes_vanish_as_people_type():
    assert normalize_for_reader("ayudaaaa won't") == "ayuda wont"
    assert normalize_for_reader("llamar") == "llamar"


def test_han_texts_without_spaces_share_the_features_of_a_shared_word():
    boss_took, my_boss = set(hashed("老板扣了")[0].tolist()), set(hashed("我的老板")[0].tolist())
    unrelated = set(hashed("下雨了")[0].tolist())
    assert len(boss_took & my_boss) >= 3  # 老, 板 and 老板
    assert not boss_took & unrelated - set(hashed("了")[0].tolist())


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("the boss still did not pay me", "labor"),
        ("el patron no paga", "labor"),
        ("chu khong tra luong", "labor"),  # Vietnamese without its tone marks
        ("начальник не платит", "labor"),
        ("老板不给工资", "labor"),
        ("사장이 월급을 안 줘", "labor"),
        ("he has a gun", "emergency"),
        ("tiene pistola", "emergency"),
        ("у него пистолет", "emergency"),
        ("他有枪", "emergency"),
        ("총을 가지고 있어요", "emergency"),
    ],
)
def test_the_reader_reads_every_script(reader, text, topic):
    assert reader.top(text, 1)[0][0] == topic


def test_scores_cover_every_topic_and_add_up_to_one(reader):
    scores = reader.scores("my boss did not pay me")
    assert set(scores) == {"labor", "emergency"}
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-5)


def test_training_is_deterministic_whatever_the_order_of_the_examples():
    first = train_reader(TRAINING)
    again = train_reader(list(reversed(TRAINING)))
    assert first.digest == again.digest
    assert np.array_equal(first.weights, again.weights)
    assert np.array_equal(first.bias, again.bias)


def test_weights_are_kept_as_bytes_scaled_per_topic_and_read_as_the_unrounded_ones():
    from bot.core.reader import QUANTUM, quantize

    rng = np.random.default_rng(7)
    weights = rng.normal(0, 0.3, size=(512, 3)).astype(np.float32)
    weights[:, 2] = 0.0  # a topic without examples has no weights at all
    exact = weights.copy()
    kept, scale = quantize(weights)
    assert kept.dtype == np.int8 and scale.dtype == np.float32
    assert np.abs(kept[:, :2]).max(axis=0).tolist() == [QUANTUM, QUANTUM]
    assert not kept[:, 2].any() and scale[2] == 1.0
    # A text's sum over its features, as probabilities() forms it, moves by a rounding step at most.
    values = np.full(40, 1 / math.sqrt(40), dtype=np.float32)
    rows = rng.choice(512, 40, replace=False)
    drift = np.abs(values @ kept[rows] * scale - values @ exact[rows])
    assert (drift <= scale * math.sqrt(40) / 2).all()


def test_a_trained_reader_keeps_one_byte_a_weight(reader):
    assert reader.weights.dtype == np.int8
    assert reader.scale.shape == (len(reader.topics),)


def test_other_examples_give_other_weights():
    changed = train_reader([*TRAINING, Example("no pay for two months", "labor")])
    assert changed.digest != train_reader(TRAINING).digest
    assert not np.array_equal(changed.weights, train_reader(TRAINING).weights)


def test_a_topic_without_examples_is_never_the_readers_answer():
    reader = train_reader(TRAINING, topics=("emergency", "labor", "housing"))
    assert reader.scores("where can i sleep tonight")["housing"] < 1e-6


def test_examples_of_topics_the_reader_does_not_answer_are_left_out():
    reader = train_reader(
        [*TRAINING, Example("i want to sleep", "housing")], topics=("emergency", "labor")
    )
    assert {e.topic for e in reader.examples} == {"emergency", "labor"}


def test_fewer_than_two_topics_cannot_make_a_reader():
    with pytest.raises(ValueError, match="two topics"):
        train_reader([e for e in TRAINING if e.topic == "labor"])


def test_the_nearest_examples_explain_a_text(reader):
    nearest = reader.nearest("el patron no me paga nada", 2)
    assert nearest[0][0].text == "el patron no me paga"
    assert nearest[0][1] > nearest[1][1]


def test_a_hostile_text_costs_what_a_long_text_does(reader):
    scores = reader.scores("a" * 100_000 + " pay " * 10_000)
    assert set(scores) == {"labor", "emergency"}
    assert reader.scores("") and reader.scores("!!! ???")


def _cosine_by_hand(reader, text):
    mine = set(hashed(text)[0].tolist())
    scored = []
    for example in reader.examples:
        theirs = set(hashed(example.text)[0].tolist())
        if mine and theirs:
            scored.append((len(mine & theirs) / math.sqrt(len(mine) * len(theirs)), example))
    scored.sort(key=lambda pair: (-pair[0], pair[1].text))
    return [(example, round(score, 3)) for score, example in scored]


@pytest.mark.parametrize(
    "text", ["el patron no me paga nada", "he locked the door", "zzz", "老板不给我工资", "ok"]
)
def test_the_nearest_examples_are_those_sharing_most_ngrams_ties_by_text(reader, text):
    expected = _cosine_by_hand(reader, text)
    got = reader.nearest(text, 4)
    assert [(e.text, s) for e, s in got] == [(e.text, s) for e, s in expected[:4]]


def _same_reader(a, b) -> None:
    assert (a.topics, a.digest, a.examples) == (b.topics, b.digest, b.examples)
    for name in ("weights", "bias", "idf"):
        mine, theirs = getattr(a, name), getattr(b, name)
        assert mine.dtype == theirs.dtype and mine.tobytes() == theirs.tobytes(), name


def test_a_reader_trained_in_a_child_process_has_the_same_weights_bit_for_bit(monkeypatch):
    from bot.core import reader_training

    monkeypatch.setattr(reader_training, "CHILD_MIN_EXAMPLES", 0)
    topics = ("emergency", "housing", "labor")
    _same_reader(reader_training.train(TRAINING, topics), train_reader(TRAINING, topics))


def test_a_child_that_fails_is_an_error_and_one_that_cannot_start_trains_here(monkeypatch):
    from bot.core import reader_training

    monkeypatch.setattr(reader_training, "CHILD_MIN_EXAMPLES", 0)
    monkeypatch.setattr(reader_training.sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="training failed"):
        reader_training.train(TRAINING)
    monkeypatch.setattr(reader_training.sys, "executable", "/nonexistent/python")
    _same_reader(reader_training.train(TRAINING), train_reader(TRAINING))
    with pytest.raises(ValueError, match="two topics"):
        reader_training.train([e for e in TRAINING if e.topic == "labor"])
