"""The topic ids the bot itself relies on (/work/shared/topics.md), named once for every module."""

from __future__ import annotations

#: The fallback: numbered choices and what a text that names no topic gets.
MENU_TOPIC = "menu"
#: The opt-out: silent, never limited.
STOP_TOPIC = "stop"
#: Outranks every other topic a keyword names; the limiter lets its first reply through.
EMERGENCY_TOPIC = "emergency"
#: Topics every library must have.
STRUCTURAL_TOPICS = (MENU_TOPIC, STOP_TOPIC, EMERGENCY_TOPIC)
