"""A loop with an auto-responder ends, and the person behind the number still gets emergency help."""

from __future__ import annotations

import itertools

import pytest

from bot import runtime
from bot.core.matcher import match
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
    # Without the recogniser these texts would be answered: the disclaimer as an emergency.
    assert match(LOOPING[1], matcher).topic == "emergency"
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
    emergencies = _send(bundled_app, [REAL_EMERGENCY] * 4)
    assert [len(r) for r in emergencies] == [1, 1, 1, 0]  # EMERGENCY_RATE_LIMIT, then silence


def test_a_machine_repeating_emergency_words_is_silenced_after_the_emergency_limit(bundled_app):
    replies = _send(bundled_app, ["EMERGENCY EMERGENCY call 911 now"] * 200)
    assert sum(len(r) for r in replies) == 3


def test_auto_replies_are_counted_without_topic_or_language(bundled_app):
    from datetime import UTC, datetime

    _send(bundled_app, LOOPING)
    rt = runtime(bundled_app)
    rt.live.flush_counts()
    rows = rt.store.counts(datetime.now(UTC).date())
    assert {(r.topic, r.lang, r.count) for r in rows} == {("(auto-reply)", "-", len(LOOPING))}
