"""Give every output line the phase and queue it was printed from, the callback, and where that was scheduled."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Generic, TypeVar

from app.trace.schema import Init, Label, TraceEvent, Write, friendly_kind

MAIN_THREAD = 0  # Node's main thread always has threadId 0
T = TypeVar("T")


@dataclass(frozen=True)
class Attribution:
    phase: str | None
    queue: str | None
    thread: int | None  # a worker's threadId; None for the main thread
    callback: str | None
    site: str | None


@dataclass(frozen=True)
class AttributedLine:
    text: str
    phase: str | None  # None: no traced thread wrote it (a child process sharing stdout, say)
    queue: str | None
    thread: int | None
    callback: str | None
    site: str | None

    def to_json(self) -> dict[str, Any]:
        """The stable `looplab trace --json` shape: `thread` only for lines a worker printed."""
        data = asdict(self)
        if data["thread"] is None:
            del data["thread"]
        return data


class LineAssembler(Generic[T]):
    """Cuts writes into lines; each line keeps the tag of the write that began it."""

    def __init__(self) -> None:
        self.current = ""
        self.tag: T | None = None

    def feed(self, text: str, tag: T) -> list[tuple[str, T]]:
        """Lines end at "\n" only, with one "\r" before it dropped: exactly how the runner cuts stdout."""
        lines = []
        *complete, rest = text.split("\n")
        for piece in complete:
            if not self.current:
                self.tag = tag
            lines.append(((self.current + piece).removesuffix("\r"), self.tag))
            self.current = ""
        if rest:
            if not self.current:
                self.tag = tag
            self.current += rest
        return lines  # type: ignore[return-value]

    def finish(self) -> list[tuple[str, T]]:
        """The last line, if the program ended without a newline."""
        if not self.current:
            return []
        line, self.current = self.current, ""
        return [(line.removesuffix("\r"), self.tag)]  # type: ignore[list-item]


class _Resources:
    """Types and labels of every async resource, per thread."""

    def __init__(self, events: Iterable[TraceEvent]) -> None:
        self.types: dict[tuple[int, int], str] = {}
        self.triggers: dict[tuple[int, int], int] = {}
        self.labels: dict[tuple[int, int], Label] = {}
        types, triggers, labels = self.types, self.triggers, self.labels
        for event in events:
            kind = type(event)  # not isinstance: this loop sees every event of a run
            if kind is Init:
                key = (event.thread, event.id)
                types[key] = event.type
                triggers[key] = event.trigger
            elif kind is Label:
                labels[(event.thread, event.id)] = event

    def origin(self, thread: int, resource: int) -> Label | None:
        """The label of this resource, or of the nearest resource that started it and was scheduled by user code.

        fs.readFile, say, is four requests in a row; only the first was made by the user's code.
        """
        for _ in range(32):
            label = self.labels.get((thread, resource))
            if label is not None and label.site:
                return label
            parent = self.triggers.get((thread, resource))
            if (
                parent is None
                or parent == resource
                or self.types.get((thread, parent)) != self.types.get((thread, resource))
            ):
                return label
            resource = parent
        return None

    def describe(self, write: Write) -> Attribution:
        thread = None if write.thread == MAIN_THREAD else write.thread
        if write.phase == "main" and write.queue == "macrotask":
            return Attribution(write.phase, write.queue, thread, "main", None)  # the entry's body, CJS or ESM
        if write.context == 0:  # no callback running: a beforeExit or exit listener
            return Attribution(write.phase, write.queue, thread, f"{write.phase} listener", None)
        key = (write.thread, write.context)
        label = self.origin(write.thread, write.context)
        kind = self.types.get(key, "")
        callback = (label.name if label else "") or friendly_kind(kind)
        return Attribution(write.phase, write.queue, thread, callback, (label.site if label else "") or None)


def attributed_writes(events: list[TraceEvent], stream: str) -> list[tuple[str, Attribution]]:
    """What reached the stream, in order, each piece with its attribution.

    A worker's output is written by the main thread later, from a message-port callback; such a write
    is given the worker's own attribution, from the moment the worker printed it.
    """
    resources = _Resources(events)
    writes = [event for event in events if type(event) is Write and event.stream == stream]
    worker_writes: dict[int, deque[Write]] = {}
    for event in writes:
        if event.thread != MAIN_THREAD:
            worker_writes.setdefault(event.thread, deque()).append(event)
    pieces = []
    for event in writes:
        if event.thread != MAIN_THREAD:
            continue
        attribution = resources.describe(event)
        if resources.types.get((event.thread, event.context)) == "MESSAGEPORT":
            for queue in worker_writes.values():
                if queue and queue[0].text == event.text:
                    attribution = resources.describe(queue.popleft())
                    break
        pieces.append((event.text, attribution))
    return pieces


def attribute_lines(events: list[TraceEvent], output: list[str], stream: str = "stdout") -> list[AttributedLine]:
    """Attribute each line of `output` (what the stream really received) using the trace's writes.

    A line takes the attribution of the write that began it. Lines the trace never saw written (from a
    child process sharing the stream, say) keep no attribution.
    """
    assembler: LineAssembler[Attribution] = LineAssembler()
    traced: list[tuple[str, Attribution]] = []
    for text, attribution in attributed_writes(events, stream):
        traced += assembler.feed(text, attribution)
    traced += assembler.finish()

    lines: list[AttributedLine] = []
    position = 0
    for text in output:
        found = _find(traced, text, position)
        if found is None:
            lines.append(AttributedLine(text, None, None, None, None, None))
            continue
        position = found + 1
        a = traced[found][1]
        lines.append(AttributedLine(text, a.phase, a.queue, a.thread, a.callback, a.site))
    return lines


def _find(traced: list[tuple[str, Attribution]], text: str, start: int, window: int = 64) -> int | None:
    """The next traced line with this text, looking a little ahead in case a line slipped in between."""
    for index in range(start, min(len(traced), start + window)):
        if traced[index][0] == text:
            return index
    return None
