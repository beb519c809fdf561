"""A loop with an auto-responder ends, and the person behind the number still gets emergency help."""

from __future__ import annotations

import itertools

import pytest

from bot import runtime
from bot.core.matcher import match
from bot.core.sms import encode_info
from bot.settings import PROJECT_ROOT
from tests import as_twilio

SENDER = "+15005550042"
REAL_EMERGENCY = "please help me, he locked me in and took my phone"
LOOPING = [
    "I'm driving with Driving Focus turned on. I'll see your message when I get where I'm going.",
    "Thank you for your message. If this is an emergency, please call 911.",
    "Estoy conduciendo con el enfoque Conducci\u00f3n activado. Ver\u00e9 tu mensaje cuando llegue "
    "a mi destino.",
    "Auto-reply: I am out of the office until Monday.",
    "Respuesta autom\u00e1tica: gracias por su mensaje. Si es una emergencia, llame al 911.",
]


@pytest.fixture
def bundled_app(make_app):
    """The app on the bundled library, with the shipped limits (10 replies, 3 emergency replies)."""
    app = make_app(
        library_dir=str(PROJECT_ROOT),
        rate_limit="10 per 10 minutes",
        emergency_rate_limit="3 per 10 minutes",
    )
    runtime(app).live.start()
    return app


def _send(app, texts) -> list[list[str]]:
    client = app.test_client()
    replies = []
    for text in texts:
        response = as_twilio.post(client, as_twilio.params(text, sender=SENDER))
        assert response.status_code == 200
        replies.append(as_twilio.messages(response))
    return replies


def _emergency_reply(app) -> str:
    snapshot = runtime(app).live.snapshot
    found = match(REAL_EMERGENCY, snapshot.matcher)
    assert found.topic == "emergency"
    return snapshot.library.topic("emergency").replies["en"]


def test_200_texts_of_a_looping_auto_responder_get_no_reply_and_a_real_emergency_does(bundled_app):
    matcher = runtime(bundled_app).live.snapshot.matcher
    # Without the recogniser every one of these texts would be answered (none is an opt-out).
    assert all(match(text, matcher).topic != "stop" for text in LOOPING)
    loop = list(itertools.islice(itertools.cycle(LOOPING), 200))
    replies = _send(bundled_app, loop)
    assert sum(len(r) for r in replies) == 0
    [answer] = _send(bundled_app, [REAL_EMERGENCY])
    assert answer and answer[0].startswith(_emergency_reply(bundled_app)[:40])
    runtime(bundled_app).live.flush_counts()


def test_a_loop_the_recogniser_does_not_know_ends_within_the_limits_and_emergencies_still_go_out(
    bundled_app,
):
    # A machine that answers every reply with the same text, which reads as a question.
    replies = _send(bundled_app, ["Your text was received. What is your question?"] * 200)
    assert sum(len(r) for r in replies) == 10  # RATE_LIMIT, then silence
    assert all(not r for r in replies[10:])
    emergencies = _send(bundled_app, [REAL_EMERGENCY] * 5)
    # EMERGENCY_RATE_LIMIT, one more after the cap, then silence for a few minutes
    assert [len(r) for r in emergencies] == [1, 1, 1, 1, 0]


def test_a_machine_repeating_emergency_words_is_silenced_after_the_emergency_limit(bundled_app):
    replies = _send(bundled_app, ["EMERGENCY EMERGENCY call 911 now"] * 200)
    assert sum(len(r) for r in replies) == 4  # 3, and the one after the cap


class _Clock:
    """Stands in for the time module of limits' in-memory storage, which keeps the windows."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    clock = _Clock()
    monkeypatch.setattr("limits.storage.memory.time", clock)
    return clock


def test_a_person_texting_danger_again_and_again_gets_911_and_the_hotline_every_few_minutes(
    bundled_app, clock
):
    assert [len(r) for r in _send(bundled_app, [REAL_EMERGENCY] * 3)] == [1, 1, 1]
    clock.now += 30
    after_cap = _send(bundled_app, [REAL_EMERGENCY] * 3)
    assert [len(r) for r in after_cap] == [1, 0, 0]
    [answer] = after_cap[0]
    assert encode_info(answer).segments == 1
    assert "911" in answer and "1-888-373-7888" in answer
    clock.now += 4 * 60  # four minutes after that answer: still quiet
    assert _send(bundled_app, [REAL_EMERGENCY]) == [[]]
    clock.now += 61  # five minutes after it: answered again
    assert [len(r) for r in _send(bundled_app, [REAL_EMERGENCY])] == [1]


def test_a_looping_auto_responder_sending_danger_words_ends_with_a_bounded_number_of_replies_an_hour(
    bundled_app, clock
):
    # A machine that answers each reply at once with danger words, and besides texts them
    # again every 20 seconds, for an hour.
    words = "EMERGENCY EMERGENCY call 911 now, help"
    replies, longest_exchange = 0, 0
    for _ in range(180):
        exchange = 0
        while _send(bundled_app, [words]) != [[]]:
            replies += 1
            exchange += 1
            clock.now += 2  # its answer to the reply comes two seconds later
            assert exchange <= 4, "each reply drew another, and the loop did not end"
        longest_exchange = max(longest_exchange, exchange)
        clock.now += 20
    # At most 3 emergency replies in any 10 minutes and one more in any 5: 18 + 12 an hour.
    assert replies <= 30
    assert longest_exchange == 4 and replies >= 12


def test_auto_replies_are_counted_without_topic_or_language(bundled_app):
    from datetime import UTC, datetime

    _send(bundled_app, LOOPING)
    rt = runtime(bundled_app)
    rt.live.flush_counts()
    rows = rt.store.counts(datetime.now(UTC).date())
    assert {(r.topic, r.lang, r.count) for r in rows} == {("(auto-reply)", "-", len(LOOPING))}
