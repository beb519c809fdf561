"""The sweep against a fake Twilio served over HTTP: what goes, what stays, retries and limits."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.purge import purge_wanted
from bot.purge.lock import ThreadLock
from bot.purge.purger import Purger
from bot.purge.sweep import Budget, addresses, sweep
from bot.purge.twilio_api import TwilioMessages, build_client
from bot.settings import Settings, SettingsError

THRESHOLD = timedelta(minutes=70)
OLD = timedelta(minutes=71)


def _api(settings: dict, page_size: int = 3) -> TwilioMessages:
    return TwilioMessages(build_client(Settings(**settings)), page_size=page_size)


def test_the_client_reaches_the_fake_at_the_base_url_with_the_api_key_not_the_auth_token(
    fake, purge_settings
):
    settings = {**purge_settings, "twilio_auth_token": "the-auth-token"}
    assert _api(settings).account_numbers() == fake.numbers
    assert fake.users == {fake.api_key}
    assert fake.requests == [
        ("GET", f"/2010-04-01/Accounts/{fake.account_sid}/IncomingPhoneNumbers.json")
    ]


def test_a_sweep_deletes_every_final_old_message_both_ways_and_leaves_the_rest(
    fake, purge_settings
):
    bot, other_bot = fake.numbers[0], "+15005550002"
    fake.numbers.append(other_bot)
    gone = {fake.add(age=OLD + timedelta(minutes=i), inbound=i % 2 == 0) for i in range(8)}
    gone.add(fake.add(age=timedelta(days=40), user="whatsapp:+15005550009", bot=f"whatsapp:{bot}"))
    gone.add(fake.add(age=OLD, bot=other_bot, inbound=False))
    young = fake.add(age=timedelta(minutes=69))
    young_reply = fake.add(age=timedelta(seconds=5), inbound=False)
    not_final = fake.add(age=timedelta(hours=3), inbound=False, final=False)
    never_sent = fake.add(age=OLD, inbound=False, sent=False)  # failed before it left: final
    gone.add(never_sent)
    unrelated = fake.add(age=OLD, user="+15005550007", bot="+15005550008")

    report = sweep(_api(purge_settings), fake.numbers, THRESHOLD, Budget.of())

    assert fake.remaining() == {young, young_reply, not_final, unrelated}
    assert set(fake.deleted) == gone and max(fake.deleted.values()) == 1
    assert (report.deleted, report.not_final, report.failed, report.gone) == (len(gone), 1, 0, 0)
    assert report.younger == 2
    assert report.complete and report.error is None
    assert report.pages > 4  # pages of three: the lists really were followed page by page


def test_a_message_not_final_at_one_sweep_goes_at_the_next(fake, purge_settings):
    sid = fake.add(age=timedelta(hours=2), final=False)
    api = _api(purge_settings)
    first = sweep(api, fake.numbers, THRESHOLD, Budget.of())
    assert (first.deleted, first.not_final) == (0, 1)
    assert fake.remaining() == {sid}
    fake.messages[sid].final = True  # the carrier's receipt came in
    second = sweep(api, fake.numbers, THRESHOLD, Budget.of())
    assert (second.deleted, second.not_final) == (1, 0)
    assert fake.remaining() == set()


def test_twilio_refuses_a_message_younger_than_a_minute_even_past_a_short_threshold(
    fake, purge_settings
):
    sid = fake.add(age=timedelta(seconds=20))
    report = sweep(_api(purge_settings), fake.numbers, timedelta(seconds=10), Budget.of())
    assert (report.deleted, report.not_final) == (0, 1)
    assert fake.remaining() == {sid}


def test_429_and_5xx_answers_are_retried_until_everything_old_is_gone(fake, purge_settings):
    fake.fault_every = 3
    for i in range(10):
        fake.add(age=OLD + timedelta(minutes=i), inbound=i % 2 == 0)
    budget = Budget.of(seconds=60, backoff_base=0.01)
    report = sweep(_api(purge_settings), fake.numbers, THRESHOLD, budget)
    assert fake.remaining() == set()
    assert report.deleted == 10 and report.failed == 0
    assert fake.statuses[429] and fake.statuses[500] and fake.statuses[503]


def test_a_message_gone_before_its_delete_counts_as_already_gone(fake, purge_settings):
    sid = fake.add(age=OLD)
    fake.vanish.add(sid)
    report = sweep(_api(purge_settings), fake.numbers, THRESHOLD, Budget.of())
    assert (report.deleted, report.gone, report.failed) == (0, 1, 0)


def test_a_sweep_stops_at_its_page_budget_and_the_next_one_goes_on(fake, purge_settings):
    for i in range(9):
        fake.add(age=OLD + timedelta(minutes=i))
    api = _api(purge_settings)
    report = sweep(api, fake.numbers, THRESHOLD, Budget.of(pages=1))
    assert not report.complete and report.error is None
    assert (report.pages, report.deleted, len(fake.remaining())) == (1, 3, 6)
    sweep(api, fake.numbers, THRESHOLD, Budget.of())
    assert fake.remaining() == set()


def test_a_sweep_stops_at_its_time_budget(fake, purge_settings):
    fake.add(age=OLD)
    report = sweep(_api(purge_settings), fake.numbers, THRESHOLD, Budget.of(seconds=0))
    assert not report.complete and report.pages == 0
    assert len(fake.remaining()) == 1


def test_a_dry_run_counts_and_deletes_nothing(fake, purge_settings):
    for i in range(4):
        fake.add(age=OLD + timedelta(minutes=i))
    fake.add(age=timedelta(minutes=1))
    report = sweep(_api(purge_settings), fake.numbers, THRESHOLD, Budget.of(), dry_run=True)
    assert (report.deleted, report.younger) == (4, 1)
    assert len(fake.remaining()) == 5
    assert not any(method == "DELETE" for method, _ in fake.requests)


def test_every_number_is_swept_in_its_whatsapp_form_too():
    assert addresses(["+15005550001", " whatsapp:+15005550002", ""]) == [
        "+15005550001",
        "whatsapp:+15005550001",
        "whatsapp:+15005550002",
    ]


def test_wrong_credentials_give_one_clear_error_and_a_growing_wait(fake, purge_settings, caplog):
    fake.add(age=OLD)
    settings = Settings(
        **{**purge_settings, "twilio_api_secret": "wrong", "purge_every_seconds": 10}
    )
    purger = Purger(settings, None, lock=ThreadLock())
    caplog.set_level(logging.DEBUG, logger="bot.purge")
    reports = [purger.run_once() for _ in range(2)]
    with purger.lock.hold():  # another worker sweeps meanwhile: this one skips a round
        assert purger.run_once() is None
    reports.append(purger.run_once())
    assert [r.error for r in reports] == ["credentials_rejected"] * 3
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "TWILIO_API_KEY" in errors[0].getMessage() and "401" in errors[0].getMessage()
    assert purger.state.failing and purger.state.consecutive_failures == 3
    assert purger.next_wait() >= 10 * 2**3 * 0.8  # backs off, never a tight loop
    assert len(fake.remaining()) == 1

    purger.settings = Settings(**{**purge_settings, "purge_every_seconds": 10})
    purger._api = None
    assert purger.run_once().deleted == 1
    assert not purger.state.failing and purger.next_wait() <= 12
    assert "works again" in caplog.text


def test_an_unreachable_api_is_reported_as_such(purge_settings, fake):
    fake.stop()
    settings = Settings(**purge_settings)
    report = Purger(settings, None, lock=ThreadLock()).run_once(
        budget=Budget.of(seconds=5, backoff_base=0.01)
    )
    assert report.error == "twilio_unreachable"


def test_the_purge_is_on_when_the_credentials_are_set_unless_turned_off(purge_settings):
    assert purge_wanted(Settings(**purge_settings))
    assert not purge_wanted(Settings())
    assert not purge_wanted(Settings(**{**purge_settings, "purge_messages": "false"}))
    assert purge_wanted(Settings(purge_messages="true"))
    with pytest.raises(SettingsError):
        purge_wanted(Settings(purge_messages="sometimes"))


def test_numbers_from_purge_numbers_replace_the_accounts_list(fake, purge_settings):
    fake.add(age=OLD)
    sid = fake.add(age=OLD, bot="+15005550003")
    settings = Settings(**{**purge_settings, "purge_numbers": "+15005550003"})
    report = Purger(settings, None, lock=ThreadLock()).run_once()
    assert report.deleted == 1 and sid not in fake.remaining() and len(fake.remaining()) == 1


def test_without_purge_numbers_the_bot_number_alone_is_swept(fake, purge_settings):
    other = fake.add(age=OLD)  # the account's first number, which is not the bot's
    sid = fake.add(age=OLD, bot="+15095550100")
    settings = Settings(**{**purge_settings, "bot_number": "+15095550100"})
    report = Purger(settings, None, lock=ThreadLock()).run_once()
    assert report.deleted == 1 and sid not in fake.remaining() and other in fake.remaining()


def test_the_base_url_keeps_twilios_path_and_query_and_may_add_a_prefix(monkeypatch):
    from bot.purge.twilio_api import BoundedHttpClient, HostRewritingHttpClient

    sent = []
    monkeypatch.setattr(
        BoundedHttpClient, "request", lambda self, method, url, *a, **k: sent.append(url)
    )
    client = HostRewritingHttpClient("http://127.0.0.1:8080/staging/")
    client.request("GET", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=2")
    assert sent == [
        "http://127.0.0.1:8080/staging/2010-04-01/Accounts/AC1/Messages.json?PageSize=2"
    ]
    with pytest.raises(ValueError):
        HostRewritingHttpClient("api.example.org")


def test_a_base_url_that_is_no_url_is_reported_clearly(purge_settings):
    settings = Settings(**{**purge_settings, "twilio_api_base_url": "api.example.org"})
    assert Purger(settings, None, lock=ThreadLock()).run_once().error == "bad_base_url"
