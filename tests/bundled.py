"""The bundled library in tests: where its trained reader is kept, so that a test which checks the
project's own files loads that reader rather than training it again (seconds each time)."""

from __future__ import annotations

from bot.settings import PROJECT_ROOT
from bot.store.readers import StoredReaders

#: The instance folder's readers/, where create_app's apps keep the readers they train.
KEPT_READERS_FOLDER = PROJECT_ROOT / "instance" / "readers"


def kept_readers() -> StoredReaders:
    """The readers kept in KEPT_READERS_FOLDER (no database)."""
    return StoredReaders(None, KEPT_READERS_FOLDER)
