"""A pure model of the heap over a run: each V8 heap space's used size over time, and each GC pause with its kind.

The tracer (heap_hooks.cc, copied into the trace by tracer.js) reports a space's used size when it changed, just
before and after each GC and as poll began or ended (`HeapSize`), and each pause from V8's GC prologue to its
epilogue (`Gc`). No clock, no I/O: `HeapTimeline.at(i)` is the state after the first i events of the loop
Timeline's thread, so the view moves with the others when stepping or scrubbing.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import NamedTuple

from app.trace.following import KindsTimeline
from app.trace.schema import Gc, HeapDropped, HeapSize, Mark, TraceEvent


class Sample(NamedTuple):
    micros: int
    kib: int


class SpaceSeries(NamedTuple):
    """One heap space and every used size the tracer saw it at, so far."""

    name: str  # V8's: new_space, old_space, code_space, large_object_space, trusted_space...
    samples: tuple[Sample, ...]

    @property
    def now(self) -> int:
        return self.samples[-1].kib if self.samples else 0

    @property
    def peak(self) -> int:
        return max((sample.kib for sample in self.samples), default=0)


@dataclass(frozen=True)
class HeapSnapshot:
    position: int
    spaces: tuple[SpaceSeries, ...]  # in V8's order; only spaces that held something at some point
    gcs: tuple[Gc, ...]  # in the order they ended
    dropped: int  # records the tracer's ring had no room for (a very long callback with a thousand GCs)
    start: int  # µs of the first heap record: the charts' left edge
    now: int  # µs: the latest time the trace had reached at this position

    @property
    def largest(self) -> Gc | None:
        """The longest pause so far (the first of equals)."""
        return max(self.gcs, key=lambda gc: gc.pause, default=None)

    @property
    def paused(self) -> int:
        """µs the thread stood still in GC pauses, in all."""
        return sum(gc.pause for gc in self.gcs)

    @property
    def used(self) -> int:
        """KiB in use in every space now."""
        return sum(space.now for space in self.spaces)

    def count(self, kind: str) -> int:
        return sum(gc.kind == kind for gc in self.gcs)

    def space(self, name: str) -> SpaceSeries | None:
        return next((space for space in self.spaces if space.name == name), None)


HEAP_EVENTS = frozenset({Gc, HeapSize, HeapDropped, Mark})


class HeapTimeline(KindsTimeline):
    """Heap snapshots at every position of the loop Timeline of the same thread, computed on demand."""

    KINDS = HEAP_EVENTS

    @property
    def change_positions(self) -> list[int]:
        """Positions just after each heap record: where stepping shows something new."""
        return [p for p, e in zip(self._positions, self._events, strict=True) if not isinstance(e, Mark)]

    @property
    def gc_positions(self) -> list[int]:
        """Positions just after each GC record."""
        return [p for p, e in zip(self._positions, self._events, strict=True) if isinstance(e, Gc)]

    def at(self, position: int) -> HeapSnapshot:
        position = max(0, min(position, len(self)))
        picked = self._events[: bisect.bisect_right(self._positions, position)]
        samples: dict[str, list[Sample]] = {}
        gcs: list[Gc] = []
        dropped = 0
        times: list[int] = []
        marks: list[int] = []
        for event in picked:
            if isinstance(event, HeapSize):
                samples.setdefault(event.space, []).append(Sample(event.micros, event.kib))
                times.append(event.micros)
            elif isinstance(event, Gc):
                gcs.append(event)
                times.append(event.start + event.pause)
            elif isinstance(event, Mark):
                marks.append(event.loop_ms * 1000)
            else:
                dropped = event.count
                times.append(event.micros)
        spaces = tuple(
            SpaceSeries(name, tuple(history)) for name, history in samples.items() if any(s.kib for s in history)
        )
        start = min(times, default=0)
        now = max([start, *times, *(micros for micros in marks if micros >= start)])
        return HeapSnapshot(position, spaces, tuple(gcs), dropped, start, now)


def replay_heap(events: list[TraceEvent], thread: int = 0) -> HeapTimeline:
    return HeapTimeline(events, thread)
