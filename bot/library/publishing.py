"""Making a library live: publish a prepared library, roll back to an earlier revision, export one.

The rules live here once; `flask library publish|rollback|export` and the console both call these
functions and only word what they return.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.core.examples_reader import ReaderError, library_reader
from bot.core.library import LibraryError, load_library, read_bundle, write_bundle
from bot.core.recordings import decode, is_recording_path
from bot.library.prepare import PreparedLibrary
from bot.store import Revision, Store, StoredReaders

Outcome = Literal["published", "rolled back", "already live"]


@dataclass(frozen=True)
class WentLive:
    """What publish() or rollback() did: the outcome, the revision now live, the one before."""

    outcome: Outcome
    revision: Revision
    #: the id of the revision that was live before (None before the first publish)
    before: int | None

    @property
    def changed(self) -> bool:
        """True when another revision is live now; workers switch to it within RELOAD_SECONDS."""
        return self.outcome != "already live"


def publish(store: Store, prepared: PreparedLibrary, *, by: str, comment: str) -> WentLive:
    """Make a prepared library the live revision; "already live" when the live revision has the
    same content (nothing is stored). Raises what prepared.raise_for_errors() raises when it has
    errors: a library with errors is never published."""
    if not prepared.ok:
        prepared.raise_for_errors()
        raise LibraryError(list(prepared.errors))
    live = store.live_revision()
    before = live.id if live is not None else None
    if live is not None and live.digest == prepared.digest:
        return WentLive("already live", live, before)
    revision = store.publish(prepared.bundle, published_by=by, comment=comment)
    if revision.id == before:  # someone published the same content meanwhile
        return WentLive("already live", revision, before)
    keep_reader(store, prepared)
    return WentLive("published", revision, before)


def keep_reader(store: Store, prepared: PreparedLibrary) -> None:
    """Keep the reader the check trained in the store, so that workers load it rather than
    train it again when the revision goes live; never raises (they would train it then)."""
    if prepared.library is None:
        return
    # A reader that cannot be trained was reported by the check; a worker then trains it (or
    # keeps its revision), so publishing never fails here.
    with contextlib.suppress(ReaderError):
        library_reader(prepared.library, StoredReaders(store))


def rollback(store: Store, revision_id: int, *, force: bool = False) -> WentLive:
    """Make an earlier revision live again; "already live" when it is the live one.

    UnknownRevision when there is no such revision; LibraryError when it does not load with this
    version of the bot (workers would keep serving the current one), unless force.
    """
    before = store.live_revision_id()
    target = store.get_revision(revision_id)
    if before == target.id:
        return WentLive("already live", target, before)
    if not force:
        load_library(target.bundle)
    store.make_live(target.id)
    return WentLive("rolled back", target, before)


def export_zip(revision: Revision) -> bytes:
    """A revision as a zip of the files export_to_directory writes, byte for byte."""
    buffer = io.BytesIO()
    stamp = revision.published_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(revision.bundle.items()):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = decode(text) if is_recording_path(name) else None
            # write_bundle writes UTF-8 too, and a recording's bytes
            archive.writestr(info, data if data is not None else text.encode("utf-8"))
    return buffer.getvalue()


def export_to_directory(revision: Revision, directory: Path) -> tuple[list[Path], list[Path]]:
    """Write a revision's files into a directory, removing library files it does not have (the
    next read would pick them up); returns the files written and the files removed."""
    stale = _stale_files(directory, revision.bundle)
    for path in stale:
        path.unlink()
    return write_bundle(revision.bundle, directory), stale


def _stale_files(directory: Path, bundle: Mapping[str, str]) -> list[Path]:
    """Library files in a directory that are not in the bundle (read_bundle would pick them up)."""
    if not directory.is_dir():
        return []
    present = read_bundle(directory)
    return [directory / name for name in sorted(present) if name not in bundle]
