"""What a serving worker does not import: the console's YAML editor, numpy's masked arrays."""

from __future__ import annotations

import subprocess
import sys

from bot.settings import PROJECT_ROOT
from tests.modules import loaded_by_a_new_worker


def test_a_new_worker_holds_no_yaml_editor_until_an_admin_edits_the_numbers():
    assert loaded_by_a_new_worker(("ruamel.yaml",)) == []


def test_reading_a_text_does_not_import_numpys_masked_arrays():
    code = (
        "import sys; from bot.core.reader import hashed; hashed('my boss did not pay me');"
        "print('numpy.ma' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60
    )
    assert result.stdout.split() == ["False"], result.stderr
