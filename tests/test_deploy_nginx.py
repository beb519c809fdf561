"""deploy/nginx-bot.conf in front of a real gunicorn: stalled clients cannot starve the bot."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from bench.harness import Server, start_server
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

CONFIG = PROJECT_ROOT / "deploy" / "nginx-bot.conf"
HOST = "127.0.0.1"
#: More stalled connections than gunicorn.conf.py's 2 workers x 4 threads can serve.
STALLED = 12
#: How long one answer may take while the stalled connections are open. Far above a normal
#: answer (milliseconds) and far below how long a stall lasts (nginx drops one after 10 s;
#: straight at gunicorn it holds a thread for gunicorn's whole timeout).
PROMPT_SECONDS = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        message = (
            "nginx is not installed: apt-get install -y nginx-light, then "
            "pytest tests/test_deploy_nginx.py"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so the proxy test must run", pytrace=False)
        pytest.skip(message)
    return found


def _replace_once(text: str, old: str, new: str) -> str:
    """The shipped file with one line swapped for the test; fails if the line is not there once."""
    assert text.count(old) == 1, f"{CONFIG.name} no longer has exactly one {old!r}"
    return text.replace(old, new)


def site_config(shipped: str, proxy_port: int, app_port: int, logs: Path) -> str:
    """The shipped site with only its ports and log paths moved to the test's."""
    site = _replace_once(shipped, "server 127.0.0.1:8000;", f"server {HOST}:{app_port};")
    site = _replace_once(site, "listen 80;", f"listen {HOST}:{proxy_port};")
    site = _replace_once(site, "/var/log/nginx/bot-access.log", str(logs / "access.log"))
    return _replace_once(site, "/var/log/nginx/bot-error.log", str(logs / "error.log"))


def main_config(prefix: Path, site: Path) -> str:
    """A minimal nginx.conf standing in for Debian's: everything it writes stays under prefix."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
{temp}
    include {site};
}}
"""


@dataclass
class Stack:
    """nginx on proxy_port in front of gunicorn on app_port, both on loopback."""

    proxy_port: int
    app_port: int
    token: str
    prefix: Path


def _wait_healthy(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not answer /healthz")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """gunicorn as production runs it (PROXY_HOPS=1, no PUBLIC_BASE_URL), behind the shipped site."""
    nginx = _nginx()
    prefix = Path(tempfile.mkdtemp(prefix="bot-nginx-"))
    app_port, proxy_port = _free_port(), _free_port()
    token = secrets.token_hex(16)
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(
                ("RATE_LIMIT", "EMERGENCY_", "DATABASE", "PUBLIC_BASE", "PROXY", "DEV_")
            )
        },
        "BIND": f"{HOST}:{app_port}",
        "TWILIO_AUTH_TOKEN": token,
        "SECRET_KEY": secrets.token_hex(32),  # the console requires one with a token
        "PROXY_HOPS": "1",
        "DATABASE_URL": f"sqlite:///{prefix / 'bot.sqlite3'}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "warning",
    }
    server: Server | None = None
    proxy: subprocess.Popen | None = None
    try:
        # gunicorn's own output goes to prefix/bot.log, which the privacy test reads as well.
        server = start_server("bot", "wsgi:app", env, prefix, port=app_port, access_log=False)
        site = prefix / "bot-site.conf"
        site.write_text(site_config(CONFIG.read_text(), proxy_port, app_port, prefix))
        conf = prefix / "nginx.conf"
        conf.write_text(main_config(prefix, site))
        command = [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "start.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        proxy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_healthy(proxy_port, proxy, "nginx")
        yield Stack(proxy_port, app_port, token, prefix)
    finally:
        if proxy is not None and proxy.poll() is None:
            proxy.terminate()
            try:
                proxy.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proxy.kill()
                proxy.wait()
        if server is not None:
            server.stop()
        shutil.rmtree(prefix, ignore_errors=True)


def stall(port: int, count: int) -> list[socket.socket]:
    """Connections that send a POST's headers and a little of its body, then nothing more.

    They carry an X-Twilio-Signature (a wrong one): without it the bot refuses a request before
    reading its body, so only a signed-looking request makes gunicorn wait for the body.
    """
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((HOST, port), timeout=5)
        sock.sendall(
            b"POST /sms HTTP/1.1\r\nHost: " + f"{HOST}:{port}".encode() + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"X-Twilio-Signature: bm90IGEgc2lnbmF0dXJl\r\n"
            b"Content-Length: 4096\r\n\r\nBody=slow"
        )
        sockets.append(sock)
    return sockets


def signed_text(stack: Stack, text: str, query: str = "") -> tuple[int, bytes]:
    """POST a Twilio-signed text through nginx, signed for the URL Twilio would call."""
    path = "/sms" + (f"?{query}" if query else "")
    url = f"http://{HOST}:{stack.proxy_port}{path}"
    params = {"Body": text, "From": "+15550000000", "To": "+15550000001", "NumMedia": "0"}
    signature = RequestValidator(stack.token).compute_signature(url, params)
    conn = http.client.HTTPConnection(HOST, stack.proxy_port, timeout=PROMPT_SECONDS)
    try:
        conn.request(
            "POST",
            path,
            body=urlencode(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def healthz(port: int) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=PROMPT_SECONDS)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status
    finally:
        conn.close()


def test_signed_texts_and_healthz_answer_promptly_while_clients_stall_their_bodies(
    stack: Stack,
) -> None:
    stalled = stall(stack.proxy_port, STALLED)
    try:
        time.sleep(1.0)  # let every stalled request reach nginx (and, without it, gunicorn)
        for attempt in range(3):
            status, body = signed_text(stack, f"my boss took my passport {attempt}")
            assert status == 200, body
            reply = ET.fromstring(body)
            assert reply.tag == "Response"
            assert reply.find("Message") is not None  # matched and answered, not refused
            assert healthz(stack.proxy_port) == 200
    finally:
        for sock in stalled:
            sock.close()


def test_proxy_hops_1_rebuilds_the_url_twilio_signed_and_a_wrong_signature_is_refused(
    stack: Stack,
) -> None:
    status, _ = signed_text(stack, "housing")
    assert status == 200
    wrong = Stack(stack.proxy_port, stack.app_port, "not-the-token", stack.prefix)
    status, _ = signed_text(wrong, "housing")
    assert status == 403


def test_proxy_logs_no_query_string_no_body_and_writes_no_body_to_disk(stack: Stack) -> None:
    canary_query = "canary=" + secrets.token_hex(8)
    canary_body = "canary" + secrets.token_hex(8)
    status, _ = signed_text(stack, canary_body, query=canary_query)
    assert status == 200
    # nginx writes its access line when the request ends; give its worker a moment.
    access = stack.prefix / "access.log"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "/sms" not in access.read_text():
        time.sleep(0.1)
    assert '"POST /sms" 200' in access.read_text()
    assert HOST.encode() not in access.read_bytes()  # no client address either
    for written in stack.prefix.rglob("*"):
        if written.is_file():
            content = written.read_bytes()
            assert canary_query.encode() not in content, written
            assert canary_body.encode() not in content, written
    assert not any((stack.prefix / "client_body").rglob("*"))  # no body spilled to a temp file
