"""The first start: migrate an empty database and publish the bundled library files into it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.store.engine import NotMigrated

if TYPE_CHECKING:
    from bot.core.examples_reader import SavedReaders
    from bot.core.library import Library
    from bot.settings import Settings
    from bot.store import Revision, Store

log = logging.getLogger(__name__)

#: Who and why, on the revision published automatically on first start.
AUTO_PUBLISHER = "auto"
AUTO_COMMENT = "bundled library, first start"


def bundled_files(settings: Settings, saved: SavedReaders | None = None) -> dict[str, str]:
    """The bundled library files (LIBRARY_DIR) as publish prepares them; raises what publish
    would refuse them for."""
    # Imported here: the checks are needed on a first start only, not in every worker.
    from bot.library.prepare import publishable_bundle

    return publishable_bundle(settings.library_dir, settings, saved)


def live_revision_id(store: Store) -> int | None:
    """The live revision's id; a database without tables is migrated first (it may have been
    down at the first start and be reachable now)."""
    try:
        return store.live_revision_id()
    except NotMigrated:
        store.migrate()
        return store.live_revision_id()


def live_or_first_publish(
    store: Store,
    settings: Settings,
    saved: SavedReaders | None = None,
    *,
    aside: Callable[[], bool] | None = None,
) -> tuple[Revision, Library | None]:
    """The live revision; on an empty database, migrate it and publish the bundled library, and
    then the library its check loaded too (see publish_bundled). `aside` may publish it
    elsewhere first (bot.live.first_publish: a child process, so that this worker never holds
    the check's peak); True when it did, False to publish here."""
    try:
        revision = store.live_revision()
    except NotMigrated:
        store.migrate()  # only then: Alembic is imported to migrate, and stays in memory
        revision = store.live_revision()
    if revision is not None:
        return revision, None
    if aside is not None and aside():
        revision = store.live_revision()
        if revision is not None:
            return revision, None
    return publish_bundled(store, settings, saved)


def publish_bundled(
    store: Store, settings: Settings, saved: SavedReaders | None = None
) -> tuple[Revision, Library | None]:
    """Publish the bundled library unless another worker got there first; the live revision, and
    the library the check loaded when that is what went live (None: load revision.bundle).
    Loading the same files a second time left a worker's heap 1.3 MB larger for good."""
    # Imported here: the checks are needed on a first start only, not in every worker.
    from bot.library.prepare import prepare_library

    prepared = prepare_library(settings.library_dir, settings, saved=saved)
    prepared.raise_for_errors()
    revision = store.publish_if_empty(
        prepared.bundle, published_by=AUTO_PUBLISHER, comment=AUTO_COMMENT
    )
    log.info("first start: library revision %d is live", revision.id)
    library = prepared.library
    del prepared  # its check report and the texts it read
    if library is not None:  # what the checks alone work out is not kept by a serving worker
        vars(library).pop("_keyword_lines", None)
    if library is None or revision.digest != library.digest:
        return revision, None  # another worker's publish went live
    return revision, library
