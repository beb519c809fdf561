"""The small library the app tests run on (tests/conftest.py's `app` serves it)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.core.library import write_bundle

KEYWORDS = """
languages: [en, es]
topics:
  - id: emergency
    segment_budget: 1
    keywords:
      en: [emergency, help me now, wont let me leave, locked in]
      es: [emergencia, socorro, no me dejan salir]
  - id: labor
    menu: 1
    title: {en: Work and pay, es: Trabajo y pago}
    keywords:
      en: [boss, took my passport, wages, employer]
      es: [patron, no me pagan, trabajo]
  - id: housing
    menu: 2
    title: {en: Housing, es: Vivienda}
    keywords:
      en: [housing, shelter, evicted]
      es: [vivienda, albergue, desalojo]
  - id: menu
    keywords:
      en: [hello, menu, info]
      es: [hola, opciones]
  - id: stop
    silent: true
"""

REPLIES = {
    "emergency/en": "In danger now? Call 911. Then the hotline: 1-888-373-7888.",
    "emergency/es": "En peligro ahora? Llame al 911. Luego la linea: 1-888-373-7888.",
    "labor/en": "Work: the hotline at 1-888-373-7888 helps with pay and passports.",
    "labor/es": "Trabajo: la linea 1-888-373-7888 ayuda con pagos y pasaportes.",
    "housing/en": "Housing: call 211 for shelter near you.",
    "housing/es": "Vivienda: llame al 211 para un albergue cerca.",
    "menu/en": "Reply with a number:\n{menu}\nIn danger? Call 911.",
    "menu/es": "Responda con un numero:\n{menu}\nEn peligro? Llame al 911.",
}


def bundle(**replaced: str) -> dict[str, str]:
    """The test library as a bundle; keyword arguments like labor_en="..." replace a reply."""
    files = {"keywords.yaml": KEYWORDS}
    for key, text in REPLIES.items():
        topic, lang = key.split("/")
        files[f"responses/{lang}/{topic}.txt"] = replaced.get(f"{topic}_{lang}", text) + "\n"
    return files


def write_library(directory: Path, bundle: dict[str, str]) -> Path:
    """Write a bundle (plus the project's number registry) as library files under a directory."""
    write_bundle(bundle, directory)
    registry = Path(__file__).resolve().parent.parent / "numbers.yaml"
    if registry.is_file():
        shutil.copy(registry, directory / "numbers.yaml")
    return directory
