"""Auto-replies of phones and offices are recognised; what people write, danger included, is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.autoreply import MAX_AUTO_REPLY_CHARS, is_auto_reply

ROOT = Path(__file__).resolve().parents[2]
SHARED_DEV = ROOT.parent / "shared" / "dev-messages.jsonl"

AUTO_REPLIES = [
    # iOS Driving Focus, today's and the older Do Not Disturb While Driving wording, en and es.
    "I'm driving with Driving Focus turned on. I'll see your message when I get where I'm going.",
    "I\u2019m driving with Do Not Disturb While Driving turned on. I\u2019ll see your message when "
    "I get where I\u2019m going.",
    "Estoy conduciendo con el enfoque Conducci\u00f3n activado. Ver\u00e9 tu mensaje cuando llegue "
    "a mi destino.",
    "Estoy conduciendo con la funci\u00f3n No molestar mientras conduzco activada. Ver\u00e9 tu "
    "mensaje cuando llegue a donde voy.",
    # Android and Samsung driving modes, and what people set up themselves.
    "I'm driving right now. I'll get back to you soon.",
    "I'm driving right now and will get back to you later.",
    "Driving mode is on. I'll reply when I'm parked.",
    "I'm driving. I'll text you back later.",
    "Estoy conduciendo ahora. Te responder\u00e9 pronto.",
    "Estoy manejando, te contesto m\u00e1s tarde.",
    # Out of office, and texts that call themselves automatic.
    "Auto-reply: I am out of the office until Monday.",
    "[Auto Reply] Sorry, I'm busy right now.",
    "Automatic reply: Out of office",
    "I am out of the office until Dec 10 and will respond when I return.",
    "I'm on vacation until Jan 2 and will reply when I get back.",
    "Respuesta autom\u00e1tica: estoy fuera de la oficina.",
    "RESPUESTA AUTOMATICA - no conteste a este numero",
    "Estoy fuera de la oficina. Le responder\u00e9 cuando regrese.",
    "This is an automated message. Please do not reply.",
    "Este es un mensaje autom\u00e1tico, no responda.",
    # Offices' and businesses' answers carrying the emergency disclaimer.
    "Thank you for your message. If this is an emergency, please call 911.",
    "Thanks for contacting Smith Dental! Our office is closed. If this is an emergency, please "
    "hang up and dial 911.",
    "Gracias por su mensaje. Si es una emergencia, llame al 911.",
    "We are closed. If you are having a medical emergency, call 911. We will respond tomorrow.",
]

PEOPLE = [
    "I'm driving and someone is following me help",
    "estoy manejando y me siguen, ayuda",
    "I got your message",
    "thank you for your message, my boss still has my passport",
    "my boss reads every message",
    "out of work, need help with rent",
    "they said if I call 911 they will deport me",
    "if this is an emergency what do I do, he hit me",
    "I am driving for a farm, they keep my passport",
    "my employer said he will call ICE when I get paid",
    "estoy manejando el tractor y no me pagan",
    "Is this automatic? can I talk to a person",
    "they will call the police when I get home",
    "help me now they locked us in",
    "i'm away from home and they won't let me leave",
    "office cleaning job, they didnt pay me",
    "cuando llegue mi patron me va a pegar",
    "si es una emergencia? me encerraron",
    "",
]


@pytest.mark.parametrize("text", AUTO_REPLIES)
def test_auto_replies_of_phones_and_offices_are_recognised(text: str) -> None:
    assert is_auto_reply(text)


@pytest.mark.parametrize("text", PEOPLE)
def test_what_people_write_is_not_taken_for_an_auto_reply(text: str) -> None:
    assert not is_auto_reply(text)


def test_message_is_read_as_message_never_as_massage() -> None:
    # The matcher forgives one-letter typos; the recogniser reads words as written.
    assert is_auto_reply("I'm driving. I'll see your message when I arrive.")
    assert not is_auto_reply("I'm driving. I'll see your massage when I arrive.")


def test_a_long_text_is_never_an_auto_reply() -> None:
    text = "Auto-reply: out of office. " + "x" * MAX_AUTO_REPLY_CHARS
    assert not is_auto_reply(text)


def _texts(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_no_text_of_the_corpus_or_the_dev_set_is_taken_for_an_auto_reply() -> None:
    files = sorted((ROOT / "tests" / "corpus").glob("*.jsonl"))
    if SHARED_DEV.is_file():
        files.append(SHARED_DEV)
    texts = [row for path in files for row in _texts(path)]
    assert len(texts) > 1000
    taken = [row["text"] for row in texts if is_auto_reply(row["text"])]
    assert taken == []
