"""Why a text went where it went: the rules' hit, the reader's top topics and the nearest examples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.combine import is_exact
from bot.core.matcher import Match, Matcher, answer_for, match_rules
from bot.core.reader import Example


@dataclass(frozen=True)
class Explanation:
    """What decided a text's answer, for `try` and the console's try panel to show."""

    text: str
    #: the answer the bot gives
    chosen: Match
    #: what the rules alone found (opt-out, menu number, keyword or danger words)
    rules: Match
    #: the reader's likeliest topics with their probabilities; empty without a reader
    reader_top: tuple[tuple[str, float], ...] = ()
    #: the example texts most like this one, with their similarity (0-1)
    nearest: tuple[tuple[Example, float], ...] = ()

    @property
    def decided_by(self) -> str:
        """'rules', 'reader' or 'both' (they agreed): which one gave the answer."""
        if not self.reader_top or (is_exact(self.rules) and self.chosen.topic == self.rules.topic):
            return "rules"
        if self.chosen.topic == self.rules.topic:
            return "both" if self.reader_top[0][0] == self.chosen.topic else "rules"
        return "reader"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (`try --json`)."""
        return {
            "topic": self.chosen.topic,
            "lang": self.chosen.lang,
            "decided_by": self.decided_by,
            "rules": {
                "topic": self.rules.topic,
                "score": self.rules.score,
                "keyword": self.rules.keyword,
            },
            "reader": [{"topic": t, "probability": p} for t, p in self.reader_top],
            "nearest": [
                {"text": e.text, "topic": e.topic, "file": e.file, "line": e.line, "similarity": s}
                for e, s in self.nearest
            ],
        }


def explain(text: str, matcher: Matcher, *, top: int = 3, nearest: int = 3) -> Explanation:
    """The answer to a text and what decided it (costs more than match(): for people, not traffic)."""
    rules = match_rules(text, matcher)
    reader = matcher.reader
    if reader is None:
        return Explanation(text, rules, rules)
    chosen = answer_for(text, rules, matcher)
    return Explanation(
        text,
        chosen,
        rules,
        tuple(reader.top(text, top)),
        tuple(reader.nearest(text, nearest)),
    )
