"""gunicorn run as production runs it, on loopback, and requests signed as Twilio signs them."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench import BASE_URL, HOST, ROOT, TOKEN

VENV_BIN = Path(sys.executable).parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: The reference app beside the bot: Flask answering one constant TwiML reply.
BARE_APP = "bench.bare_app:app"
BOT_APP = "wsgi:app"


def signed_requests(
    texts: list[str], senders: int = 200, batch: int = 0, count: int | None = None
) -> list[tuple[bytes, str]]:
    """(form body, X-Twilio-Signature) per text, signed for BASE_URL/sms with the bench token.

    `count` requests (default: one per text, the texts taken in turn), each with a MessageSid of
    its own within a batch; give each load run its own `batch`. The bot answers a MessageSid once
    and a repeat with silence, which costs less, so a bench that sent a request twice would
    measure replays, not texts.
    """
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(TOKEN)
    out = []
    for i in range(len(texts) if count is None else count):
        text = texts[i % len(texts)]
        params = {
            "From": f"+1206555{i % senders:04d}",
            "To": "+12065550100",
            "Body": text,
            "MessageSid": f"SM{batch:08x}{i:024x}",
            "NumMedia": "0",
        }
        signature = validator.compute_signature(f"{BASE_URL}/sms", params)
        out.append((urllib.parse.urlencode(params).encode(), signature))
    return out


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (0 for any that is gone)."""
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


@dataclass
class Server:
    """A gunicorn master with its workers, its output in a log file."""

    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    def pids(self) -> list[int]:
        """The gunicorn master and its workers."""
        pids = [self.proc.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def worker_cpu(self) -> dict[int, float]:
        """CPU seconds (user + system) of each worker so far."""
        out = {}
        for pid in self.pids()[1:]:
            try:
                fields = _stat_fields(pid)
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        return out

    def cpu_times(self) -> tuple[float, float]:
        """User and system CPU seconds of the master and workers so far."""
        user = system = 0
        for pid in self.pids():
            try:
                fields = _stat_fields(pid)
            except OSError:
                continue
            user, system = user + int(fields[11]), system + int(fields[12])
        return user / CLK_TCK, system / CLK_TCK

    def rss_mb(self) -> list[float]:
        """Each worker's resident size, in MB."""
        out = []
        for pid in self.pids()[1:]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return out

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's output, for a diagnosis."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 30 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


#: How long a server may take to answer /healthz ok after it is started.
STARTUP_SECONDS = 180


def start_server(
    name: str,
    app: str,
    env: dict[str, str],
    tmp: Path,
    *,
    port: int | None = None,
    access_log: bool = True,
) -> Server:
    """Start gunicorn with the repository's gunicorn.conf.py on a free loopback port, its output
    in tmp/<name>.log (without the access log, one line per request, unless access_log), and
    wait until /healthz says ok."""
    port = port or free_port()
    log = tmp / f"{name}.log"
    env = dict(env, BIND=f"{HOST}:{port}")
    cmd = [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out if access_log else subprocess.DEVNULL,
            stderr=subprocess.STDOUT if access_log else out,
        )
    server = Server(name, port, proc, log)
    # A first start publishes the bundled library, training its reader on nine languages'
    # examples (about 15 s on a quiet 2-core machine, several times that on a loaded one).
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited ({proc.returncode}):\n{server.log_tail()}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            body = json.loads(response.read() or b"{}")
            conn.close()
            if response.status == 200 and body.get("status") == "ok":
                return server
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(
        f"{name} did not answer /healthz ok within {STARTUP_SECONDS} s:\n{server.log_tail()}"
    )


def gunicorn_settings(env: dict[str, str]) -> str:
    """The worker class, workers and threads gunicorn.conf.py gives under this environment."""
    code = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py');"
        "print(json.dumps({k: c.get(k) for k in ('worker_class', 'workers', 'threads', "
        "'keepalive', 'accesslog')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return out.stdout.strip() or out.stderr.strip()[-300:]
