"""A pure model of the program's streams: each one's buffered lengths against its highWaterMark, and its markers.

The tracer (tracer_stream.js) reports each stream the program's own code made (`StreamNew`, with the
highWaterMark and objectMode of each side as the stream had them: Node 20 and 24 differ, nothing is assumed
here), its readable and writable lengths when they changed between callbacks, and markers as they happened
(`StreamStep`: write() returned false, 'drain', 'end', 'finish', 'close', 'error', pipe()). No clock, no I/O:
`StreamTimeline.at(i)` is the state after the first i events of the loop Timeline's thread, so the view moves with
the others.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import PurePath
from typing import NamedTuple

from app.trace.following import KindsTimeline
from app.trace.schema import Mark, StreamNew, StreamStep, TraceEvent, site_parts

LENGTH_STEPS = {"readable_length": "readable", "writable_length": "writable"}
# markers whose value is a side's length at that moment: samples of it too (write() returned false at 16 KiB)
MARKER_SIDES = {"write_false": "writable", "drain": "writable", "push_false": "readable"}
ENDINGS = ("error", "close", "finish", "end")  # the word a stream's state shows, the first that happened wins


class Sample(NamedTuple):
    micros: int
    length: int


class Marker(NamedTuple):
    micros: int
    step: str  # write_false, push_false, drain, end, finish, close, error, pipe
    value: int  # the length then (for pipe: the destination's number, 0 for one not shown)


class Side(NamedTuple):
    """One side of a stream: its buffer's settings and every length it had so far."""

    name: str  # readable or writable
    hwm: int
    objects: bool  # objectMode: counts objects, not bytes
    history: tuple[Sample, ...]

    @property
    def length(self) -> int:
        return self.history[-1].length if self.history else 0

    @property
    def peak(self) -> int:
        return max((sample.length for sample in self.history), default=0)


@dataclass(frozen=True)
class StreamState:
    number: int
    name: str  # its class: SlowDisk, Gzip, ReadStream, Writable
    kind: str  # readable, writable, duplex or transform
    site: str  # "file:line:column" where the program made it
    sides: tuple[Side, ...]  # readable first
    markers: tuple[Marker, ...]
    cut: bool  # the tracer stopped recording its lengths (it had many)

    @property
    def place(self) -> str:
        """file:line of the site, the file's name alone."""
        parts = site_parts(self.site)
        return f"{PurePath(parts[0]).name}:{parts[1]}" if parts else self.site

    @property
    def waiting_for_drain(self) -> bool:
        """write() returned false and 'drain' has not come yet."""
        waiting = False
        for marker in self.markers:
            if marker.step == "write_false":
                waiting = True
            elif marker.step in ("drain", "close", "error"):
                waiting = False
        return waiting

    @property
    def ending(self) -> str:
        """The last of end, finish, close and error that happened, or ""."""
        steps = {marker.step for marker in self.markers}
        return next((step for step in ENDINGS if step in steps), "")

    @property
    def pipes_to(self) -> tuple[int, ...]:
        return tuple(marker.value for marker in self.markers if marker.step == "pipe")

    def count(self, step: str) -> int:
        return sum(marker.step == step for marker in self.markers)


@dataclass(frozen=True)
class StreamSnapshot:
    position: int
    streams: tuple[StreamState, ...]  # by number
    unshown: int  # streams the program made beyond the tracer's limit
    start: int  # µs of the first stream record: the charts' left edge
    now: int  # µs: the latest time the trace had reached at this position


STREAM_EVENTS = frozenset({StreamNew, StreamStep, Mark})


class StreamTimeline(KindsTimeline):
    """Stream snapshots at every position of the loop Timeline of the same thread, computed on demand."""

    KINDS = STREAM_EVENTS

    @property
    def change_positions(self) -> list[int]:
        """Positions just after each stream record: where stepping shows something new."""
        return [p for p, e in zip(self._positions, self._events, strict=True) if not isinstance(e, Mark)]

    def at(self, position: int) -> StreamSnapshot:
        position = max(0, min(position, len(self)))
        picked = self._events[: bisect.bisect_right(self._positions, position)]
        made: dict[int, StreamNew] = {}
        lengths: dict[tuple[int, str], list[Sample]] = {}
        markers: dict[int, list[Marker]] = {}
        cut: set[int] = set()
        unshown = 0
        times: list[int] = []
        marks: list[int] = []
        for event in picked:
            if isinstance(event, Mark):
                marks.append(event.loop_ms * 1000)
                continue
            if isinstance(event, StreamNew):
                made[event.stream] = event
                times.append(event.micros)
                continue
            times.append(event.micros)
            if event.step == "unshown":
                unshown = event.value
            elif event.step == "cut":
                cut.add(event.stream)
            elif event.step in LENGTH_STEPS:
                lengths.setdefault((event.stream, LENGTH_STEPS[event.step]), []).append(
                    Sample(event.micros, event.value)
                )
            else:
                markers.setdefault(event.stream, []).append(Marker(event.micros, event.step, event.value))
                if event.step in MARKER_SIDES:
                    lengths.setdefault((event.stream, MARKER_SIDES[event.step]), []).append(
                        Sample(event.micros, event.value)
                    )
        streams = tuple(
            StreamState(
                number,
                new.name,
                new.kind,
                new.site,
                _sides(new, lengths),
                tuple(markers.get(number, ())),
                number in cut,
            )
            for number, new in sorted(made.items())
        )
        start = min(times, default=0)
        now = max([start, *times, *(micros for micros in marks if micros >= start)])
        return StreamSnapshot(position, streams, unshown, start, now)


def _sides(new: StreamNew, lengths: dict[tuple[int, str], list[Sample]]) -> tuple[Side, ...]:
    sides = []
    if new.readable_hwm >= 0:
        history = tuple(lengths.get((new.stream, "readable"), ()))
        sides.append(Side("readable", new.readable_hwm, new.readable_objects, history))
    if new.writable_hwm >= 0:
        history = tuple(lengths.get((new.stream, "writable"), ()))
        sides.append(Side("writable", new.writable_hwm, new.writable_objects, history))
    return tuple(sides)


def replay_streams(events: list[TraceEvent], thread: int = 0) -> StreamTimeline:
    return StreamTimeline(events, thread)
