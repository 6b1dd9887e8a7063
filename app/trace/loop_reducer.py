"""The pure reducer: one thread's loop state and how each trace event changes it.

No clock, no I/O, no global state: the Timeline replays events through it and copies it for keyframes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.trace.analysis import STARVATION_CALLBACKS
from app.trace.loop_snapshot import LoopInput, LoopSnapshot, QueueItem, RunEnd, ShownLine
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
    ModuleBody,
    PoolSize,
    Resolve,
    Summary,
    TimeBase,
    Timer,
)

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
RESOLVED_REMEMBERED = 512  # recently resolved promises, for a then() attached just after
WAITING_LANES = ("timers", "poll", "check", "next_tick", "microtasks", "alive")  # what a process can leave behind


@dataclass
class LoopState:
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

    def copy(self) -> LoopState:
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
    Init: LoopState.on_init,
    Label: LoopState.on_label,
    Timer: LoopState.on_timer,
    TimeBase: LoopState.on_time_base,
    Resolve: LoopState.on_resolve,
    Before: LoopState.on_before,
    After: LoopState.on_after,
    Destroy: LoopState.on_destroy,
    Mark: LoopState.on_mark,
    ModuleBody: LoopState.on_module_body,
    ExitEvent: LoopState.on_exit,
    Summary: LoopState.on_summary,
    Counts: LoopState.on_counts,
    RunEnd: LoopState.on_run_end,
    Hello: LoopState.on_hello,
    PoolSize: LoopState.on_pool_size,
}


def _second(pair: tuple[str, int]) -> int:
    return pair[1]
