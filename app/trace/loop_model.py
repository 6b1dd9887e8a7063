"""The Timeline: one thread's loop replayed from trace events, with keyframes to step either way.

`replay(events)` gives one; `timeline.at(i)` is the loop after the first i events (loop_reducer.py applies them).
"""

from __future__ import annotations

import bisect
from array import array

from app.trace.attribute import LineAssembler
from app.trace.loop_reducer import LoopState
from app.trace.loop_snapshot import LoopInput, LoopSnapshot, ShownLine
from app.trace.schema import Before, Init, Label, Meta, Write

KEYFRAME_EVERY = 512
# One iteration's phases, in order. libuv 1.45 (Node 20.3 and later) moved due timers to the end of each
# iteration, after close callbacks, with one timers pass before the first iteration; before that, timers
# came first. Seen from the markers, both run close, timers, then pending between one poll and the next.
PHASES_SINCE_LIBUV_1_45 = ("pending", "poll", "check", "close", "timers")
PHASES_BEFORE_LIBUV_1_45 = ("timers", "pending", "poll", "check", "close")


def phase_order(uv_version: str) -> tuple[str, ...]:
    """The phases of one iteration for this libuv version (the trace's Meta event has it)."""
    try:
        major, minor = (int(part) for part in uv_version.split(".")[:2])
    except ValueError:
        return PHASES_SINCE_LIBUV_1_45  # unknown: the Nodes looplab supports all have a recent libuv
    return PHASES_SINCE_LIBUV_1_45 if (major, minor) >= (1, 45) else PHASES_BEFORE_LIBUV_1_45


class Timeline:
    """Snapshots of one thread's loop, computed on demand from keyframes, for stepping either way.

    `extend` adds events as a live run produces them; snapshots already taken stay valid.
    """

    def __init__(
        self, events: list[LoopInput], thread: int = 0, show_internals: bool = False, threadpool_size: int = 4
    ) -> None:
        self.thread = thread
        self.show_internals = show_internals
        self.events: list[LoopInput] = []
        self._state = LoopState(thread, show_internals, threadpool_size)
        self._keyframes: list[tuple[int, LoopState]] = [(0, self._state.copy())]
        self._keyframe_at: list[int] = [0]
        self.output: list[ShownLine] = []  # every line, once; a snapshot takes the first n
        self._output_after = array("i", [0])  # lines complete after the first i events
        self._assemblers: dict[str, LineAssembler[tuple[str, str, int]]] = {}
        self.callback_starts: list[int] = []  # event counts at which an outermost callback has just begun
        self.phase_changes: list[int] = []  # event counts at which the phase has just changed
        self.changed_to: list[str] = []  # the phase entered at each of phase_changes
        self.sites: dict[int, tuple[str, str]] = {}  # resource -> (label, where it was scheduled)
        self.uv_version = ""
        self.phase_order = phase_order("")
        # Every thread's events, as they came (the lanes view draws all threads): `every[: every_before[i]]`
        # is what had come before this thread's event i, so position i of this timeline is a place in them too.
        self.every: list[LoopInput] = []
        self.every_before = array("q")
        self.extend(events)

    def extend(self, events: list[LoopInput]) -> None:
        state = self._state
        for event in events:
            if event.thread != self.thread:
                self.every.append(event)
                continue
            self.every_before.append(len(self.every))
            self.every.append(event)
            self.events.append(event)
            index = len(self.events)
            shown = self.show_internals or getattr(event, "id", 0) not in state.internal
            if isinstance(event, Before) and not state.stack and shown:
                self.callback_starts.append(index)
            elif isinstance(event, Write):
                assembler = self._assemblers.setdefault(event.stream, LineAssembler())
                tag = (event.phase, event.queue, event.context)
                for text, (phase, queue, context) in assembler.feed(event.text, tag):
                    self.output.append(ShownLine(text, event.stream, phase, queue, context))
            elif isinstance(event, Meta):
                self.uv_version = event.uv_version
                self.phase_order = phase_order(event.uv_version)
            last_phase = state.phase
            state.apply(event)
            if isinstance(event, Init | Label):
                item = state.items.get(event.id)  # a continuation (fs.readFile's next request) inherits its label
                if item is not None and (item.label or item.site):
                    self.sites[event.id] = (item.label, item.site or "")
            self._output_after.append(len(self.output))
            if state.phase != last_phase:
                self.phase_changes.append(index)
                self.changed_to.append(state.phase)
            # Keyframes at least as far apart as the state is large: memory stays linear in the events.
            if index - self._keyframe_at[-1] >= max(KEYFRAME_EVERY, len(state.items)):
                self._keyframes.append((index, state.copy()))
                self._keyframe_at.append(index)

    def __len__(self) -> int:
        return len(self.events)

    def every_at(self, index: int) -> int:
        """How many of `every` (all threads' events) had come when this thread's first `index` had: at the end,
        all of them; else those before its event `index` + 1."""
        return len(self.every) if index >= len(self.events) else self.every_before[max(0, index)]

    def at(self, index: int) -> LoopSnapshot:
        """The loop after the first `index` events (0 = before anything happened)."""
        index = max(0, min(index, len(self.events)))
        if index == len(self.events):  # the newest state is kept live: a live viewer's redraw copies nothing
            return self._state.snapshot(index, tuple(self.output[: self._output_after[index]]))
        start, frame = self._keyframes[bisect.bisect_right(self._keyframe_at, index) - 1]
        state = frame.copy()
        for event in self.events[start:index]:
            state.apply(event)
        return state.snapshot(index, tuple(self.output[: self._output_after[index]]))

    def line_positions(self) -> list[int]:
        """For each output line, the event count at which it was complete (where a picture of the run puts it)."""
        return [bisect.bisect_right(self._output_after, line) for line in range(len(self.output))]

    def site_of(self, resource: int) -> str | None:
        """Where the user's code scheduled this resource (file:line:column), if the tracer saw it."""
        return self.sites.get(resource, ("", ""))[1] or None

    def next_callback(self, index: int) -> int:
        return _after(self.callback_starts, index, len(self.events))

    def previous_callback(self, index: int) -> int:
        return _before(self.callback_starts, index)

    def next_phase(self, index: int) -> int:
        return _after(self.phase_changes, index, len(self.events))

    def previous_phase(self, index: int) -> int:
        return _before(self.phase_changes, index)


def _after(marks: list[int], index: int, end: int) -> int:
    position = bisect.bisect_right(marks, index)
    return marks[position] if position < len(marks) else end


def _before(marks: list[int], index: int) -> int:
    position = bisect.bisect_left(marks, index) - 1
    return marks[position] if position >= 0 else 0


def replay(
    events: list[LoopInput], thread: int = 0, show_internals: bool = False, threadpool_size: int = 4
) -> Timeline:
    return Timeline(events, thread, show_internals, threadpool_size)
