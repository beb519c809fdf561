"""Hostile library files: how long `flask library check` takes on them, and how much memory.

Each case copies the shipped library into a temp folder, plants one hostile file and runs
`flask --app wsgi library check DIR` in a child process, reporting its wall time, peak resident
size (ru_maxrss of the child) and the first line of its answer:

  bomb-N     N levels of nested YAML aliases ("billion laughs") above a copy of keywords.yaml
  reply-KB   a reply file of that many KB: the shipped labor reply, numbers and all, repeated
  marks-KB   a reply file of that many KB of one letter followed by combining accents
  chars-KB   a reply file of that many KB of distinct characters outside GSM-7

and, in this process, the core functions the check runs on a 500 KB reply (time per call).

    .venv/bin/python -m bench.hostile_library
    .venv/bin/python -m bench.hostile_library --levels 7 9 --timeout 60

Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]


def alias_bomb(levels: int) -> str:
    """YAML where each level names the one below ten times: 10**levels strings once expanded."""
    out = ['l0: &l0 ["lol"]']
    for level in range(1, levels + 1):
        out.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join(out) + "\n"


def reply_text(kb: int) -> str:
    block = (ROOT / "responses" / "en" / "labor.txt").read_text(encoding="utf-8").strip() + "\n"
    return (block * (kb * 1024 // len(block) + 1))[: kb * 1024]


def marks_text(kb: int) -> str:
    return "a" + "\u0301" * (kb * 1024 // 2)


def chars_text(kb: int) -> str:
    # Distinct CJK characters, 3 bytes each in UTF-8, after a number so the reply has one.
    return "Call 911. " + "".join(chr(0x4E00 + i % 20000) for i in range(kb * 1024 // 3))


def run_check(plant: dict[str, str], timeout: float) -> tuple[float, float, str]:
    """Seconds, peak MB and first answer line of `flask library check` on a planted library."""
    with tempfile.TemporaryDirectory() as tmp:
        lib = Path(tmp) / "lib"
        lib.mkdir()
        shutil.copy(ROOT / "keywords.yaml", lib / "keywords.yaml")
        shutil.copy(ROOT / "numbers.yaml", lib / "numbers.yaml")
        shutil.copytree(ROOT / "responses", lib / "responses")
        for name, text in plant.items():
            (lib / name).write_text(text, encoding="utf-8")
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/bench.db")
        code = (
            "import resource, subprocess, sys, time\n"
            "start = time.perf_counter()\n"
            "try:\n"
            "    p = subprocess.run(sys.argv[2:], capture_output=True, text=True,"
            " timeout=float(sys.argv[1]))\n"
            "    lines = [*p.stderr.splitlines(), *p.stdout.splitlines()]\n"
            "    out = next((l for l in lines if l.startswith('Error') or ' error' in l), '')\n"
            "    out = out or (p.stdout.strip().splitlines() or [''])[-1]\n"
            "except subprocess.TimeoutExpired:\n"
            "    out = 'TIMED OUT'\n"
            "took = time.perf_counter() - start\n"
            "mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
            "print(f'{took:.2f}\\t{mb:.0f}\\t{out}')\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, str(timeout), *FLASK, "library", "check", str(lib)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
        )
        took, mb, first = result.stdout.rstrip("\n").split("\t", 2)
        return float(took), float(mb), first


def time_call(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="*", default=[7])
    parser.add_argument("--kb", type=int, nargs="*", default=[500])
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    keywords = (ROOT / "keywords.yaml").read_text(encoding="utf-8")

    cases: list[tuple[str, dict[str, str]]] = [("shipped", {})]
    cases += [(f"bomb-{n}", {"keywords.yaml": alias_bomb(n) + keywords}) for n in args.levels]
    for kb in args.kb:
        cases += [
            (f"reply-{kb}KB", {"responses/en/labor.txt": reply_text(kb)}),
            (f"marks-{kb}KB", {"responses/en/labor.txt": marks_text(kb)}),
            (f"chars-{kb}KB", {"responses/en/labor.txt": chars_text(kb)}),
        ]
    print(f"{'case':<14}{'seconds':>9}{'peak MB':>9}  first error line")
    for name, plant in cases:
        took, mb, first = run_check(plant, args.timeout)
        print(f"{name:<14}{took:>9.2f}{mb:>9.0f}  {first[:100]}")

    from bot.core.numbers import find_numbers
    from bot.core.sms import encode_info, is_gsm, transliterate_gsm

    print("\ncore functions on a 500 KB reply (seconds per call):")
    for label, text in (
        ("reply", reply_text(500)),
        ("marks", marks_text(500)),
        ("chars", chars_text(500)),
    ):
        figures = {
            f.__name__: time_call(f, text)
            for f in (is_gsm, transliterate_gsm, encode_info, find_numbers)
        }
        print(f"  {label:<6}" + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
