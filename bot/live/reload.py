"""Reloading: look for a newly published revision and load it, keeping the old one if it fails."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.live.bootstrap import live_revision_id, publish_bundled
from bot.live.health import LIBRARY_INVALID, OK, Health
from bot.live.snapshot import Snapshot, revision_snapshot

if TYPE_CHECKING:
    from bot.core.examples_reader import SavedReaders
    from bot.settings import Settings
    from bot.store import Store

log = logging.getLogger(__name__)


class Reloader:
    """Finds the snapshot to serve next; remembers a revision that did not load, so that it is
    not loaded again on every poll."""

    def __init__(self, settings: Settings, store: Store, readers: SavedReaders) -> None:
        self.settings = settings
        self.store = store
        self.readers = readers
        self.failed_revision: int | None = None

    def poll(self, current: Snapshot) -> tuple[Snapshot | None, Health]:
        """The snapshot of a newly live revision (None: keep serving `current`) and the health to
        report; a store failure raises."""
        live_id = live_revision_id(self.store)
        library = None
        if live_id is None:
            revision, library = publish_bundled(self.store, self.settings, self.readers)
        elif live_id == current.revision_id:
            return None, OK
        elif live_id == self.failed_revision:
            return None, LIBRARY_INVALID
        else:
            revision = self.store.get_revision(live_id)
        try:
            snapshot = revision_snapshot(revision, library, self.readers)
        except Exception as exc:
            # A published revision that does not load here: keep answering from the one we have.
            self.failed_revision = revision.id
            log.error(
                "library revision %d does not load (%s); still serving revision %s",
                revision.id,
                type(exc).__name__,
                current.revision_id,
            )
            return None, LIBRARY_INVALID
        log.info("now serving library revision %d (digest %s)", revision.id, snapshot.digest[:12])
        return snapshot, OK
