"""A captured webhook request replayed (same MessageSid) is answered once, and costs the texter nothing."""

from __future__ import annotations

from tests import app_library, as_twilio


def test_a_replayed_message_sid_gets_silence_and_a_new_one_an_answer(make_app):
    client = make_app().test_client()
    form = as_twilio.params("my boss took my passport")
    first = as_twilio.post(client, form)
    assert as_twilio.messages(first) == [app_library.REPLIES["labor/en"]]
    for _ in range(3):
        again = as_twilio.post(client, form)
        assert again.status_code == 200 and as_twilio.messages(again) == []
    fresh = as_twilio.post(client, as_twilio.params("my boss took my passport"))
    assert as_twilio.messages(fresh) == [app_library.REPLIES["labor/en"]]


def test_replays_do_not_use_up_the_senders_replies(make_app):
    client = make_app(rate_limit="2 per 10 minutes").test_client()
    form = as_twilio.params("housing")
    assert as_twilio.messages(as_twilio.post(client, form))
    for _ in range(5):
        assert as_twilio.messages(as_twilio.post(client, form)) == []
    assert as_twilio.messages(as_twilio.post(client, as_twilio.params("housing")))


def test_the_memory_of_answered_messages_forgets_after_its_window_and_stays_within_its_cap():
    from limits.storage import MemoryStorage

    from bot.ratelimit import AnsweredMessages

    now = [0.0]
    answered = AnsweredMessages(MemoryStorage(), seconds=900, max_entries=3, clock=lambda: now[0])
    assert answered.first("a") and not answered.first("a")
    now[0] += 899
    assert not answered.first("a")
    now[0] += 2  # past the window
    assert answered.first("a")
    for key in "bcde":
        assert answered.first(key)
    assert len(answered._seen) <= 3 and len(answered._order) <= 3
    assert answered.first("a")  # pushed out by newer ones: a flood shortens the window
