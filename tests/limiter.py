"""A stand-in rate limiter that gives a fixed answer and records what it was asked."""

from __future__ import annotations


class RecordingLimiter:
    """Allows every (sender, topic) or none, per `allowed`; `calls` lists each question in order."""

    def __init__(self, allowed: bool):
        self.allowed = allowed
        self.calls: list[tuple[str, str]] = []

    def allow(self, sender: str, topic: str) -> bool:
        """The fixed answer, after noting the question."""
        self.calls.append((sender, topic))
        return self.allowed

    def first_delivery(self, message_sid: str) -> bool:
        """Every MessageSid is new to it: replays have tests of their own (tests/test_replay.py)."""
        return True
