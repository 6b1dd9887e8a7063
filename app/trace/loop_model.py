"""A pure model of one thread's event loop, rebuilt from trace events: snapshots to step through.

`replay(events)` gives a Timeline; `timeline.at(i)` is the loop after the first i events. Nothing here
reads a clock, does I/O or keeps global state, so the same events always give the same snapshots.
How the run ended (a RunEnd: exit code, signal, timeout, cancel) is the runner's to know, not the
tracer's: whoever has it appends it as the last event.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

from app.trace.analysis import STARVATION_CALLBACKS
from app.trace.attribute import LineAssembler
from app.trace.schema import (
    After,
    Before,
    Counts,
    Destroy,
    ExitEvent,
    Hello,
    Init,
    Label,
    Mark,
    Meta,
    ModuleBody,
    PoolSize,
    Resolve,
    Summary,
    TimeBase,
    Timer,
    TraceEvent,
    Write,
    friendly_kind,
)

if TYPE_CHECKING:
    from app.runner.process import RunResult
    from app.trace.recording import TraceRecording

THREADPOOL_TYPES = frozenset(
    {
        "FSREQCALLBACK",
        "FSREQPROMISE",
        "GETADDRINFOREQWRAP",
        "GETNAMEINFOREQWRAP",
        "ZLIB",
        "PBKDF2REQUEST",
        "RANDOMBYTESREQUEST",
        "SCRYPTREQUEST",
        "HASHREQUEST",
        "CIPHERREQUEST",
        "SIGNREQUEST",
        "DERIVEBITSREQUEST",
        "KEYGENREQUEST",
        "KEYPAIRGENREQUEST",
        "CHECKPRIMEREQUEST",
        "RANDOMPRIMEREQUEST",
        "HKDFREQUEST",
    }
)
CALLBACK_TYPES = frozenset({"Timeout", "Immediate", "TickObject", "PROMISE"})  # never continuations of I/O
KEYFRAME_EVERY = 512
# One iteration's phases, in order. libuv 1.45 (Node 20.3 and later) moved due timers to the end of each
# iteration, after close callbacks, with one timers pass before the first iteration; before that, timers
# came first. Seen from the markers, both run close, timers, then pending between one poll and the next.
PHASES_SINCE_LIBUV_1_45 = ("pending", "poll", "check", "close", "timers")
PHASES_BEFORE_LIBUV_1_45 = ("timers", "pending", "poll", "check", "close")
RESOLVED_REMEMBERED = 512  # recently resolved promises, for a then() attached just after
WAITING_LANES = ("timers", "poll", "check", "next_tick", "microtasks", "alive")  # what a process can leave behind


class RunEnd(NamedTuple):
    """How the process ended, as the runner saw it: the last input of a timeline, added after the trace.

    The tracer cannot report a kill, so this comes from the runner (or a recording's header), not the trace.
    """

    thread: int  # always 0: the main thread's loop
    exit_code: int | None  # None when a signal ended it
    signal: str | None
    timed_out: bool
    cancelled: bool
    truncated: bool  # stopped at the output limit
    seconds: float  # how long the run lasted

    @property
    def stopped(self) -> bool:
        """Ended from outside (timeout, cancel, output limit, signal), not by the program finishing."""
        return self.timed_out or self.cancelled or self.truncated or self.exit_code is None

    @classmethod
    def of_result(cls, result: RunResult) -> RunEnd:
        return cls(
            0, result.exit_code, result.signal, result.timed_out, result.cancelled, result.truncated, result.duration
        )

    @classmethod
    def of_recording(cls, recording: TraceRecording) -> RunEnd:
        return cls(
            0,
            recording.exit_code,
            recording.signal,
            recording.timed_out,
            recording.cancelled,
            recording.truncated,
            recording.duration,
        )


LoopInput = TraceEvent | RunEnd  # what a Timeline is made of: the trace, then how the run ended


@dataclass(frozen=True)
class QueueItem:
    id: int
    label: str  # callback name, Node API or kind of work
    site: str | None  # where the user's code scheduled it
    kind: str  # the async resource type
    due: int | None = None  # timers: loop time (ms) at which it is due
    handle: bool = False  # a libuv handle: it outlives its callbacks until closed

    @property
    def title(self) -> str:
        return self.label or friendly_kind(self.kind)


@dataclass(frozen=True)
class ShownLine:
    text: str
    stream: str
    phase: str
    queue: str
    context: int = 0  # the outermost callback that printed it; 0 for the main module


@dataclass(frozen=True)
class LoopSnapshot:
    """Where the loop is after some number of events."""

    events: int  # how many events have been applied
    phase: str
    iteration: int
    loop_ms: int | None
    running: QueueItem | None  # the outermost callback running now
    running_queue: str | None
    timers: tuple[QueueItem, ...]
    pending: tuple[QueueItem, ...]  # callbacks seen running in the pending phase of this iteration
    poll: tuple[QueueItem, ...]  # I/O being waited for
    threadpool_busy: int
    threadpool_size: int
    check: tuple[QueueItem, ...]
    close: tuple[QueueItem, ...]  # close callbacks seen running in this iteration
    next_tick: tuple[QueueItem, ...]
    microtasks: tuple[QueueItem, ...]
    output: tuple[ShownLine, ...]
    keeping_alive: tuple[QueueItem, ...]
    summarised: bool  # the tracer switched to counts; queues past that point are not followed
    counts: tuple[tuple[str, str, str, int], ...]  # (phase, queue, what, count) after the switch
    loop_ran_dry: bool = False  # 'beforeExit' was emitted: nothing was left to wait for
    exited: bool = False  # 'exit' was emitted, or the run is over: the loop will not turn again
    ended: RunEnd | None = None  # how the run ended, once the runner has said so
    left_at_end: tuple[tuple[str, QueueItem], ...] = ()  # (lane, item) still listed when the process ended
    stopped_while: QueueItem | None = None  # the callback running when the run was stopped from outside
    starving: tuple[str, int] | None = None  # (queue, callbacks) refilling itself since the loop last moved
    traced: bool = True  # False: the run ended before the tracer sent anything


@dataclass
class _State:
    """The loop's state at one moment: only what is alive, so copying it for a keyframe stays cheap.

    Output is not here: it only ever grows, so the Timeline keeps it once and slices it.
    """

    thread: int
    show_internals: bool
    threadpool_size: int
    phase: str = "main"
    iteration: int = 0
    loop_ms: int | None = None
    time_offset: int = 0
    stack: list[int] = field(default_factory=list)
    running_queue: str | None = None
    items: dict[int, QueueItem] = field(default_factory=dict)  # every resource that may still be seen
    internal: set[int] = field(default_factory=set)
    resolved: dict[int, None] = field(default_factory=dict)  # recently resolved promises, oldest first
    lanes: dict[str, dict[int, None]] = field(
        default_factory=lambda: {
            n: {} for n in ("timers", "pending", "poll", "check", "close", "next_tick", "microtasks", "alive")
        }
    )
    children: dict[int, list[int]] = field(default_factory=dict)  # promise -> reactions waiting on it
    busy: int = 0
    summarised: bool = False
    loop_ran_dry: bool = False  # 'beforeExit' was emitted
    exited: bool = False  # process 'exit' was emitted (or the run ended): the loop will not turn again
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    ended: RunEnd | None = None
    left_at_end: tuple[tuple[str, QueueItem], ...] = ()
    stopped_while: QueueItem | None = None
    ticks_in_a_row: int = 0  # nextTick callbacks since the loop last moved (a marker or a macrotask)
    microtasks_in_a_row: int = 0
    traced: bool = False  # the tracer sent something

    def copy(self) -> _State:
        return replace(
            self,
            stack=list(self.stack),
            items=dict(self.items),
            internal=set(self.internal),
            resolved=dict(self.resolved),
            lanes={name: dict(lane) for name, lane in self.lanes.items()},
            children={k: list(v) for k, v in self.children.items()},
            counts=dict(self.counts),
        )

    # --- applying one event ----------------------------------------------------------------------------

    def apply(self, event: LoopInput) -> None:
        if event.thread != self.thread:
            return
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _enter(self, name: str, resource: int) -> None:
        if resource in self.items and (self.show_internals or resource not in self.internal):
            self.lanes[name][resource] = None

    def _leave_all(self, resource: int, keep_alive: bool = False) -> None:
        for name, lane in self.lanes.items():
            if keep_alive and name == "alive":
                continue
            lane.pop(resource, None)

    def _forget(self, resource: int) -> None:
        self._leave_all(resource)
        self.items.pop(resource, None)
        self.internal.discard(resource)

    def on_init(self, event: Init) -> None:
        parent = self.items.get(event.trigger)
        if (
            event.internal
            and parent is not None
            and parent.kind == event.type
            and event.type not in CALLBACK_TYPES
            and event.trigger not in self.internal
        ):
            # The next step of the user's own operation (fs.readFile is four requests in a row): keep its label.
            self.items[event.id] = replace(parent, id=event.id, due=None)
        else:
            self.items[event.id] = QueueItem(event.id, "", None, event.type, handle=event.handle)
            if event.internal:
                self.internal.add(event.id)
        kind = event.type
        if kind == "Timeout":
            self._enter("timers", event.id)
            self._enter("alive", event.id)
        elif kind == "Immediate":
            self._enter("check", event.id)
            self._enter("alive", event.id)
        elif kind == "TickObject":
            self._enter("next_tick", event.id)
        elif kind == "PROMISE":
            if event.trigger in self.resolved:
                self._enter("microtasks", event.id)
            elif parent is not None and parent.kind == "PROMISE":
                self.children.setdefault(event.trigger, []).append(event.id)
        else:
            if kind in THREADPOOL_TYPES:
                self.busy += 1
            if not event.handle:
                self._enter("poll", event.id)
            self._enter("alive", event.id)

    def on_label(self, event: Label) -> None:
        item = self.items.get(event.id)
        if item is not None:
            self.items[event.id] = replace(item, label=event.name, site=event.site or None)

    def on_timer(self, event: Timer) -> None:
        item = self.items.get(event.id)
        if item is not None:
            self.items[event.id] = replace(item, due=event.start + event.delay + self.time_offset)
            self._enter("timers", event.id)  # an interval re-armed goes back in line

    def on_time_base(self, event: TimeBase) -> None:
        self.time_offset = event.offset

    def on_resolve(self, event: Resolve) -> None:
        self.resolved[event.id] = None
        if len(self.resolved) > RESOLVED_REMEMBERED:
            del self.resolved[next(iter(self.resolved))]
        for child in self.children.pop(event.id, ()):
            self._enter("microtasks", child)
        # A settled promise that is neither running nor queued has nothing more to show (and promises
        # are never destroyed in the trace).
        if event.id not in self.stack and event.id not in self.lanes["microtasks"]:
            self._forget(event.id)

    def on_before(self, event: Before) -> None:
        self._count_in_a_row(event.queue, 1)
        if not self.stack:  # an outermost callback: nested ones (an HTTP parser inside a socket read) run within it
            self.running_queue = event.queue
            if event.queue == "macrotask":
                self.phase = event.phase  # ticks and microtasks keep the phase whose callback drained them
            item = self.items.get(event.id)
            if item is not None and item.kind in THREADPOOL_TYPES and self.busy > 0:
                self.busy -= 1  # the work is done; its callback is what runs now
            self._leave_all(event.id, keep_alive=item is not None and item.handle)
            if event.queue == "macrotask" and event.phase in ("pending", "close"):
                self._enter(event.phase, event.id)  # these lanes show what ran in that phase this iteration
        self.stack.append(event.id)

    def on_after(self, event: After) -> None:
        if self.stack:
            self.stack.pop()
        if not self.stack:
            self.running_queue = None
        if self._one_shot(event.id) and not self._shown_as_ran(event.id):
            self._forget(event.id)

    def _one_shot(self, resource: int) -> bool:
        """Done once its callback has run: not a timer (destroy says when), nor a handle (it lives on)."""
        item = self.items.get(resource)
        return item is not None and item.kind != "Timeout" and not item.handle

    def _shown_as_ran(self, resource: int) -> bool:
        """Still shown in the pending or close lane, as having run this iteration."""
        return resource in self.lanes["pending"] or resource in self.lanes["close"]

    def on_destroy(self, event: Destroy) -> None:
        self._forget(event.id)
        self.children.pop(event.id, None)

    def on_module_body(self, event: ModuleBody) -> None:
        """The promise job running now is an ES module entry's body: the main module, wherever the loop was."""
        self.phase = "main"
        self.running_queue = "macrotask"
        item = self.items.get(event.id)
        if item is not None:
            self.items[event.id] = replace(item, label="main")
        self.internal.discard(event.id)

    def on_mark(self, event: Mark) -> None:
        if self.exited:  # the addon's last markers can arrive after 'exit'; the loop is over by then
            return
        self.loop_ms = event.loop_ms
        self.ticks_in_a_row = self.microtasks_in_a_row = 0
        if event.kind == "prepare":
            self.iteration = event.iteration
            self.phase = "poll"
            ran = [*self.lanes["pending"], *self.lanes["close"]]  # what ran there last iteration is over
            self.lanes["pending"].clear()
            self.lanes["close"].clear()
            for resource in ran:
                if self._one_shot(resource) and resource not in self.stack:
                    self._forget(resource)
        else:
            self.phase = "check"

    def on_exit(self, event: ExitEvent) -> None:
        self.phase = "exit"
        self.loop_ran_dry = self.loop_ran_dry or event.which == "beforeExit"
        if event.which == "exit" and not self.exited:
            self._close_everything()

    def _close_everything(self) -> None:
        """The process is going: nothing runs any more, and what is still listed is left behind."""
        self.exited = True
        self.stack.clear()
        self.running_queue = None
        self.busy = 0
        if not self.summarised:  # after the switch to counts the lanes are stale: they left nothing known behind
            seen: set[int] = set()
            left = []
            for name in WAITING_LANES:
                for resource in self.lanes[name]:
                    if resource in self.items and resource not in seen:
                        seen.add(resource)
                        left.append(("poll" if name == "alive" else name, self.items[resource]))  # handles wait in poll
            self.left_at_end = tuple(left)
        for lane in self.lanes.values():
            lane.clear()

    def on_run_end(self, event: RunEnd) -> None:
        self.ended = event
        if event.stopped and not self.exited:  # killed from outside: say what was running then
            running = self.items.get(self.stack[0]) if self.stack else None
            self.stopped_while = None if self.summarised else running
        if not self.exited:
            self._close_everything()
            if not event.stopped:
                self.phase = "exit"  # it ended by itself though the tracer could not say so

    def on_summary(self, event: Summary) -> None:
        self.summarised = True

    def on_counts(self, event: Counts) -> None:
        key = (event.phase, event.queue, event.what)
        self.counts[key] = self.counts.get(key, 0) + event.count
        if event.what == "callback":
            self._count_in_a_row(event.queue, event.count)

    def _count_in_a_row(self, queue: str, callbacks: int) -> None:
        """Ticks and microtasks run since the loop last moved: a queue that keeps refilling itself starves it."""
        if queue == "nextTick":
            self.ticks_in_a_row += callbacks
        elif queue == "microtask":
            self.microtasks_in_a_row += callbacks
        else:
            self.ticks_in_a_row = self.microtasks_in_a_row = 0

    def on_hello(self, event: Hello) -> None:
        self.traced = True

    def on_pool_size(self, event: PoolSize) -> None:
        self.threadpool_size = event.size  # what libuv really started, whatever the caller guessed

    def snapshot(self, index: int, output: tuple[ShownLine, ...]) -> LoopSnapshot:
        def lane(name: str) -> tuple[QueueItem, ...]:
            return tuple(self.items[i] for i in self.lanes[name] if i in self.items)

        timers = tuple(sorted(lane("timers"), key=lambda t: (t.due is None, t.due or 0)))
        running = self.items.get(self.stack[0]) if self.stack else None
        queue, refills = max(("nextTick", self.ticks_in_a_row), ("microtask", self.microtasks_in_a_row), key=_second)
        return LoopSnapshot(
            events=index,
            phase=self.phase,
            iteration=self.iteration,
            loop_ms=self.loop_ms,
            running=running,
            running_queue=self.running_queue if self.stack else None,
            timers=timers,
            pending=lane("pending"),
            poll=lane("poll"),
            threadpool_busy=self.busy,
            threadpool_size=self.threadpool_size,
            check=lane("check"),
            close=lane("close"),
            next_tick=lane("next_tick"),
            microtasks=lane("microtasks"),
            output=output,
            keeping_alive=lane("alive"),
            summarised=self.summarised,
            counts=tuple((p, q, w, n) for (p, q, w), n in sorted(self.counts.items())),
            loop_ran_dry=self.loop_ran_dry,
            exited=self.exited,
            ended=self.ended,
            left_at_end=self.left_at_end,
            stopped_while=self.stopped_while,
            starving=(queue, refills) if refills >= STARVATION_CALLBACKS else None,
            traced=self.traced,
        )


_HANDLERS = {
    Init: _State.on_init,
    Label: _State.on_label,
    Timer: _State.on_timer,
    TimeBase: _State.on_time_base,
    Resolve: _State.on_resolve,
    Before: _State.on_before,
    After: _State.on_after,
    Destroy: _State.on_destroy,
    Mark: _State.on_mark,
    ModuleBody: _State.on_module_body,
    ExitEvent: _State.on_exit,
    Summary: _State.on_summary,
    Counts: _State.on_counts,
    RunEnd: _State.on_run_end,
    Hello: _State.on_hello,
    PoolSize: _State.on_pool_size,
}


def _second(pair: tuple[str, int]) -> int:
    return pair[1]


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
        self._state = _State(thread, show_internals, threadpool_size)
        self._keyframes: list[tuple[int, _State]] = [(0, self._state.copy())]
        self._keyframe_at: list[int] = [0]
        self.output: list[ShownLine] = []  # every line, once; a snapshot takes the first n
        self._output_after = array("i", [0])  # lines complete after the first i events
        self._assemblers: dict[str, LineAssembler[tuple[str, str, int]]] = {}
        self.callback_starts: list[int] = []  # event counts at which an outermost callback has just begun
        self.phase_changes: list[int] = []  # event counts at which the phase has just changed
        self.sites: dict[int, tuple[str, str]] = {}  # resource -> (label, where it was scheduled)
        self.uv_version = ""
        self.phase_order = phase_order("")
        self.extend(events)

    def extend(self, events: list[LoopInput]) -> None:
        state = self._state
        for event in events:
            if event.thread != self.thread:
                continue
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
            # Keyframes at least as far apart as the state is large: memory stays linear in the events.
            if index - self._keyframe_at[-1] >= max(KEYFRAME_EVERY, len(state.items)):
                self._keyframes.append((index, state.copy()))
                self._keyframe_at.append(index)

    def __len__(self) -> int:
        return len(self.events)

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
