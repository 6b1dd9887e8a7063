"""Give every output line the phase and queue it was printed from, the callback, and where that was scheduled."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from app.trace.schema import PROCESS_THREADS, Hello, Init, Label, Process, TraceEvent, Write, friendly_kind

MAIN_THREAD = 0  # Node's main thread always has threadId 0 (a child process's main thread: n * 65536)
T = TypeVar("T")


@dataclass(frozen=True)
class Attribution:
    phase: str | None
    queue: str | None
    thread: int | None  # a worker's threadId, or n * 65536 + threadId in child process n; None: the main thread
    callback: str | None
    site: str | None
    pid: int | None = None  # a child process's pid; None for the program's own process


@dataclass(frozen=True)
class AttributedLine:
    text: str
    phase: str | None  # None: no traced thread wrote it (a child process the tracer could not reach, say)
    queue: str | None
    thread: int | None
    callback: str | None
    site: str | None
    pid: int | None = None  # printed by a child process (its pid); None: by the program's own process

    def to_json(self) -> dict[str, Any]:
        """The stable `looplab trace --json` shape: `thread` only for lines a worker or a child process
        printed, `pid` only for a child process's."""
        data = asdict(self)
        for key in ("thread", "pid"):
            if data[key] is None:
                del data[key]
        return data

    @property
    def who(self) -> str | None:
        """The expectation format's name for the thread that printed it: main, worker, child or child-worker."""
        return thread_kind(self.thread) if self.phase is not None else None


def thread_kind(thread: int | None) -> str:
    """main (the program's main thread), worker (one of its worker threads), child (a child process's main
    thread) or child-worker (a worker thread of a child process)."""
    if thread is None:
        return "main"
    if thread < PROCESS_THREADS:
        return "worker"
    return "child" if thread % PROCESS_THREADS == 0 else "child-worker"


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

    def describe(self, write: Write, pid: int | None = None) -> Attribution:
        thread = None if write.thread == MAIN_THREAD else write.thread
        if write.phase == "main" and write.queue == "macrotask":
            return Attribution(write.phase, write.queue, thread, "main", None, pid)  # the entry's body, CJS or ESM
        if write.context == 0:  # no callback running: a beforeExit or exit listener
            return Attribution(write.phase, write.queue, thread, f"{write.phase} listener", None, pid)
        key = (write.thread, write.context)
        label = self.origin(write.thread, write.context)
        kind = self.types.get(key, "")
        callback = (label.name if label else "") or friendly_kind(kind)
        return Attribution(write.phase, write.queue, thread, callback, (label.site if label else "") or None, pid)


class _Piece(NamedTuple):
    text: str
    attribution: Attribution
    relayed: bool  # written from a pipe's read callback: perhaps a child's output piped through
    piped: bool  # written by a child process whose stdout is not the program's: only a relay can print it
    order: int  # the index of its Write among the events: arrival order, across processes


def _pieces(events: list[TraceEvent], stream: str) -> dict[int, list[_Piece]]:
    """What each process wrote to the stream, in order, keyed by its main thread (0: the program's own, n * 65536:
    its n-th child), and what each worker thread wrote straight to the fd, keyed by that thread.

    A worker's output through its process.stdout is written by its process's main thread later, from a
    message-port callback (or, as the worker exits, from the Worker's own callback); such a write is given the
    worker's own attribution, from the moment the worker printed it. A worker's direct write (fs.writeSync(1, ...))
    reaches the fd at once: it is that thread's own piece.
    """
    resources = _Resources(events)
    pids = {event.thread: event.pid for event in events if type(event) is Hello and event.thread >= PROCESS_THREADS}
    piped = {event.thread for event in events if type(event) is Process and not event.direct}
    writes = [(index, event) for index, event in enumerate(events) if type(event) is Write and event.stream == stream]
    worker_writes: dict[int, deque[Write]] = {}
    for _, event in writes:
        if event.thread % PROCESS_THREADS != MAIN_THREAD and not event.direct:
            worker_writes.setdefault(event.thread, deque()).append(event)
    pieces: dict[int, list[_Piece]] = {}
    for index, event in writes:
        if event.thread % PROCESS_THREADS != MAIN_THREAD and not event.direct:
            continue
        process = event.thread // PROCESS_THREADS
        key = event.thread if event.direct else process * PROCESS_THREADS
        pid = pids.get(process * PROCESS_THREADS)
        attribution = resources.describe(event, pid)
        context_type = resources.types.get((event.thread, event.context))
        if context_type in ("MESSAGEPORT", "WORKER"):  # a message callback, or the drain at the worker's exit
            for thread, queue in worker_writes.items():
                if thread // PROCESS_THREADS == process and queue and queue[0].text == event.text:
                    attribution = resources.describe(queue.popleft(), pid)
                    break
        relayed = context_type == "PIPEWRAP" and event.phase == "poll"  # read from a pipe, not its close
        piece = _Piece(event.text, attribution, relayed, process * PROCESS_THREADS in piped, index)
        pieces.setdefault(key, []).append(piece)
    return pieces


def attribute_lines(events: list[TraceEvent], output: list[str], stream: str = "stdout") -> list[AttributedLine]:
    """Attribute each line of `output` (what the stream really received) using the trace's writes.

    A line takes the attribution of the write that began it. The output interleaves the lines of every process
    sharing the stream (a forked child inherits it): each line is matched with the next unmatched line of each
    process, the nearest first, then the one written first. A line the program's process wrote from a pipe's
    read callback that is also a child's line is the child's (`child.stdout.pipe(process.stdout)`). Lines the
    trace never saw written (from a process the tracer did not reach) keep no attribution.
    """
    sequences: dict[int, list[_Piece]] = {}
    for process, pieces in _pieces(events, stream).items():
        assembler: LineAssembler[_Piece] = LineAssembler()
        lines: list[tuple[str, _Piece]] = []
        for piece in pieces:
            lines += assembler.feed(piece.text, piece)
        lines += assembler.finish()
        sequences[process] = [piece._replace(text=text) for text, piece in lines]
    positions = dict.fromkeys(sequences, 0)

    out: list[AttributedLine] = []
    for text in output:
        hits = []
        for process, sequence in sequences.items():
            found = _find(sequence, text, positions[process])
            if found is not None:
                hits.append((found > positions[process], sequence[found].order, process, found))
        relays = any(sequences[p][at].relayed for _, _, p, at in hits)
        hits = [hit for hit in hits if relays or not sequences[hit[2]][hit[3]].piped]
        if not hits:
            out.append(AttributedLine(text, None, None, None, None, None))
            continue
        hits.sort()
        _, _, process, found = hits[0]
        if sequences[process][found].relayed:  # a child's line this process read from a pipe and wrote out
            child = next((hit for hit in hits if hit[2] // PROCESS_THREADS > process // PROCESS_THREADS), None)
            if child is not None:
                _, _, process, found = child
        for _, _, other, at in hits:  # the copy a parent relayed is the same line
            if other < process and sequences[other][at].relayed:
                positions[other] = at + 1
        positions[process] = found + 1
        chosen = sequences[process][found]
        a = chosen.attribution
        out.append(AttributedLine(text, a.phase, a.queue, a.thread, a.callback, a.site, a.pid))
    return out


def _find(traced: list[_Piece], text: str, start: int, window: int = 64) -> int | None:
    """The next traced line with this text, looking a little ahead in case a line slipped in between."""
    for index in range(start, min(len(traced), start + window)):
        if traced[index].text == text:
            return index
    return None
