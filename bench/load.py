"""Sustained load on the real gunicorn server: signed, realistic texts over keep-alive connections.

    .venv/bin/python -m bench.load --seconds 60 --connections 16

Starts `gunicorn -c gunicorn.conf.py wsgi:app` on a free loopback port with a throwaway token and
a temporary SQLite database, drives POST /sms from N threads (http.client, one keep-alive
connection each) for --seconds (after --warmup) or --max-requests, whichever comes first, then
stops the server and reports requests, errors (non-200, or a body that is not TwiML), req/s and
latency percentiles. Texts come from the labelled dev messages when BENCH_DEV_MESSAGES names
them (bench/corpus.py; read at run time, never copied), else tests/corpus/batch-0.jsonl, plus
generated ones; senders vary and
RATE_LIMIT is set high so the limiter runs but never silences anyone.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

from bench import HOST, ROOT
from bench.corpus import corpus_texts
from bench.harness import BARE_APP, BOT_APP, cpu_seconds, free_port, start_server

#: Distinct senders, so the per-sender limiter keeps state as it would for real traffic.
SENDERS = 5_000
#: Extra seconds past --seconds after which the whole run is abandoned and the server killed.
HARD_STOP_MARGIN = 60.0


def _generated_texts(rng: random.Random, count: int) -> list[str]:
    """Keyword mixtures, typos, menu numbers, opt-outs, emoji and long rambling texts."""
    from bot.core.library import load_library_dir

    library = load_library_dir(ROOT)
    keywords = [kw for t in library.topics for kws in t.keywords.values() for kw in kws]
    filler = "please i need help my boss the job they said no money today".split()
    texts = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.5:
            words = [*rng.sample(filler, rng.randint(0, 6)), rng.choice(keywords)]
            rng.shuffle(words)
            text = " ".join(words)
        elif kind < 0.65:
            kw = rng.choice(keywords)
            i = rng.randrange(len(kw))
            text = kw[:i] + kw[i + 1 :]  # a dropped letter
        elif kind < 0.75:
            text = rng.choice(["1", "2", "3", "#4", "menu", "MENU", "hola", "hi"])
        elif kind < 0.78:
            text = rng.choice(["STOP", "stop", "Cancel"])
        elif kind < 0.9:
            text = " ".join(rng.choice(keywords) for _ in range(rng.randint(2, 5))) + " 🙏"
        else:
            text = " ".join(rng.choice(filler + keywords) for _ in range(rng.randint(40, 250)))
        texts.append(text[:1600])
    return texts


def _prepare(
    token: str, url: str, texts: list[str], rng: random.Random, count: int
) -> list[tuple[bytes, str]]:
    """Form bodies as Twilio sends them, each with its X-Twilio-Signature."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(token)
    prepared = []
    for _ in range(count):
        params = {
            "ToCountry": "US",
            "SmsMessageSid": "SM" + secrets.token_hex(16),
            "NumMedia": "0",
            "Body": rng.choice(texts),
            "From": f"+1555{rng.randrange(SENDERS):07d}",
            "To": "+15559990000",
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "0" * 32,
            "NumSegments": "1",
            "ApiVersion": "2010-04-01",
        }
        prepared.append((urlencode(params).encode(), validator.compute_signature(url, params)))
    return prepared


class Worker(threading.Thread):
    """One client connection posting prepared requests back to back until told to stop."""

    def __init__(self, port: int, prepared: list, start_at: int, run: Run) -> None:
        super().__init__(daemon=True)
        self.port, self.prepared, self.index, self.run_state = port, prepared, start_at, run
        self.latencies: list[float] = []
        self.requests = 0
        self.errors = 0
        self.error_kinds: dict[str, int] = {}

    def _error(self, kind: str) -> None:
        if self.run_state.measuring:
            self.errors += 1
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def run(self) -> None:
        run = self.run_state
        conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
        while not run.stop.is_set():
            body, signature = self.prepared[self.index % len(self.prepared)]
            self.index += 1
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
                "User-Agent": "TwilioProxy/1.1",
            }
            started = time.perf_counter()
            try:
                conn.request("POST", "/sms", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._error(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection(HOST, self.port, timeout=15)
                continue
            elapsed = time.perf_counter() - started
            if not run.measuring:
                continue
            if not run.take():
                break
            self.requests += 1
            self.latencies.append(elapsed)
            if response.status != 200:
                self._error(f"HTTP {response.status}")
                continue
            try:
                if ET.fromstring(data).tag != "Response":
                    self._error("not TwiML")
            except ET.ParseError:
                self._error("not XML")
        conn.close()


class Run:
    """Shared state of a run: whether it is measuring yet, when to stop, the request budget."""

    def __init__(self, max_requests: int) -> None:
        self.stop = threading.Event()
        self.measuring = False
        self._left = max_requests
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                self.stop.set()
                return False
            self._left -= 1
            return True


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


def _loadavg() -> str:
    """The 1-minute load average before the run: other work on the machine skews the figures."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def machine() -> str:
    """nproc and the CPU model, for the report."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured duration (60)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured warm-up (3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument(
        "--max-requests", type=int, default=5_000_000, help="stop after this many (5,000,000)"
    )
    parser.add_argument("--workers", type=int, default=None, help="WEB_CONCURRENCY (conf default)")
    parser.add_argument("--threads", type=int, default=None, help="GUNICORN_THREADS (conf default)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--bare",
        action="store_true",
        help="drive bench/bare_app.py instead: the Flask + gunicorn ceiling on this machine",
    )
    parser.add_argument("--seed", type=int, default=5, help="random seed of the generated texts")
    parser.add_argument(
        "--generated", type=int, default=2000, help="generated texts besides the corpus (2000)"
    )
    parser.add_argument(
        "--prepared",
        type=int,
        default=5000,
        help="signed requests prepared before the run and cycled through (5000)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600 or not 0 < args.connections <= 512 or args.max_requests < 1:
        parser.error("--seconds must be in (0, 3600], --connections in [1, 512]")
    if args.generated < 0 or args.prepared < 1:
        parser.error("--generated must be >= 0 and --prepared >= 1")

    rng = random.Random(args.seed)
    corpus, source = corpus_texts()
    texts = corpus + _generated_texts(rng, args.generated)
    port = free_port()
    token = secrets.token_hex(16)
    url = f"http://{HOST}:{port}/sms"
    prepared = _prepare(token, url, texts, rng, args.prepared)

    tmp = Path(tempfile.mkdtemp(prefix="bot-load-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RATE_LIMIT", "DATABASE"))},
        "BIND": f"{HOST}:{port}",
        "TWILIO_AUTH_TOKEN": token,
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://{HOST}:{port}",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "RATE_LIMIT": "1000000 per minute",
        "EMERGENCY_RATE_LIMIT": "1000000 per minute",
        "DEV_INSECURE": "false",
        "LOG_LEVEL": "warning",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)

    load_before = _loadavg()
    app = BARE_APP if args.bare else BOT_APP
    server = start_server("load", app, env, tmp, port=port, access_log=False)
    run = Run(args.max_requests)
    workers = [
        Worker(port, prepared, i * (len(prepared) // args.connections), run)
        for i in range(args.connections)
    ]
    hard_stop = threading.Timer(args.warmup + args.seconds + HARD_STOP_MARGIN, run.stop.set)
    hard_stop.daemon = True
    try:
        hard_stop.start()
        for worker in workers:
            worker.start()
        time.sleep(args.warmup)
        pids = server.pids()
        cpu_before, own_before = cpu_seconds(pids), time.process_time()
        run.measuring = True
        started = time.perf_counter()
        run.stop.wait(args.seconds)
        run.stop.set()
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(pids) - cpu_before
        client_cpu = time.process_time() - own_before
        load_after = _loadavg()
        for worker in workers:
            worker.join(timeout=30)
    finally:
        hard_stop.cancel()
        run.stop.set()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    latencies = sorted(lat for w in workers for lat in w.latencies)
    requests = sum(w.requests for w in workers)
    errors = sum(w.errors for w in workers)
    kinds: dict[str, int] = {}
    for w in workers:
        for kind, n in w.error_kinds.items():
            kinds[kind] = kinds.get(kind, 0) + n
    figures = {
        "seconds": round(elapsed, 2),
        "connections": args.connections,
        "gunicorn_workers": env.get("WEB_CONCURRENCY", "gunicorn.conf.py default"),
        "gunicorn_threads": env.get("GUNICORN_THREADS", "gunicorn.conf.py default"),
        "requests": requests,
        "errors": errors,
        "error_kinds": kinds,
        "requests_per_second": round(requests / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round((latencies[-1] if latencies else float("nan")) * 1000, 2),
        "texts": len(texts),
        "corpus": source,
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "server_cpu_seconds": round(server_cpu, 1),
        "client_cpu_seconds": round(client_cpu, 1),
        # CPU per request does not depend on what else the machine runs, unlike req/s.
        "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 2) if requests else None,
        "app": "bench/bare_app.py" if args.bare else "wsgi:app",
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(
            f"machine:     {figures['machine']}; load average before {load_before},"
            f" after {load_after}"
        )
        print(f"app:         {figures['app']} under gunicorn -c gunicorn.conf.py")
        print(f"texts:       {len(corpus)} from {source} + {len(texts) - len(corpus)} generated")
        print(
            f"load:        {args.connections} keep-alive connections for {elapsed:.1f} s "
            f"(after {args.warmup:g} s warm-up); gunicorn workers {figures['gunicorn_workers']}, "
            f"threads {figures['gunicorn_threads']}"
        )
        print(f"requests:    {requests}")
        print(f"errors:      {errors} {kinds if kinds else ''}".rstrip())
        print(f"throughput:  {figures['requests_per_second']} req/s")
        print(
            f"latency:     p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
            f"max {figures['max_ms']} ms"
        )
        print(
            f"server CPU:  {figures['server_cpu_seconds']} s in gunicorn ="
            f" {figures['server_cpu_ms_per_request']} ms per request"
            f" (load generator: {figures['client_cpu_seconds']} s)"
        )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
