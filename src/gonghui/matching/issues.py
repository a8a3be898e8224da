"""Input problems found while scoring or solving: reported, never raised."""

from __future__ import annotations

from dataclasses import dataclass

from .messages import DEFAULT_LANGUAGE, Message


@dataclass(frozen=True)
class Issue:
    """One thing wrong with the input, naming the problem and/or craftsman at fault.

    `problem` and `craftsman` hold the caller's ids (or solver indices when the solver is used on its own).
    """

    code: str
    message: Message
    problem: object | None = None
    craftsman: object | None = None

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        return self.message.text(language)

    def __str__(self) -> str:
        return self.text()
