"""Webhook throughput: the bot against a bare Flask app, under the same gunicorn settings.

Starts two servers on free loopback ports with the project's gunicorn.conf.py (same worker class,
workers and threads for both):

  A  bench/bare_app.py: POST /sms answers a constant TwiML reply (no signature, no matching)
  B  the bot (wsgi:app) with TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL, a temp SQLite DATABASE_URL, a
     rate limit far above the load, and a 1,000-keyword library from bench/matcher_scale.py's
     generator published with `flask --app wsgi library publish DIR --comment bench`

then drives both with the same correctly signed, form-encoded POST /sms requests (realistic texts:
dev messages, keywords in sentences, typos, misses, long texts), alternating A and B (ABBA order)
over several rounds. Prints req/s, p50/p99 latency, the server CPU time per request (from
/proc/<pid>/stat of the gunicorn master and workers), each worker's share of it, and the B/A
ratios; a round in which one worker took all the connections is repeated (see LOPSIDED_SHARE).
The load generator is wrk with a Lua script of pre-signed requests when `wrk` is on PATH
(apt-get install -y wrk), else a Python keep-alive http.client generator in separate processes;
both cost the same for A and B.

    .venv/bin/python -m bench.throughput                       # 6 rounds x 10 s per server
    .venv/bin/python -m bench.throughput --rounds 2 --seconds 5
    .venv/bin/python -m bench.throughput --profile 10          # + py-spy on the bot for 10 s
    .venv/bin/python -m bench.throughput --examples            # + the shipped examples: the reader reads

Loopback only; every load run is bounded in time (--seconds) and count (--max-requests).
Prints figures only; the 0.85x target is reported as PASS/FAIL, never asserted.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import BASE_URL, HOST, ROOT, SECRET_KEY, TOKEN
from bench.harness import (
    BARE_APP,
    VENV_BIN,
    Server,
    gunicorn_settings,
    signed_requests,
    start_server,
)
from bench.matcher_scale import SIZES, generate_bundle, generate_messages
from bot.core.library import load_library, write_bundle

TARGET_RATIO = 0.85


# --- requests --------------------------------------------------------------------------------


def post(port: int, body: bytes, signature: str) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("POST", "/sms", body, _headers(signature))
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def _headers(signature: str) -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }


#: A round in which one worker used more than this share of the server's CPU is repeated (at most
#: MAX_REPEATS times). wrk opens all its keep-alive connections at once, and now and then one
#: gunicorn worker accepts all of them: that round measures one worker, at about half the speed
#: of two, for whichever server it falls on, and it swung single rounds' B/A from 0.4x to 2.7x.
LOPSIDED_SHARE = 0.75
MAX_REPEATS = 2
#: Signed requests made for each load run, each sent at most once (the most a run may send).
RUN_REQUESTS = 60_000


def worker_shares(before: dict[int, float], after: dict[int, float]) -> list[float]:
    """Each worker's share of the CPU the workers used between two readings."""
    used = [after[pid] - before.get(pid, 0.0) for pid in sorted(after)]
    total = sum(used)
    return [u / total for u in used] if total > 0 else []


# --- load generators -------------------------------------------------------------------------


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    client_cpu: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk_script(requests: list[tuple[bytes, str]], max_per_thread: int, path: Path) -> None:
    """A Lua script cycling through pre-formatted signed requests, stopping after a count."""

    def lua(s: str | bytes) -> str:
        s = s.decode() if isinstance(s, bytes) else s
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    rows = ",\n".join(f"  {{{lua(body)}, {lua(sig)}}}" for body, sig in requests)
    path.write_text(
        f"""-- generated by bench/throughput.py: pre-signed POST /sms requests
local signed = {{
{rows}
}}
local reqs = {{}}
local index = 0
local sent = 0
local max_requests = {max_per_thread}

function init(args)
  for i, r in ipairs(signed) do
    reqs[i] = wrk.format("POST", "/sms", {{
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Twilio-Signature"] = r[2],
    }}, r[1])
  end
  index = math.random(#reqs) - 1
end

function request()
  sent = sent + 1
  if sent > max_requests then
    wrk.thread:stop()
  end
  index = index % #reqs + 1
  return reqs[index]
end
"""
    )


def run_wrk(port: int, script: Path, seconds: float, connections: int, threads: int) -> LoadResult:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        f"http://{HOST}:{port}/sms",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = re.search(r"(\d+) requests in ([\d.]+)(\w+),", out)
    if not done:
        raise SystemExit(f"could not read wrk output:\n{out}")
    took = float(done.group(2)) * {"ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return LoadResult(int(done.group(1)), took, _wrk_ms(lat["50"]), _wrk_ms(lat["99"]), errors, cpu)


def _py_worker(args: tuple[int, list[tuple[bytes, str]], float, int, int, int, int]) -> dict:
    """One load process: `threads` keep-alive connections, each posting until time or count."""
    port, requests, seconds, threads, max_requests, seed, processes = args
    t_cpu = time.process_time()
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def loop(k: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        mine: list[float] = []
        bad = 0
        # This thread's own share of the requests, each sent once (the bot answers a MessageSid
        # once; a repeat would be a cheaper replay): seed is the process, k the thread.
        mine_to_send = requests[seed * threads + k :: threads * processes]
        for body, sig in mine_to_send:
            if time.monotonic() >= deadline or len(mine) >= max_requests:
                break
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/sms", body, _headers(sig))
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    pool = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
    t0 = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {
        "latencies": latencies,
        "errors": errors[0],
        "seconds": time.monotonic() - t0,
        "cpu": time.process_time() - t_cpu,
    }


def run_python(
    pool: multiprocessing.pool.Pool,
    port: int,
    requests: list[tuple[bytes, str]],
    seconds: float,
    connections: int,
    processes: int,
    max_requests: int,
) -> LoadResult:
    per = max(1, connections // processes)
    jobs = [
        (port, requests, seconds, per, max_requests // connections + 1, p, processes)
        for p in range(processes)
    ]
    parts = pool.map(_py_worker, jobs)
    lat = sorted(x for p in parts for x in p["latencies"])
    took = max(p["seconds"] for p in parts)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3 if lat else float("nan")  # noqa: E731
    return LoadResult(
        len(lat),
        took,
        pick(0.50),
        pick(0.99),
        sum(p["errors"] for p in parts),
        sum(p["cpu"] for p in parts),
    )


# --- profile ---------------------------------------------------------------------------------

# Where a sampled frame belongs, by its file (py-spy writes "function (package/file.py:line)").
# Each sample goes to the innermost frame that belongs somewhere, so re.sub called from the
# privacy filter counts as logging, and hmac called from twilio as signature validation.
CATEGORIES = [
    ("signature validation", r"\((twilio/request_validator|hmac|hashlib|base64)\.py|_signature_"),
    ("matching (bot/core)", r"\(bot/core/"),
    ("TwiML", r"\((twilio/twiml|xml)/"),
    ("rate limiter", r"\((bot/ratelimit\.py|limits/)"),
    ("daily counts (bot/live)", r"\(bot/live/"),
    ("logging (access log, scrub)", r"\((logging/|gunicorn/glogging|bot/privacy)"),
    ("form parsing", r"\((werkzeug/(formparser|sansio/multipart|datastructures|urls)|urllib/)"),
    ("Twilio endpoint (bot/channels)", r"\(bot/channels/"),
    ("Flask / werkzeug", r"\((flask|werkzeug)/"),
    ("gunicorn HTTP + workers", r"\((gunicorn|concurrent|selectors|socket|threading)"),
]


def py_spy_profile(server: Server, seconds: float, out: Path) -> subprocess.Popen | None:
    """Start py-spy on the master and its workers; --gil: only the thread running Python."""
    exe = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    if not Path(exe).exists():
        print("\npy-spy not found: `.venv/bin/pip install py-spy` to profile (not a dependency)")
        return None
    cmd = [
        exe, "record", "--pid", str(server.proc.pid), "--subprocesses", "--gil",
        "--rate", str(PROFILE_RATE), "--duration", str(int(seconds)), "--format", "raw",
        "--output", str(out), "--nonblocking",
    ]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


PROFILE_RATE = 500


@dataclass
class Profile:
    requests: int
    samples: int
    by_category: collections.Counter[str]
    by_frame: collections.Counter[str]

    def us_per_request(self, n: int) -> float:
        return n / PROFILE_RATE / max(self.requests, 1) * 1e6


def read_profile(raw: Path, requests: int) -> Profile:
    """Samples of request threads (under gunicorn's ThreadWorker.handle), by category and frame."""
    cats: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if not any(f.startswith("ThreadWorker.handle ") for f in frames):
            continue  # the reload thread, the worker's main loop, the master
        n = int(count)
        total += n
        own[_short(frames[-1])] += n
        for f in reversed(frames):
            label = next((lbl for lbl, p in CATEGORIES if re.search(p, f)), None)
            if label:
                cats[label] += n
                break
        else:
            cats["other"] += n
    return Profile(requests, total, cats, own)


def print_profiles(profiles: dict[str, Profile], top: int = 20) -> None:
    names = list(profiles)
    print(
        f"\nprofile (py-spy --gil, {PROFILE_RATE} Hz: Python time holding the GIL in request "
        "threads, each sample to its innermost category), us per request:"
    )
    print(f"  {'':32}" + "".join(f"{n:>16}" for n in names))
    labels = [lbl for lbl, _ in CATEGORIES] + ["other"]
    for label in labels:
        cells = []
        for name in names:
            p = profiles[name]
            n = p.by_category[label]
            cells.append(f"{p.us_per_request(n):8.0f} ({n / max(p.samples, 1):4.0%})")
        print(f"  {label:32}" + "".join(f"{c:>16}" for c in cells))
    print(
        f"  {'total':32}"
        + "".join(f"{profiles[n].us_per_request(profiles[n].samples):8.0f}       " for n in names)
    )
    for name in names:
        p = profiles[name]
        print(f"  top {top} frames by self time, {name} ({p.requests} requests):")
        for frame, n in p.by_frame.most_common(top):
            print(f"    {n / max(p.samples, 1):6.1%} {p.us_per_request(n):6.0f} us  {frame}")


def _short(frame: str) -> str:
    return frame


# --- in-process cost of one request -----------------------------------------------------------


def _plain_signature(token: bytes, url: str, form) -> str:
    """Twilio's X-Twilio-Signature (HMAC-SHA1 of the URL and sorted form pairs), computed once:
    the floor of what checking a signature costs, to compare twilio's validator with."""
    import base64
    import hashlib
    import hmac

    data = url + "".join(k + v for k in sorted(form) for v in sorted(set(form.getall(k))))
    return base64.b64encode(hmac.new(token, data.encode(), hashlib.sha1).digest()).decode()


def environ_templates(requests: list[tuple[bytes, str]]) -> list[tuple[dict, bytes]]:
    """A WSGI environ for POST /sms per signed request, with its body to put in wsgi.input."""
    from werkzeug.test import EnvironBuilder

    return [
        (
            EnvironBuilder(
                path="/sms",
                method="POST",
                data=body,
                content_type="application/x-www-form-urlencoded",
                headers={"X-Twilio-Signature": signature},
            ).get_environ(),
            body,
        )
        for body, signature in requests
    ]


def wsgi_costs(
    bot_env: dict[str, str],
    requests: list[tuple[bytes, str]],
    passes: int = 5,
    texts: list[str] | None = None,
) -> dict[str, float]:
    """Median microseconds per request of each app called as WSGI in this process, one thread,
    no server and no access log; and of the bot's parts (form parsing, signature, matching).
    The bot's own call gets requests of fresh MessageSids in every pass (from `texts`): it
    answers a repeated one as a replay, with silence, which would cost less."""
    from io import BytesIO

    from twilio.request_validator import RequestValidator
    from werkzeug.wrappers import Request

    from bench import bare_app
    from bot import create_app, runtime
    from bot.core.matcher import match
    from bot.settings import Settings

    settings = Settings.from_env(dict(bot_env, LOG_LEVEL="WARNING"))
    bot_app = create_app(settings)
    live = runtime(bot_app).live
    live.start()
    matcher = live.snapshot.matcher

    templates = environ_templates(requests)

    def call(app, env: dict, body: bytes) -> None:
        environ = dict(env, **{"wsgi.input": BytesIO(body)})
        out = app(environ, lambda status, headers, exc_info=None: None)
        for _ in out:
            pass
        getattr(out, "close", lambda: None)()

    from bot.channels.endpoint import read_form, signature_ok

    def body_env(i: int) -> dict:
        return dict(templates[i][0], **{"wsgi.input": BytesIO(templates[i][1])})

    max_length = bot_app.config["MAX_CONTENT_LENGTH"]
    forms = [read_form(body_env(i), max_length) for i in range(len(templates))]
    validator = runtime(bot_app).validator
    token = TOKEN.encode()
    sms_url = f"{BASE_URL}/sms"
    fresh = [
        environ_templates(signed_requests(texts or [], batch=10_000 + p, count=len(requests)))
        for p in range(passes + 1)
    ]
    now = [0]  # the pass running: its own set of fresh requests for the bot's call
    parts = {
        "A-bare WSGI call": lambda i: call(bare_app.app, *templates[i]),
        "B-bot WSGI call": lambda i: call(bot_app, *fresh[now[0]][i]),
        "  form parsing (bot)": lambda i: read_form(body_env(i), max_length),
        "  form parsing (werkzeug)": lambda i: Request(body_env(i)).form,
        "  signature check (bot)": lambda i: signature_ok(
            validator, templates[i][0], sms_url, forms[i]
        ),
        "  signature, twilio's validate()": lambda i: RequestValidator(TOKEN).validate(
            sms_url, forms[i], requests[i][1]
        ),
        "  signature, one plain HMAC": lambda i: _plain_signature(token, sms_url, forms[i]),
        "  matching": lambda i: match(forms[i].first("Body")[:1600], matcher),
    }
    limiter = runtime(bot_app).limiter
    parts["  rate limiter allow()"] = lambda i: limiter.allow(forms[i].first("From"), "labor")
    out = {}
    clock = time.perf_counter_ns
    for name, fn in parts.items():
        now[0] = passes
        for i in range(len(requests)):  # warm-up
            fn(i)
        per_pass = []
        for number in range(passes):
            now[0] = number
            t0 = clock()
            for i in range(len(requests)):
                fn(i)
            per_pass.append((clock() - t0) / len(requests) / 1e3)
        out[name] = statistics.median(per_pass)
    live.stop(timeout=2)
    return out


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=10.0, help="per server per round")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="cap per load run")
    parser.add_argument("--keywords", type=int, default=1000)
    parser.add_argument(
        "--examples",
        action="store_true",
        help="lay the shipped examples over the generated library, so the bot reads with its reader",
    )
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--profile", type=float, default=0.0, help="py-spy seconds on the bot")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, profile)")
    parser.add_argument(
        "--bot-app",
        default="wsgi:app",
        help="the bot's WSGI app for gunicorn, for experiments (with --bot-env PYTHONPATH=...)",
    )
    parser.add_argument(
        "--no-wsgi",
        dest="wsgi",
        action="store_false",
        help="skip the in-process per-request cost of each app and of the bot's parts",
    )
    parser.add_argument(
        "--bot-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the bot only, for experiments (e.g. DAILY_COUNTS=false)",
    )
    args = parser.parse_args(argv)
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"

    tmp = Path(tempfile.mkdtemp(prefix="bot-bench-throughput-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("BIND", "PORT"))}
    if args.examples:
        from bench.reader_scale import scaled_bundle

        bundle = scaled_bundle(args.keywords, SIZES.get(args.keywords, 60))
    else:
        bundle = generate_bundle(args.keywords, SIZES.get(args.keywords, 60))
    library = load_library(bundle)
    write_bundle(bundle, tmp / "library")
    bot_env = dict(
        base_env,
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY=SECRET_KEY,
        PUBLIC_BASE_URL=BASE_URL,
        DATABASE_URL=f"sqlite:///{tmp / 'bot.sqlite3'}",
        LIBRARY_DIR=str(tmp / "library"),
        RATE_LIMIT="1000000 per 1 second",
        EMERGENCY_RATE_LIMIT="1000000 per 1 second",
    )
    bot_env.update(kv.split("=", 1) for kv in args.bot_env)
    publish = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "library", "publish", str(tmp / "library"),
         "--comment", "bench", "--by", "bench"],
        cwd=ROOT, env=bot_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if publish.returncode != 0:
        raise SystemExit(f"publish failed:\n{publish.stdout}\n{publish.stderr}")
    published = publish.stdout.strip().splitlines()[-1]

    texts = [m.text for m in generate_messages(library, 400)][:400]
    requests = signed_requests(texts)
    servers: list[Server] = []
    pool = None
    try:
        servers.append(start_server("A-bare", BARE_APP, base_env, tmp))
        servers.append(start_server("B-bot", args.bot_app, bot_env, tmp))
        bare, bot = servers

        # Check the bot answers end to end, and that it does check signatures.
        status, ctype, body = post(bot.port, *requests[0])
        if status != 200 or not ctype.startswith("application/xml") or b"<Response" not in body:
            raise SystemExit(f"bot answered {status} {ctype}: {body[:300]!r}")
        status_bad, _, _ = post(bot.port, requests[0][0], "bad" + requests[0][1])
        if status_bad != 403:
            if args.bot_app == "wsgi:app":
                raise SystemExit(f"bot answered {status_bad} to a bad signature, not 403")
            print(f"warning: {args.bot_app} does not check signatures ({status_bad})")
        status, ctype, _ = post(bare.port, *requests[0])
        if status != 200 or not ctype.startswith("application/xml"):
            raise SystemExit(f"bare app answered {status} {ctype}")

        print(f"machine: {os.cpu_count()} cpus, load average {_loadavg()}")
        print(f"gunicorn.conf.py (both servers): {gunicorn_settings(base_env)}")
        with_examples = f", {len(library.examples.train)} examples" if args.examples else ""
        print(f"bot library: {args.keywords} keywords{with_examples}; {published}")
        if args.bot_env:
            print(f"bot environment overrides: {' '.join(args.bot_env)}")
        print(
            f"load: {client}, {args.connections} keep-alive connections, {len(requests)} "
            f"distinct texts, up to {min(args.max_requests, RUN_REQUESTS)} signed requests of "
            f"fresh MessageSids per run, {args.rounds} rounds x {args.seconds:g} s per server "
            f"(ABBA order), after {args.warmup:g} s warm-up each"
        )

        # Every load run sends requests of MessageSids never sent before, each once: the bot
        # answers a repeated MessageSid as a replay, with silence, which costs it less.
        batches = itertools.count(1)
        per_run = min(args.max_requests, RUN_REQUESTS)

        def fresh_requests() -> list[tuple[bytes, str]]:
            return signed_requests(texts, batch=next(batches), count=per_run)

        if client == "wrk":
            script = tmp / "signed.lua"
            wrk_threads = 1

            def load(server: Server, seconds: float) -> LoadResult:
                wrk_script(fresh_requests(), per_run // wrk_threads, script)
                return run_wrk(server.port, script, seconds, args.connections, wrk_threads)
        else:
            processes = 2
            pool = multiprocessing.get_context("spawn").Pool(processes)

            def load(server: Server, seconds: float) -> LoadResult:
                return run_python(
                    pool, server.port, fresh_requests(), seconds, args.connections, processes,
                    per_run,
                )  # fmt: skip

        for server in servers:
            load(server, args.warmup)

        rows: dict[str, list[tuple[LoadResult, float]]] = {s.name: [] for s in servers}
        repeated = 0
        print(f"\n{'round':>5} {'server':7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'errors':>6} {'server CPU/req (of it sys)':>26} {'client CPU/req':>14}"
              f"  worker shares")  # fmt: skip
        for r in range(args.rounds):
            order = servers if r % 2 == 0 else servers[::-1]
            for server in order:
                for attempt in range(MAX_REPEATS + 1):
                    user0, sys0 = server.cpu_times()
                    workers0 = server.worker_cpu()
                    res = load(server, args.seconds)
                    user1, sys1 = server.cpu_times()
                    shares = worker_shares(workers0, server.worker_cpu())
                    cpu = (user1 - user0) + (sys1 - sys0)
                    n = max(res.requests, 1)
                    lopsided = len(shares) > 1 and max(shares) > LOPSIDED_SHARE
                    print(
                        f"{r + 1:5} {server.name:7} {res.rps:8.0f} {res.p50_ms:7.2f} "
                        f"{res.p99_ms:7.2f} {res.errors:6} {cpu / n * 1e6:7.0f} us "
                        f"({(sys1 - sys0) / n * 1e6:4.0f} sys) {res.client_cpu / n * 1e6:11.0f} us"
                        f"  {'/'.join(f'{x:.0%}' for x in shares)}"
                        + ("" if not lopsided else "  one worker took the load: round repeated"
                           if attempt < MAX_REPEATS else "  one worker took the load: kept")
                    )  # fmt: skip
                    if not lopsided or attempt == MAX_REPEATS:
                        break
                    repeated += 1
                rows[server.name].append((res, cpu))

        def med(name: str, f) -> float:
            return statistics.median(f(res, cpu) for res, cpu in rows[name])

        a, b = (s.name for s in servers)
        rps_a, rps_b = med(a, lambda r, c: r.rps), med(b, lambda r, c: r.rps)
        ratios = [rb.rps / ra.rps for (ra, _), (rb, _) in zip(rows[a], rows[b], strict=True)]
        cpu_a = med(a, lambda r, c: c / max(r.requests, 1)) * 1e6
        cpu_b = med(b, lambda r, c: c / max(r.requests, 1)) * 1e6
        print(f"\nmedians over {args.rounds} rounds:")
        for name, rps in ((a, rps_a), (b, rps_b)):
            print(
                f"  {name:7} {rps:7.0f} req/s   p50 {med(name, lambda r, c: r.p50_ms):.2f} ms   "
                f"p99 {med(name, lambda r, c: r.p99_ms):.2f} ms   server CPU "
                f"{med(name, lambda r, c: c / max(r.requests, 1)) * 1e6:.0f} us/request   "
                f"errors {sum(r.errors for r, _ in rows[name])}"
            )
        ratio = statistics.median(ratios)
        print(
            f"  B/A throughput ratio: {ratio:.2f}x (median of per-round ratios; "
            f"range {min(ratios):.2f}-{max(ratios):.2f})"
        )
        print(f"  server CPU per request B/A: {cpu_b / cpu_a:.2f}x ({cpu_b:.0f} vs {cpu_a:.0f} us)")
        # Whatever else runs on the host only ever slows a round down, so each server's best
        # round is its least disturbed one (timeit's reasoning); shown beside the medians.
        best_a = max(r.rps for r, _ in rows[a])
        best_b = max(r.rps for r, _ in rows[b])
        print(
            f"  best round of each: {best_a:.0f} vs {best_b:.0f} req/s, B/A {best_b / best_a:.2f}x"
        )
        print(f"  rounds repeated because one worker took the load: {repeated}")
        print(
            "  worker RSS after the run: "
            + "; ".join(
                f"{s.name} " + ", ".join(f"{m:.1f} MB" for m in s.rss_mb()) for s in servers
            )
        )
        print(
            f"\n{'PASS' if ratio >= TARGET_RATIO else 'FAIL'}  bot throughput {ratio:.2f}x the "
            f"bare app (target >= {TARGET_RATIO}x)"
        )

        if args.wsgi:
            # Servers idle: nothing else of ours runs while the app is called in-process.
            costs = wsgi_costs(bot_env, requests, texts=texts)
            print(
                f"\nin-process cost per request (WSGI call in this process, one thread, no server,"
                f" no access log; median of 5 passes over the {len(requests)} requests):"
            )
            for name, us in costs.items():
                print(f"  {name:32} {us:7.0f} us")
            print(f"  {'B - A':32} {costs['B-bot WSGI call'] - costs['A-bare WSGI call']:7.0f} us")

        if args.profile:
            profiles = {}
            for server in servers:
                raw = tmp / f"py-spy-{server.name}.txt"
                spy = py_spy_profile(server, args.profile + 2, raw)
                if spy is None:
                    break
                time.sleep(1.0)  # let py-spy attach before the load starts
                res = load(server, args.profile)
                try:
                    _, err = spy.communicate(timeout=args.profile + 60)
                except subprocess.TimeoutExpired:
                    spy.kill()
                    _, err = spy.communicate()
                if not raw.exists():
                    print(f"\npy-spy wrote no profile: {err.decode(errors='replace')[-500:]}")
                    break
                profiles[server.name] = read_profile(raw, res.requests)
            if len(profiles) == len(servers):
                print_profiles(profiles)
    finally:
        if pool is not None:
            pool.terminate()
        for server in servers:
            server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
