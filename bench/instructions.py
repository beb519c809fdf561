"""Instructions per request, bot against bare app, and per part of the bot: figures the host's noise cannot move.

Timings on a shared 2-vCPU host swing up to 2x minutes apart; the number of machine instructions
a request executes does not. This script runs itself under valgrind's callgrind (the outer run
prepares a temp dir with bench/matcher_scale.py's 1,000-keyword library published to a SQLite
store; the inner run, under valgrind, does the work) and counts, per request, over the same 400
signed requests bench/throughput.py sends:

  bare         bench/bare_app.py called as WSGI (Flask answering a constant)
  bot          the bot's whole WSGI call (wsgi:app's create_app, reload thread idle)
  form, signature, match, limiter, reply, counts
               the bot's parts, each called alone

The parts are cut apart by calls to os.getppid(), which callgrind is told to dump its counters
before (--dump-before=os_getppid*); every phase runs each request once after a warm-up pass.
Python's hash seed is fixed, so two runs of the same code give the same counts to within a few
hundred instructions. What the counts leave out: the server (gunicorn's HTTP handling and access
log, the same for both apps but for the bot's privacy scrub) and every cache miss, which under
load make each instruction of the bot dearer than in this quiet loop.

    apt-get install -y valgrind     # if missing
    .venv/bin/python -m bench.instructions          # about 80 s

Prints figures only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

from bench import BASE_URL, ROOT, SECRET_KEY, TOKEN

REQUESTS = 400
KEYWORDS = 1000
PHASES = ("bare", "bot", "form", "signature", "match", "limiter", "reply", "counts")


def bot_environment(tmp: Path) -> dict[str, str]:
    """The bot's settings for both runs: the same token, URL and store as bench/throughput.py's."""
    return dict(
        os.environ,
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY=SECRET_KEY,
        PUBLIC_BASE_URL=BASE_URL,
        DATABASE_URL=f"sqlite:///{tmp / 'bot.sqlite3'}",
        LIBRARY_DIR=str(tmp / "library"),
        RATE_LIMIT="1000000 per 1 second",
        EMERGENCY_RATE_LIMIT="1000000 per 1 second",
        LOG_LEVEL="WARNING",
    )


def inner(tmp: Path) -> None:
    """Under callgrind: build both apps, warm them, then run each phase between two dump marks."""
    from datetime import UTC, datetime

    from bench import bare_app
    from bench.harness import signed_requests
    from bench.matcher_scale import generate_messages
    from bench.throughput import environ_templates
    from bot import create_app, runtime
    from bot.channels.endpoint import MAX_CONTENT_LENGTH, read_form, signature_ok
    from bot.core.matcher import match
    from bot.live import LiveLibrary
    from bot.settings import Settings

    # The reload thread's database polls would land in whichever phase they fall on.
    LiveLibrary._run = lambda self, stop: stop.wait()  # type: ignore[method-assign]
    app = create_app(Settings.from_env(bot_environment(tmp)))
    live = runtime(app).live
    live.start()
    library, matcher = live.snapshot.library, live.snapshot.matcher
    texts = [m.text for m in generate_messages(library, REQUESTS)][:REQUESTS]
    templates = environ_templates(signed_requests(texts))
    # The bot's measured call gets MessageSids it has not seen in the warm-up: it answers a
    # repeated one as a replay, with silence, which would cost less than a text.
    fresh = environ_templates(signed_requests(texts, batch=1))

    def environ(i: int) -> dict:
        env, body = templates[i]
        return dict(env, **{"wsgi.input": BytesIO(body)})

    def call(wsgi_app, i: int) -> None:
        for _ in wsgi_app(environ(i), lambda *args: None):
            pass

    forms = [read_form(environ(i), MAX_CONTENT_LENGTH) for i in range(len(templates))]
    limiter, validator = runtime(app).limiter, runtime(app).validator
    url = f"{BASE_URL}/sms"
    measuring = [False]

    def call_bot(i: int) -> None:
        env, body = (fresh if measuring[0] else templates)[i]
        for _ in app(dict(env, **{"wsgi.input": BytesIO(body)}), lambda *args: None):
            pass

    phases = {
        "bare": lambda i: call(bare_app.app, i),
        "bot": call_bot,
        "form": lambda i: read_form(environ(i), MAX_CONTENT_LENGTH),
        "signature": lambda i: signature_ok(validator, templates[i][0], url, forms[i]),
        "match": lambda i: match(forms[i].first("Body")[:1600], matcher),
        "limiter": lambda i: limiter.allow(forms[i].first("From"), "labor"),
        "reply": lambda i: live.snapshot.reply("labor", "es"),
        "counts": lambda i: live.counts.add(datetime.now(UTC).date(), "labor", "es"),
        "loop": lambda i: None,  # the harness's own cost per call, taken off the others
    }
    for fn in phases.values():
        for i in range(len(templates)):
            fn(i)
    print("PHASES", " ".join(phases), len(templates), flush=True)
    measuring[0] = True
    for fn in phases.values():
        os.getppid()
        for i in range(len(templates)):
            fn(i)
    os.getppid()


def outer() -> int:
    """Prepare the library and store, run the inner part under callgrind, print the counts."""
    from bench.matcher_scale import SIZES, generate_bundle
    from bot.core.library import write_bundle

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("valgrind not found: apt-get install -y valgrind")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="bot-bench-instructions-"))
    try:
        write_bundle(generate_bundle(KEYWORDS, SIZES.get(KEYWORDS, 60)), tmp / "library")
        env = bot_environment(tmp)
        subprocess.run(
            [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "library", "publish",
             str(tmp / "library"), "--comment", "bench", "--by", "bench"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        out = tmp / "callgrind.out"
        run = subprocess.run(
            [valgrind, "--tool=callgrind", "--dump-before=os_getppid*",
             f"--callgrind-out-file={out}", sys.executable, "-m", "bench.instructions", "--inner",
             str(tmp)],
            cwd=ROOT, env=dict(env, PYTHONHASHSEED="0"), capture_output=True, text=True,
            timeout=1800,
        )  # fmt: skip
        found = re.search(r"^PHASES (.*) (\d+)$", run.stdout, re.M)
        if run.returncode != 0 or not found:
            print(f"the run under valgrind failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
            return 1
        names, n = found.group(1).split(), int(found.group(2))
        # Dump 1 holds everything before the first mark; phase k is dump k + 1.
        counts = {}
        for k, name in enumerate(names, start=2):
            text = Path(f"{out}.{k}").read_text(errors="replace")
            counts[name] = int(re.search(r"^summary: (\d+)", text, re.M).group(1)) / n
        loop = counts.pop("loop")
        per = {name: value - loop for name, value in counts.items()}
        print(f"instructions per request ({n} signed requests, {KEYWORDS}-keyword library):")
        for name in PHASES:
            print(f"  {name:10} {per[name] / 1000:8.1f} k")
        parts = sum(per[name] for name in PHASES[2:])
        print(
            f"  {'the rest of the bot (endpoint, TwiML answer)':10} {(per['bot'] - parts) / 1000:.1f} k"
        )
        print(f"\nbot / bare: {per['bot'] / per['bare']:.2f}x the instructions of the bare app")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        inner(Path(sys.argv[2]))
        sys.exit(0)
    sys.exit(outer())
