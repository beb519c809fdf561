"""What people need right now reaches, through /sms and in both languages, a reply with its number.

Each text was written for this test (issue 23): an injury at work, a fire coming, a raid,
discrimination, a tip about someone else, and a provider asking who to contact.
"""

from __future__ import annotations

import shutil

import pytest

from bot import runtime
from bot.core.library import LibraryError, load_library_dir
from bot.settings import PROJECT_ROOT
from tests import as_twilio

SITUATIONS = [
    # (text, topic, language, a number the reply must carry)
    (
        "hurt my shoulder lifting crates at work, who pays for the doctor?",
        "injury",
        "en",
        "1-877-561-3453",
    ),
    (
        "me lastime la rodilla en la obra y no se si tengo derecho a doctor",
        "injury",
        "es",
        "1-877-561-3453",
    ),
    ("theres a wildfire coming our way, should we leave the camp?", "evacuation", "en", "911"),
    ("el incendio se esta acercando al rancho, que hacemos", "evacuation", "es", "911"),
    (
        "immigration agents are at the packing house asking for papers",
        "raid",
        "en",
        "1-844-724-3737",
    ),
    ("hay una redada en la empacadora ahorita", "raid", "es", "1-844-724-3737"),
    (
        "they treat me differently at work because im mexican",
        "discrimination",
        "en",
        "1-800-233-3247",
    ),
    ("en el trabajo me discriminan por ser mujer", "discrimination", "es", "1-800-233-3247"),
    (
        "my brother works on a fishing boat and the captain keeps his passport and doesnt pay him",
        "report",
        "en",
        "1-888-373-7888",
    ),
    (
        "mi prima trabaja en un restaurante y el dueño no le paga y le quito su pasaporte",
        "report",
        "es",
        "1-888-373-7888",
    ),
    (
        "I'm a case manager, who should I contact about a client whose employer holds her papers?",
        "report",
        "en",
        "1-888-373-7888",
    ),
    (
        "soy trabajadora social, a quien contacto si una clienta esta siendo explotada?",
        "report",
        "es",
        "1-888-373-7888",
    ),
]


@pytest.fixture
def bundled_client(make_app):
    """A test client of the app serving the bundled library."""
    app = make_app(library_dir=str(PROJECT_ROOT))
    runtime(app).live.start()
    return app.test_client(), runtime(app).live.snapshot.library


@pytest.mark.parametrize(("text", "topic", "lang", "number"), SITUATIONS)
def test_each_situation_gets_its_topics_reply_in_its_language_with_its_number(
    bundled_client, text, topic, lang, number
):
    client, library = bundled_client
    reply = as_twilio.messages(as_twilio.post(client, as_twilio.params(text)))
    assert reply == [library.topic(topic).replies[lang]]
    assert number in reply[0]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("my boss took my passport and he says i owe him for the trip", "labor"),
        ("el patron no me paga y dice que le debo el viaje", "labor"),
    ],
)
def test_a_workers_own_story_that_names_the_boss_is_not_taken_for_a_tip(
    bundled_client, text, topic
):
    client, library = bundled_client
    reply = as_twilio.messages(as_twilio.post(client, as_twilio.params(text)))
    lang = "es" if "patron" in text else "en"
    assert reply == [library.topic(topic).replies[lang]]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_reply_to_a_tip_speaks_about_the_other_person(lang):
    reply = load_library_dir(PROJECT_ROOT).topic("report").replies[lang]
    assert {"en": "the person", "es": "la persona"}[lang] in reply


def _library_with_tips(tmp_path, tips: str):
    keywords = (PROJECT_ROOT / "keywords.yaml").read_text(encoding="utf-8")
    start = keywords.index("tips:\n")
    end = keywords.index("topics:\n", start)
    copy = tmp_path / "library"
    copy.mkdir()
    (copy / "keywords.yaml").write_text(keywords[:start] + tips + keywords[end:], encoding="utf-8")
    (copy / "numbers.yaml").write_text((PROJECT_ROOT / "numbers.yaml").read_text(encoding="utf-8"))
    shutil.copytree(PROJECT_ROOT / "responses", copy / "responses")
    return copy


@pytest.mark.parametrize(
    ("tips", "named"),
    [
        (
            "tips:\n  answer: reports\n  from: [labor]\n  someone_else: {en: [her]}\n",
            "tips answer: unknown topic 'reports'",
        ),
        (
            "tips:\n  answer: report\n  from: [labour]\n  someone_else: {en: [her]}\n",
            "tips from: unknown topic 'labour'",
        ),
        (
            "tips:\n  answer: report\n  from: [labor]\n  someone_else: {en: [her sister]}\n",
            "tips someone_else en: 'her sister' must be one word",
        ),
        (
            "tips:\n  answer: report\n  from: [labor]\n  someone_else: {fr: [elle]}\n",
            "tips someone_else: unknown language 'fr'",
        ),
    ],
)
def test_a_tips_section_naming_what_does_not_exist_is_refused_with_its_line(tmp_path, tips, named):
    with pytest.raises(LibraryError) as refused:
        load_library_dir(_library_with_tips(tmp_path, tips))
    assert any(named in str(p) and "keywords.yaml" in str(p) for p in refused.value.problems)
