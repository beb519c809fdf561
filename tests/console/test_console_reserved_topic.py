"""The console refuses the reserved topic ids (voice, calls, connected) as the library check does."""

from __future__ import annotations

import pytest

from bot import runtime
from bot.console.editing import delete_topic
from bot.console.storage import ConsoleStore
from bot.core.library import LibraryError, load_library


def _new_topic(topic_id: str) -> dict[str, str]:
    return {
        "id": topic_id,
        "keywords_en": "phone call",
        "keywords_es": "llamada",
        "reply_en": "Call 211.",
        "reply_es": "Llame al 211.",
    }


@pytest.mark.parametrize("topic_id", ["voice", "calls", "connected"])
def test_adding_a_topic_with_a_reserved_id_is_refused_with_the_checks_words(
    console_app, editor, helpers, topic_id
):
    live = runtime(console_app).live.snapshot.library.bundle
    spoken_before = {k: v for k, v in live.items() if k.endswith("/voice.txt")}
    r = helpers.post(
        editor, "/console/topics/new", _new_topic(topic_id), page="/console/topics/new"
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert f"topic id &#39;{topic_id}&#39; is reserved" in page
    draft = ConsoleStore(runtime(console_app).store).draft()
    bundle = draft.bundle if draft else live
    assert f"- id: {topic_id}\n" not in bundle["keywords.yaml"]
    assert {k: v for k, v in bundle.items() if k.endswith("/voice.txt")} == spoken_before


def test_the_console_and_the_check_refuse_voice_in_the_same_words():
    bundle = {
        "keywords.yaml": "topics:\n  - id: voice\n    keywords: {en: [call]}\n",
        "responses/en/voice.txt": "Call 911.",
    }
    with pytest.raises(LibraryError) as refused:
        load_library(bundle)
    from bot.core.topics import reserved_topic_message

    assert reserved_topic_message("voice") in str(refused.value)


def test_deleting_a_topic_named_voice_never_deletes_the_spoken_messages():
    bundle = {
        "keywords.yaml": "languages: [en]\ntopics:\n  - id: menu\n  - id: voice\n    keywords: {en: [call]}\n",
        "responses/en/voice.txt": "In danger now? Call 911.",
        "responses/en/menu.txt": "Menu",
    }
    out = delete_topic(bundle, "voice")
    assert "- id: voice" not in out["keywords.yaml"]
    assert out["responses/en/voice.txt"] == "In danger now? Call 911."
