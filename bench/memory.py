"""Memory: resident size of one bot process holding a 10,000-keyword library, against 80 MB.

Each figure comes from a fresh child process (VmRSS and VmHWM in /proc/self/status, after
gc.collect()), so nothing measured here is shared with the parent that prepares the data:

  baseline  the app stack imported, create_app() built on a temp SQLite database that the parent
            migrated (as `flask db upgrade` would have) and one query run; no library loaded
  bundled   the same, then the repository's own library loaded and a few hundred signed POST /sms
  10k       the same, with a 10,000-keyword library (bench/matcher_scale.py's generator) published
            to the store beforehand, loaded by LiveLibrary.start() exactly as a worker does, its
            matcher and TwiML built, and a few hundred signed POST /sms answered

    .venv/bin/python -m bench.memory
    .venv/bin/python -m bench.memory --keywords 10000 --requests 500

Prints figures only; the 80 MB target is reported as PASS/FAIL, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import BASE_URL, ROOT, SECRET_KEY, TOKEN

TARGET_MB = 80.0
#: One worker with the bundled library and its reader (issue 21).
WORKER_TARGET_MB = 120.0


def status_kb() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in kB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def bench_env(database_url: str, library_dir: str) -> dict[str, str]:
    """The environment a bench bot runs with: a token, a public URL, a temp DB, no rate limit."""
    env = dict(os.environ)
    env.update(
        TWILIO_AUTH_TOKEN=TOKEN,
        SECRET_KEY=SECRET_KEY,
        PUBLIC_BASE_URL=BASE_URL,
        DATABASE_URL=database_url,
        LIBRARY_DIR=library_dir,
        RATE_LIMIT="1000000 per 1 second",
        EMERGENCY_RATE_LIMIT="1000000 per 1 second",
        RELOAD_SECONDS="3600",
        LOG_LEVEL="WARNING",
        DAILY_COUNTS="true",
    )
    return env


# --- the child: one measured process ---------------------------------------------------------


def child(mode: str, messages_file: str | None) -> None:
    steps: list[tuple[str, dict[str, int]]] = []

    def step(name: str) -> None:
        gc.collect()
        steps.append((name, status_kb()))

    step("interpreter")
    from twilio.request_validator import RequestValidator

    from bot import create_app, runtime

    step("imports")
    app = create_app()
    step("create_app")
    bot_runtime = runtime(app)
    bot_runtime.store.live_revision_id()  # the parent migrated the database, as in production
    step("first database query")
    served = 0
    if mode != "baseline":
        t0 = time.perf_counter()
        bot_runtime.live.start()
        load_s = time.perf_counter() - t0
        snapshot = bot_runtime.live.snapshot
        library = snapshot.library
        n_keywords = sum(len(k) for t in library.topics for k in t.keywords.values())
        step(f"library loaded ({n_keywords} keywords, {load_s:.2f} s)")
        texts = json.loads(Path(messages_file).read_text()) if messages_file else ["hola"]
        validator = RequestValidator(TOKEN)
        client = app.test_client()
        for i, text in enumerate(texts):
            params = {
                "From": f"+1555{i % 10_000_000:07d}",
                "To": "+15550009999",
                "Body": text,
                "MessageSid": f"SM{i:032x}",
            }
            sig = validator.compute_signature(f"{BASE_URL}/sms", params)
            response = client.post("/sms", data=params, headers={"X-Twilio-Signature": sig})
            if response.status_code != 200 or b"<Response" not in response.data:
                raise SystemExit(f"POST /sms answered {response.status_code}: {response.data!r}")
            served += 1
        step(f"{served} signed POST /sms answered")
        bot_runtime.live.stop(timeout=2)
    print(json.dumps({"mode": mode, "steps": steps, "served": served}))


# --- the parent: prepare, run the children, print ---------------------------------------------


def run_child(mode: str, env: dict[str, str], messages_file: str | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.memory", "--child", mode]
    if messages_file:
        cmd += ["--messages-file", messages_file]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"child {mode} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def mb(kb: int) -> str:
    return f"{kb / 1024:6.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", choices=["baseline", "bundled", "10k"], help=argparse.SUPPRESS)
    parser.add_argument("--messages-file", help=argparse.SUPPRESS)
    parser.add_argument("--keywords", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=500, help="signed POST /sms per child")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.messages_file)
        return 0

    from bench.matcher_scale import SIZES, generate_bundle, generate_messages
    from bot.core.library import load_library, read_bundle, write_bundle
    from bot.store import Store, sqlite_url

    results = []
    with tempfile.TemporaryDirectory(prefix="bot-bench-memory-") as tmp:
        tmpdir = Path(tmp)
        # The big library goes into its own database before the child starts, as `flask library
        # publish` would have put it there; the child only reads it, like a worker.
        bundle = generate_bundle(args.keywords, SIZES.get(args.keywords, 200))
        big_lib = load_library(bundle)
        write_bundle(bundle, tmpdir / "library-10k")

        def migrated(path: Path) -> str:
            url = sqlite_url(path)
            store = Store(url)
            store.migrate()
            store.dispose()
            return url

        big_db = migrated(tmpdir / "big.sqlite3")
        store = Store(big_db)
        store.publish(bundle, published_by="bench", comment="bench memory")
        store.dispose()
        big_texts = [m.text for m in generate_messages(big_lib, args.requests)][: args.requests]
        (tmpdir / "big.json").write_text(json.dumps(big_texts))

        runs = [("baseline", migrated(tmpdir / "base.sqlite3"), str(ROOT), None)]
        if (ROOT / "keywords.yaml").is_file():
            small_lib = load_library(read_bundle(ROOT))
            small_texts = [m.text for m in generate_messages(small_lib, args.requests)]
            (tmpdir / "small.json").write_text(json.dumps(small_texts[: args.requests]))
            # An empty, migrated database: the worker publishes the bundled library on first start.
            small_db = migrated(tmpdir / "small.sqlite3")
            runs.append(("bundled", small_db, str(ROOT), tmpdir / "small.json"))
            # Then every other worker: the bundled library live, its reader kept by that publish.
            runs.append(("bundled", small_db, str(ROOT), tmpdir / "small.json"))
        runs.append(("10k", big_db, str(tmpdir / "library-10k"), tmpdir / "big.json"))
        for mode, db, library_dir, texts_file in runs:
            env = bench_env(db, library_dir)
            result = run_child(mode, env, str(texts_file) if texts_file else None)
            if any(r["mode"] == mode for r in results):
                result["mode"] = f"{mode}, live"  # the same database again: what it left live
            results.append(result)

    print(f"python {sys.version.split()[0]}, pid-per-figure children, VmRSS after gc.collect()")
    for r in results:
        print(f"\n[{r['mode']}]")
        for name, kb in r["steps"]:
            print(f"  {name:45} VmRSS {mb(kb['VmRSS'])}   VmHWM {mb(kb['VmHWM'])}")
    final = {r["mode"]: r["steps"][-1][1] for r in results}
    base = final["baseline"]["VmRSS"]
    print()
    for mode in ("bundled", "bundled, live", "10k"):
        if mode in final:
            print(
                f"{mode:8} library's own cost: VmRSS +{(final[mode]['VmRSS'] - base) / 1024:.1f} MB"
                f" over the baseline's {base / 1024:.1f} MB"
            )
    for mode, label in (("bundled", "first start, publishing"), ("bundled, live", "a worker")):
        if mode in final:
            peak = max(final[mode]["VmRSS"], final[mode]["VmHWM"]) / 1024
            print(
                f"{'PASS' if peak <= WORKER_TARGET_MB else 'FAIL'}  the bundled library, {label}: "
                f"peak {peak:.1f} MB (issue 21's budget: {WORKER_TARGET_MB:.0f} MB)"
            )
    big = final["10k"]
    peak = max(big["VmRSS"], big["VmHWM"]) / 1024
    print(
        f"\n{'PASS' if peak < TARGET_MB else 'FAIL'}  one process with the {args.keywords}-keyword "
        f"library: VmRSS {big['VmRSS'] / 1024:.1f} MB, VmHWM (peak) {big['VmHWM'] / 1024:.1f} MB "
        f"(target < {TARGET_MB:.0f} MB, checked on the peak)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
