"""The Snapshot a worker answers from: a library, its matcher and its replies as TwiML, never changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.core.examples_reader import SavedReaders
from bot.core.kept import KeptWhileUsed
from bot.core.library import Library, load_library
from bot.core.matcher import Matcher, build_matcher
from bot.core.reader import release_freed_memory
from bot.core.topics import NO_LANG, OTHER_LANGUAGE_TOPIC
from bot.twiml import twiml_message

if TYPE_CHECKING:
    from bot.store import Revision


@dataclass(frozen=True)
class Snapshot:
    """A loaded library with its matcher built and every reply rendered as TwiML; never changed
    once built."""

    revision_id: int | None
    digest: str
    library: Library
    matcher: Matcher
    twiml: Mapping[tuple[str, str], bytes]

    def reply(self, topic: str, lang: str) -> bytes:
        """The TwiML for a topic in a language (the library's default language if it has no such)."""
        if topic == OTHER_LANGUAGE_TOPIC:
            lang = NO_LANG  # one reply, whatever language the text was in
        found = self.twiml.get((topic, lang))
        return found if found is not None else self.twiml[(topic, self.library.default_language)]


def build_snapshot(
    library: Library,
    revision_id: int | None,
    *,
    reader: bool = True,
    saved: SavedReaders | None = None,
) -> Snapshot:
    """Render every (topic, language) reply once and build the matcher, before anyone is served;
    its reader is the one `saved` keeps for the library's examples when there is one.

    Raises ReaderError when the library's reader cannot be trained: a reload then keeps the
    revision it serves; `reader=False` builds the rules alone (the last resort at start)."""
    matcher = build_matcher(library, reader=reader, saved=saved)  # now, not on the first message
    twiml = {
        (topic.id, lang): twiml_message(library.reply(topic.id, lang))
        for topic in library.topics
        for lang in library.languages
    }
    if library.other_language:
        twiml[(OTHER_LANGUAGE_TOPIC, NO_LANG)] = twiml_message(library.other_language)
    # Loading, checking and indexing freed megabytes of the heap; glibc would keep them for the
    # worker's whole life (2 MB with the bundled library).
    release_freed_memory()
    return Snapshot(revision_id, library.digest, library, matcher, MappingProxyType(twiml))


#: Snapshots by their files' digest: a second app, or a revision that publishes the files of an
#: earlier one again (a rollback), shares what the first built (seconds of loading, indexing and
#: the reader) instead of holding a copy; weak, as examples_reader keeps its readers, so a worker
#: holds no more than it serves.
_BUILT: KeptWhileUsed[str, Snapshot] = KeptWhileUsed()


def revision_snapshot(
    revision: Revision, library: Library | None = None, saved: SavedReaders | None = None
) -> Snapshot:
    """The snapshot of a published revision (`library`: its files already loaded): built, or
    shared with one built from the same files in this process. Raises as build_snapshot does."""
    found = _BUILT.get(revision.digest)
    if found is None:
        if library is None:
            library = load_library(revision.bundle)
        found = build_snapshot(library, revision.id, saved=saved)
        if found.digest != revision.digest:
            return found  # a bundle stored under another digest: never shared
        _BUILT.keep(found.digest, found)
    return found if found.revision_id == revision.id else replace(found, revision_id=revision.id)


def forget_built_snapshots() -> None:
    """Forget every snapshot built (as a process that just started has none)."""
    _BUILT.clear()
