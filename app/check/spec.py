"""What an exercise expects of a program's output: orderings, constraints and Node-version variants."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PHASE_NAMES = ("main", "timers", "pending", "poll", "check", "close", "exit")
QUEUE_NAMES = ("macrotask", "nextTick", "microtask")
# Which thread printed a line: the program's main thread, one of its worker threads, the main thread of a child
# process it started (fork, cluster, spawn or exec of node), or a worker thread of such a child.
THREAD_NAMES = ("main", "worker", "child", "child-worker")


@dataclass(frozen=True)
class LinePattern:
    """One expected output line: a literal text or a regular expression matched against the whole line."""

    text: str | None = None
    regex: str | None = None
    phase: str | None = None  # where the line must come from, when the run is traced
    queue: str | None = None
    thread: str | None = None  # and which thread printed it: one of THREAD_NAMES

    def __post_init__(self) -> None:
        if (self.text is None) == (self.regex is None):
            raise ValueError("a LinePattern needs exactly one of text or regex")
        if self.text is not None:  # output lines are compared without trailing whitespace; so is the pattern
            object.__setattr__(self, "text", self.text.rstrip())

    @property
    def compiled(self) -> re.Pattern[str] | None:
        return _compile(self.regex) if self.regex is not None else None

    def matches(self, line: str) -> bool:
        if self.text is not None:
            return line == self.text
        assert self.regex is not None
        return _compile(self.regex).fullmatch(line) is not None

    def describe(self) -> str:
        return self.text if self.text is not None else f"/{self.regex}/"

    @property
    def placed(self) -> bool:
        """True if the line must come from a particular phase, queue or thread."""
        return self.phase is not None or self.queue is not None or self.thread is not None


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(regex: str) -> re.Pattern[str]:
    compiled = _REGEX_CACHE.get(regex)
    if compiled is None:
        compiled = _REGEX_CACHE[regex] = re.compile(regex)
    return compiled


@dataclass(frozen=True)
class Step:
    """One place in an ordering. Several patterns mean these lines come here in any order."""

    patterns: tuple[LinePattern, ...]
    why: str | None = None


Ordering = tuple[Step, ...]


@dataclass(frozen=True)
class Before:
    """Every line matching `first` comes before every line matching `then`."""

    first: LinePattern
    then: LinePattern


@dataclass(frozen=True)
class Count:
    """How many lines may match `pattern`."""

    pattern: LinePattern
    min: int = 0
    max: int | None = None

    def describe(self) -> str:
        if self.max == self.min:
            return f"exactly {self.min}"
        if self.max is None:
            return f"at least {self.min}"
        return f"between {self.min} and {self.max}"


@dataclass(frozen=True)
class ExpectationSpec:
    """The expectation for one Node version: everything the checker needs, nothing about files."""

    orderings: tuple[Ordering, ...] = ()
    complete: bool = True
    before: tuple[Before, ...] = ()
    counts: tuple[Count, ...] = ()
    ignore: tuple[LinePattern, ...] = ()
    exit_code: int | None = 0
    stream: str = "stdout"
    notes: tuple[str, ...] = ()

    @property
    def placed_patterns(self) -> tuple[LinePattern, ...]:
        """Patterns that say which phase or queue their line comes from: checking them needs a trace."""
        patterns = [p for o in self.orderings for step in o for p in step.patterns]
        patterns += [p for rule in self.before for p in (rule.first, rule.then)] + [c.pattern for c in self.counts]
        return tuple(dict.fromkeys(p for p in patterns if p.placed))

    def is_ignored(self, line: str) -> bool:
        return any(p.matches(line) for p in self.ignore)

    def order_of(self, lines: list[str]) -> tuple[str, ...]:
        """The output's order in the spec's own terms: each line named by the pattern it matches.

        Two runs that differ only in a port or a timing matched by a regex have the same order.
        """
        patterns = [p for o in self.orderings for step in o for p in step.patterns]
        patterns += [p for rule in self.before for p in (rule.first, rule.then)]
        patterns += [rule.pattern for rule in self.counts]
        named = []
        for raw in lines:
            line = raw.rstrip()
            if not self.is_ignored(line):
                named.append(next((p.describe() for p in patterns if p.matches(line)), line))
        return tuple(named)

    @classmethod
    def exact(cls, lines: list[str], **kwargs: object) -> ExpectationSpec:
        """The spec that accepts exactly these lines in exactly this order."""
        ordering = tuple(Step((LinePattern(text=line),)) for line in lines)
        return cls(orderings=(ordering,), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class NodeRange:
    """A set of Node major versions written like "20", ">=22", "20-21" or "20,22"."""

    source: str
    parts: tuple[tuple[int, int], ...] = field(compare=False)

    @classmethod
    def parse(cls, source: str) -> NodeRange:
        parts: list[tuple[int, int]] = []
        for raw in source.split(","):
            item = raw.strip()
            match = re.fullmatch(r"(>=|<=|>|<)?\s*(\d+)(?:\s*-\s*(\d+))?", item)
            if not match or (match.group(1) and match.group(3)):
                raise ValueError(f"cannot read Node version range {item!r}")
            op, low, high = match.group(1), int(match.group(2)), match.group(3)
            if high is not None:
                if int(high) < low:
                    raise ValueError(f"range {item!r} runs backwards")
                parts.append((low, int(high)))
            elif op == ">=":
                parts.append((low, 10_000))
            elif op == ">":
                parts.append((low + 1, 10_000))
            elif op == "<=":
                parts.append((0, low))
            elif op == "<":
                parts.append((0, low - 1))
            else:
                parts.append((low, low))
        return cls(source, tuple(parts))

    def contains(self, major: int) -> bool:
        return any(low <= major <= high for low, high in self.parts)


@dataclass(frozen=True)
class Variant:
    """An expectation that replaces the base one on some Node majors, with the reason it must."""

    node: NodeRange
    spec: ExpectationSpec
    why: str


@dataclass(frozen=True)
class Expectation:
    """An exercise's expectation: a base spec plus variants for particular Node majors."""

    base: ExpectationSpec
    variants: tuple[Variant, ...] = ()

    def for_node(self, major: int | None) -> ExpectationSpec:
        """The spec that applies on this Node major: the first matching variant, else the base."""
        if major is not None:
            for variant in self.variants:
                if variant.node.contains(major):
                    return variant.spec
        return self.base
