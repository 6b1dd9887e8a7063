"""The checker's answer: pass or fail, each constraint's state and the first violation, as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from app.check.node_error import RaisedError


def quote(text: str) -> str:
    """A line as verdicts quote it."""
    return f"“{text}”"


@dataclass(frozen=True)
class ProgramOutput:
    """What the checker looks at: the checked stream's lines and how the program ended."""

    lines: tuple[str, ...]
    exit_code: int | None = 0
    signal: str | None = None
    timed_out: bool = False
    timeout_s: float | None = None
    cancelled: bool = False
    truncated: bool = False
    stderr_tail: str | None = None
    error: RaisedError | None = None  # what the program died of, when stderr says
    is_prediction: bool = False
    # (phase, queue) of each line, from the tracer; None when the run was not traced.
    places: tuple[tuple[str | None, str | None], ...] | None = None
    # which thread printed each line (main, worker, child, child-worker; None: not traced), when traced.
    threads: tuple[str | None, ...] | None = None

    @classmethod
    def prediction(cls, lines: list[str]) -> ProgramOutput:
        """A learner's predicted output: only its order is checked, not how a program ended."""
        return cls(lines=tuple(lines), is_prediction=True)


@dataclass(frozen=True)
class LineRef:
    """A line named in a violation: its text and its 1-based line number, or None if it never appeared."""

    text: str
    position: int | None


@dataclass(frozen=True)
class Violation:
    """The first thing that went wrong, explained in plain words."""

    kind: str
    explanation: str
    actual: LineRef | None = None
    expected: LineRef | None = None


@dataclass(frozen=True)
class ConstraintResult:
    kind: str
    description: str
    passed: bool
    violation: Violation | None = None
    lines: tuple[int, ...] = ()  # the output lines (1-based) this rule found wrong


@dataclass(frozen=True)
class LineMark:
    """One line of the checked output and what the checker made of it."""

    position: int
    text: str
    status: str  # ok | wrong | ignored | extra | unchecked
    phase: str | None = None  # where it came from, when the run was traced
    queue: str | None = None


@dataclass(frozen=True)
class Verdict:
    passed: bool
    constraints: tuple[ConstraintResult, ...]
    violation: Violation | None
    lines: tuple[LineMark, ...]
    ordering: int | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
