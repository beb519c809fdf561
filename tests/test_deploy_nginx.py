"""deploy/nginx-bot.conf in front of a real gunicorn: stalled clients cannot starve the bot."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from bench.harness import Server, start_server
from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

CONFIG = PROJECT_ROOT / "deploy" / "nginx-bot.conf"
HOST = "127.0.0.1"
#: More stalled connections than gunicorn.conf.py's 2 workers x 4 threads can serve, several
#: times over: 30 of each kind of slow client below.
STALLED = 30
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
    env: dict[str, str] = field(default_factory=dict)


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


@contextmanager
def running_stack(**settings: str) -> Iterator[Stack]:
    """gunicorn as production runs it behind the shipped site, with these bot settings."""
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
        "DATABASE_URL": f"sqlite:///{prefix / 'bot.sqlite3'}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "warning",
        **settings,
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
        yield Stack(proxy_port, app_port, token, prefix, env)
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


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """gunicorn as production runs it (PROXY_HOPS=1, no PUBLIC_BASE_URL), behind the shipped site."""
    with running_stack(PROXY_HOPS="1") as running:
        yield running


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


def slow_headers(port: int, count: int) -> list[socket.socket]:
    """Connections that send a request line and part of the headers, then nothing more."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((HOST, port), timeout=5)
        sock.sendall(b"POST /sms HTTP/1.1\r\nHost: " + f"{HOST}:{port}".encode() + b"\r\nX-Tw")
        sockets.append(sock)
    return sockets


def trickle_bodies(port: int, count: int, stop: threading.Event) -> list[threading.Thread]:
    """Clients that send a signed-looking POST's body a byte a second, each byte well within
    nginx's 10 s between reads, so it keeps them all; they stop when told."""

    def one() -> None:
        try:
            with socket.create_connection((HOST, port), timeout=5) as sock:
                sock.sendall(
                    b"POST /sms HTTP/1.1\r\nHost: " + f"{HOST}:{port}".encode() + b"\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"X-Twilio-Signature: bm90IGEgc2lnbmF0dXJl\r\n"
                    b"Content-Length: 4096\r\n\r\n"
                )
                while not stop.wait(1.0):
                    sock.sendall(b"B")
        except OSError:
            pass  # nginx closed it, or the test ended

    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server closes the connection (maybe after an error page) within `within` s."""
    sock.settimeout(within)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            if not sock.recv(4096):
                return True
    except TimeoutError:
        return False
    except OSError:
        return True
    return False


def test_texts_and_healthz_answer_promptly_beside_30_stalled_30_slow_header_and_30_trickling_clients(
    stack: Stack,
) -> None:
    stop = threading.Event()
    stalled = stall(stack.proxy_port, STALLED) + slow_headers(stack.proxy_port, STALLED)
    trickling = trickle_bodies(stack.proxy_port, STALLED, stop)
    try:
        time.sleep(2.5)  # every slow client is connected and has sent a byte or two
        for attempt in range(5):
            started = time.monotonic()
            status, body = signed_text(stack, f"my boss took my passport {attempt}")
            assert status == 200, body
            assert ET.fromstring(body).find("Message") is not None
            assert healthz(stack.proxy_port) == 200
            assert time.monotonic() - started < PROMPT_SECONDS
    finally:
        stop.set()
        for sock in stalled:
            sock.close()
        for thread in trickling:
            thread.join(5)


def test_nginx_drops_clients_whose_headers_or_bodies_stop_coming_after_its_timeouts(
    stack: Stack,
) -> None:
    # client_header_timeout and client_body_timeout are 10 s in the shipped file.
    headers, bodies = slow_headers(stack.proxy_port, 3), stall(stack.proxy_port, 3)
    try:
        started = time.monotonic()
        assert all(_closed_by_server(sock, 16.0 - (time.monotonic() - started)) for sock in headers)
        assert all(_closed_by_server(sock, 16.0 - (time.monotonic() - started)) for sock in bodies)
        assert time.monotonic() - started >= 9.0  # not before the timeout either
    finally:
        for sock in headers + bodies:
            sock.close()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login_from(stack: Stack, source: str, name: str, password: str) -> int:
    """Log in to the console through nginx from a loopback source address of our choice (nginx
    sets X-Forwarded-For to it); the status of the login POST."""

    def connection() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            HOST, stack.proxy_port, timeout=PROMPT_SECONDS, source_address=(source, 0)
        )

    conn = connection()
    conn.request("GET", "/console/login")
    page = conn.getresponse()
    body = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    conn.close()
    form = urlencode({"username": name, "password": password, "csrf_token": _CSRF.search(body)[1]})
    conn = connection()
    conn.request(
        "POST",
        "/console/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    status = conn.getresponse().status
    conn.close()
    return status


def test_behind_the_shipped_nginx_one_clients_failed_logins_lock_out_no_other_client() -> None:
    # The deployment the README calls simplest: PUBLIC_BASE_URL set, PROXY_HOPS=0 (the default).
    with running_stack(
        PUBLIC_BASE_URL="https://bot.example.org", CONSOLE_LOGIN_LIMIT="5 per 15 minutes"
    ) as running:
        added = subprocess.run(
            [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "users", "add", "ana",
             "--role", "editor"],
            input="a long enough password\na long enough password\n", cwd=PROJECT_ROOT,
            env=running.env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stdout + added.stderr
        for i in range(12):  # past the limits of one address, whatever names it tries
            assert _login_from(running, "127.0.0.2", f"nobody{i}", "wrong password!") == 401
        assert _login_from(running, "127.0.0.3", "ana", "a long enough password") == 302
