"""Under real gunicorn: each forked worker runs a sweeper, and every record is deleted exactly once."""

from __future__ import annotations

import http.client
import json
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from tests import app_library, as_twilio
from tests.gunicorn_server import running_gunicorn


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.slow
def test_gunicorn_workers_sweep_one_at_a_time_and_delete_each_record_once(
    fake, tmp_path, library_dir
):
    old = timedelta(minutes=90)
    for i in range(40):
        fake.add(age=old + timedelta(seconds=i), inbound=i % 2 == 0)
    not_final = fake.add(age=old, final=False)
    with running_gunicorn(
        tmp_path,
        library_dir,
        workers=3,
        secret_key="purge-test-secret-key-0123456789",
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_API_KEY=fake.api_key,
        TWILIO_API_SECRET=fake.api_secret,
        TWILIO_API_BASE_URL=fake.url,
        PURGE_EVERY_SECONDS="0.2",
    ) as (port, proc):
        deadline = time.monotonic() + 30
        while fake.remaining() != {not_final}:
            assert proc.poll() is None, (tmp_path / "gunicorn.out").read_text()
            assert time.monotonic() < deadline, "the workers did not purge the records"
            time.sleep(0.1)
        log_file = tmp_path / "bot.log"
        while log_file.read_text().count("purge sweep") < 5:  # more sweeps, by any worker
            assert time.monotonic() < deadline + 30, "the workers stopped sweeping"
            time.sleep(0.1)
        params = as_twilio.params("my boss took my passport")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            "/sms",
            body=urlencode(params),
            headers={
                "X-Twilio-Signature": as_twilio.sign(as_twilio.URL + "/sms", params),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        reply = conn.getresponse()
        body = reply.read()
        conn.close()
        status, health = _get(port, "/healthz")
    assert reply.status == 200 and app_library.REPLIES["labor/en"].encode() in body
    assert status == 200 and json.loads(health)["purge"]["thread_alive"] is True
    assert len(fake.deleted) == 40 and max(fake.deleted.values()) == 1
    assert fake.statuses[404] == 0  # no worker tried a record another had deleted
