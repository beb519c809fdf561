"""The topic ids the bot itself relies on (the required topics), named once for every module."""

from __future__ import annotations

#: The fallback: numbered choices and what a text that names no topic gets.
MENU_TOPIC = "menu"
#: The opt-out: silent, never limited.
STOP_TOPIC = "stop"
#: Outranks every other topic a keyword names; its replies have a rate limit of their own.
EMERGENCY_TOPIC = "emergency"
#: Topics every library must have.
STRUCTURAL_TOPICS = (MENU_TOPIC, STOP_TOPIC, EMERGENCY_TOPIC)

#: The spoken message of calls, responses/<lang>/voice.txt: written and checked like a reply, but
#: it belongs to no topic, so no text message can ever be answered with it.
VOICE_REPLY = "voice"
#: The daily-count names of calls, kept beside topic ids in the same table.
CALLS_COUNT = "calls"
CONNECTED_COUNT = "connected"
#: Names no topic may take: the voice file's, and the call counts' (a topic "calls" would mix its
#: texts with calls in the daily counts).
RESERVED_TOPIC_IDS = (VOICE_REPLY, CALLS_COUNT, CONNECTED_COUNT)


def reserved_topic_message(topic_id: str) -> str:
    """Why a reserved id cannot name a topic, in the words of the check and of the console."""
    return (
        f"topic id {topic_id!r} is reserved (voice.txt is the spoken message of calls; "
        f"{CALLS_COUNT!r} and {CONNECTED_COUNT!r} are daily counts of calls): rename it"
    )


#: The daily counts of texts answered with silence by the rate limit, and of texts recognised as
#: a phone's or an office's auto-reply: no topic (not a slug, so no library topic can take the
#: name) and no language, one number each per day.
SILENCED_COUNT = "(silenced)"
AUTO_REPLY_COUNT = "(auto-reply)"
#: A text in a language the library lacks: answered with responses/other-language.txt and counted
#: under this name (not a slug, so no library topic can take it).
OTHER_LANGUAGE_TOPIC = "(other-language)"
PSEUDO_TOPICS = frozenset({SILENCED_COUNT, AUTO_REPLY_COUNT, OTHER_LANGUAGE_TOPIC})
NO_LANG = "-"
