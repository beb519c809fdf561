"""Which modules a freshly started serving worker has loaded: checked in a new interpreter."""

from __future__ import annotations

import subprocess
import sys

from bot.settings import PROJECT_ROOT


def loaded_by_a_new_worker(modules: tuple[str, ...]) -> list[str]:
    """Those of `modules` in sys.modules after create_app in a fresh Python, sorted."""
    code = (
        "import sys; from bot import create_app; from bot.settings import Settings;"
        "create_app(Settings(database_url='sqlite://'));"
        f"print('\\n'.join(sorted(m for m in {modules!r} if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()
