"""Event-loop delay, from the markers' real times: how long the loop stayed away from poll, and how late timers ran.

Two measures, in µs on the markers' clock (µs since tracing began, `Mark.micros`, `Before.micros`):

- A *blocked stretch* lasts from the loop's wait in poll ending to its next wait beginning (the prepare marker, just
  before poll): the rest of that poll phase (its I/O callbacks), the check, close and timers phases and the next
  pending phase, with every callback, tick and microtask run in them. Poll's wait ends where its first I/O callback
  begins, or at the check marker (just after poll returned) when it ran none. Meanwhile nothing new is taken from
  the OS: a timer that falls due or a socket that turns readable waits for the stretch to end. This is what
  perf_hooks.monitorEventLoopDelay samples with a repeating timer of its own, whose gaps it records; its values add
  its sampling interval (`resolution`, 10 ms by default) and ours do not, so its max is about ours plus up to that
  interval. Not counted: the time before the first poll (`startup`: Node's start, the main module and the first
  timers pass), and a stretch still under way where the trace ends or when the process emits 'exit'.
- A timer's *lateness*: when its callback began minus when it fell due (its start on Node's timer clock plus its
  delay; the TimeBase event ties that clock to the markers', exactly when the program's first timer is made before
  the loop's clock first moves, as in the main module). Node keeps timer times in whole ms of the loop's cached
  clock, and poll sleeps in whole ms, so a timer on time shows as up to about 1 ms late.

The tracer stamps each outermost macrotask callback's start (not ticks or microtasks): a stretch is cut at those
into segments, each running to the next, so a segment holds its callback with the ticks and microtasks after it and
is named by its phase and callback. The longest segment of a stretch says what kept the loop away.

`replay_delay(events)` gives a DelayTimeline; `at(i)` is the delay so far after the first i events of the loop
Timeline's thread (the positions the loop view steps through). No clock, I/O or global state.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

from app.trace.following import ThreadEvents
from app.trace.schema import Before, ExitEvent, Init, Label, Mark, TimeBase, Timer, TraceEvent, friendly_kind

# Histogram buckets, in ms: [0, 1), [1, 2), [2, 4) ... [64, 128), then 128 and more (doubling, as a log scale does).
BUCKET_EDGES_MS = (1, 2, 4, 8, 16, 32, 64, 128)


def bucket_names() -> tuple[str, ...]:
    """`<1`, `1-2`, ... `64-128`, `≥128` (ms)."""
    names = [f"<{BUCKET_EDGES_MS[0]}"]
    names += [f"{low}-{high}" for low, high in zip(BUCKET_EDGES_MS, BUCKET_EDGES_MS[1:], strict=False)]
    return (*names, f"≥{BUCKET_EDGES_MS[-1]}")


def bucket_of(micros: int) -> int:
    return bisect.bisect_right(BUCKET_EDGES_MS, micros / 1000)


class Segment(NamedTuple):
    """Part of a stretch: from `start` to the next segment's start (or the stretch's end), µs."""

    start: int
    phase: str  # the loop's phase; check, with no label, for the loop's own work from poll's end to the next callback
    label: str  # the callback's name or the API that scheduled it ("" for the loop's own work)
    site: str  # where the program scheduled it, file:line:column, or ""


class Stretch(NamedTuple):
    """The loop away from poll's wait: from one poll's first I/O callback (or its end, the check marker) to the
    prepare marker before the next poll."""

    iteration: int  # the iteration whose poll it left
    start: int  # µs
    end: int  # µs; for a stretch under way, the latest time the trace had reached
    segments: tuple[Segment, ...]

    @property
    def length(self) -> int:
        return self.end - self.start

    def segment_lengths(self) -> list[tuple[Segment, int]]:
        ends = [segment.start for segment in self.segments[1:]] + [self.end]
        return [(segment, max(0, end - segment.start)) for segment, end in zip(self.segments, ends, strict=True)]

    def longest_segment(self) -> tuple[Segment, int]:
        return max(self.segment_lengths(), key=lambda pair: pair[1])


class TimerRun(NamedTuple):
    """A timer's callback began: how long after it fell due."""

    id: int
    label: str
    site: str
    due: int  # µs
    ran: int  # µs

    @property
    def late(self) -> int:
        return max(0, self.ran - self.due)


class DelayStats(NamedTuple):
    count: int
    p50: int  # µs
    p99: int
    max: int
    buckets: tuple[int, ...]  # counts per bucket of BUCKET_EDGES_MS


def summarise(values: list[int]) -> DelayStats:
    """Nearest-rank percentiles (as a histogram reports them) and bucket counts of values in µs."""
    if not values:
        return DelayStats(0, 0, 0, 0, (0,) * (len(BUCKET_EDGES_MS) + 1))
    ordered = sorted(values)

    def rank(percent: int) -> int:
        return ordered[max(0, -(-percent * len(ordered) // 100) - 1)]

    buckets = [0] * (len(BUCKET_EDGES_MS) + 1)
    for value in ordered:
        buckets[bucket_of(value)] += 1
    return DelayStats(len(ordered), rank(50), rank(99), ordered[-1], tuple(buckets))


@dataclass(frozen=True)
class DelaySnapshot:
    position: int
    timed: bool  # the markers carry real times (False: no loop markers, or a trace recorded before they did)
    startup: int | None  # µs from tracing's start to the first poll, once the loop got there
    stretches: tuple[Stretch, ...]  # finished: each ended by a return to poll
    current: Stretch | None  # under way at this position: the loop left poll and has not come back yet
    timers: tuple[TimerRun, ...]  # timer callbacks begun so far
    now: int  # µs: the latest time the trace had reached at this position

    @property
    def blocked(self) -> DelayStats:
        return summarise([stretch.length for stretch in self.stretches])

    @property
    def late(self) -> DelayStats:
        return summarise([run.late for run in self.timers])

    @property
    def longest(self) -> Stretch | None:
        return max(self.stretches, key=lambda stretch: stretch.length, default=None)


class DelayTimeline(ThreadEvents):
    """Delay snapshots at every position of the loop Timeline of the same thread, computed on demand."""

    _INPUTS = frozenset({Mark, Before, Timer, TimeBase, Init, Label, ExitEvent})

    def __init__(self, events: list[TraceEvent], thread: int = 0) -> None:
        super().__init__(thread)
        self.startup: int | None = None
        self._startup_at = 0  # position of the first prepare marker
        self.stretches: list[Stretch] = []  # finished, in order
        self._ends: list[int] = []  # the position just after each finished stretch's prepare marker
        self._starts: list[int] = []  # the position just after each stretch began (one more if under way)
        self._open: tuple[int, int] | None = None  # the stretch under way at the end: (iteration, start µs)
        self._polling = 0  # the iteration whose poll began and may still be waiting (0: none)
        self._segments: list[list[tuple[int, Segment]]] = []  # per stretch begun: (position, segment)
        self.timer_runs: list[TimerRun] = []
        self._run_at: list[int] = []
        self._times: list[tuple[int, int]] = []  # (position, µs): the trace's time, rising
        self._due: dict[int, int] = {}  # timer id -> due time on Node's timer clock, ms (-1: cleared)
        self._offset: int | None = None  # markers' ms = Node timer ms + offset
        self._names: dict[int, tuple[str, str, str]] = {}  # resource id -> (type, label, site)
        self._ended = False  # the process emitted 'exit': what follows is its teardown
        self.timed = False
        self.extend(events)

    def extend(self, events: list[TraceEvent]) -> None:
        for position, event in self.own(events, self._INPUTS):
            if isinstance(event, Mark):
                self._mark(event, position)
            elif isinstance(event, Before):
                if event.micros and not self._ended:
                    self._callback(event, position)
            elif isinstance(event, Timer):
                self._due[event.id] = event.start + event.delay if event.delay >= 0 else -1
            elif isinstance(event, TimeBase):
                self._offset = event.offset if self._offset is None else self._offset
            elif isinstance(event, Init):  # fs.readFile's next step is made in the last one's callback: its name
                kind, label, site = self._names.get(event.trigger, ("", "", ""))
                self._names[event.id] = (event.type, label, site) if kind == event.type else (event.type, "", "")
            elif isinstance(event, Label):
                kind = self._names.get(event.id, ("", "", ""))[0]
                self._names[event.id] = (kind, event.name, event.site)
            elif isinstance(event, ExitEvent) and event.which == "exit" and not self._ended:
                self._ended = True
                if self._open is not None:  # the stretch the process exits in never returns to poll
                    self._open = None
                    self._starts.pop()
                    self._segments.pop()

    def _time(self, position: int, micros: int) -> None:
        if not self._times or micros > self._times[-1][1]:
            self._times.append((position, micros))

    def _mark(self, mark: Mark, position: int) -> None:
        if not mark.micros or self._ended:
            return
        self.timed = True
        self._time(position, mark.micros)
        if mark.kind == "check":
            if self._open is None:  # poll ran no callback: it waited until now
                self._begin(mark.iteration, position, Segment(mark.micros, "check", "", ""))
            else:  # the loop's own work from here to the first immediate
                self._segments[-1].append((position, Segment(mark.micros, "check", "", "")))
            self._polling = 0
            return
        self._polling = mark.iteration
        if self.startup is None:
            self.startup, self._startup_at = mark.micros, position
        if self._open is not None:
            iteration, start = self._open
            segments = tuple(segment for _, segment in self._segments[-1])
            self.stretches.append(Stretch(iteration, start, mark.micros, segments))
            self._ends.append(position)
            self._open = None

    def _begin(self, iteration: int, position: int, segment: Segment) -> None:
        self._open = (iteration, segment.start)
        self._starts.append(position)
        self._segments.append([(position, segment)])

    def _callback(self, before: Before, position: int) -> None:
        self._time(position, before.micros)
        kind, label, site = self._names.get(before.id, ("", "", ""))
        label = label or friendly_kind(kind)
        segment = Segment(before.micros, before.phase, label, site)
        if self._open is not None:
            self._segments[-1].append((position, segment))
        elif self._polling and before.phase == "poll":  # poll's wait ended with this I/O callback
            self._begin(self._polling, position, segment)
        due = self._due.pop(before.id, None)  # an interval's next due time comes with its next Timer event
        if due is not None and due >= 0 and self._offset is not None and before.phase == "timers":
            self.timer_runs.append(TimerRun(before.id, label, site, (due + self._offset) * 1000, before.micros))
            self._run_at.append(position)

    def at(self, position: int) -> DelaySnapshot:
        """The delay after the first `position` events (0 = before anything happened)."""
        position = max(0, min(position, self.length))
        finished = bisect.bisect_right(self._ends, position)
        times = bisect.bisect_right(self._times, (position, float("inf"))) - 1
        now = self._times[times][1] if times >= 0 else 0
        current = None
        if finished < len(self._starts) and self._starts[finished] <= position:  # left poll, not back yet
            begun = [segment for at, segment in self._segments[finished] if at <= position]
            start = begun[0].start
            iteration = self.stretches[finished].iteration if finished < len(self.stretches) else self._open[0]  # type: ignore[index]
            current = Stretch(iteration, start, max(now, start), tuple(begun))
        runs = bisect.bisect_right(self._run_at, position)
        return DelaySnapshot(
            position,
            self.timed,
            self.startup if self.startup is not None and self._startup_at <= position else None,
            tuple(self.stretches[:finished]),
            current,
            tuple(self.timer_runs[:runs]),
            now,
        )


def replay_delay(events: list[TraceEvent], thread: int = 0) -> DelayTimeline:
    return DelayTimeline(events, thread)
