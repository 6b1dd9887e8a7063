"""A pure model of every traced thread's loop side by side, and the messages between them: the lanes view.

Each thread of each traced process is a lane (its events name it: thread = n * 65536 + threadId, n = 0 for the
program's own process, n = 1, 2, ... for its traced children). A lane's history is a list of steps: a callback
began (its phase and what it was), it ended (the thread waits), the loop blocked in poll, the thread exited.
Messages (trace.schema.Message) pair by channel, direction and count: the k-th send on one end is the k-th
receive on the other. A MessagePort's messages name the port as its thread does: trace.port_names resolves those
names (from the PortMove events) to the channel's end first; a port's message whose name is not resolved is left out,
never guessed, and a message between two ends in one thread draws no arrow.

Time: every thread's loop markers count from that thread's start; tracer_messages.js ties each clock to the
machine's monotonic clock in µs (MessageClock), the clock every message carries, so every lane lands on one
axis. A callback's time is the latest the thread had shown (its last marker or message): steps are placed to
the loop iteration, messages to the µs.

Positions: the loop Timeline the visualizer steps through holds the main thread's events only; its `every` holds
all threads', and `every_at(position)` says how many of them had come by then. `LanesTimeline.at(count)` is the
state after the first `count` of them; `LanesFollowing` does that mapping, so scrubbing moves every lane together.
No clock, no I/O. Memory is bounded: a lane keeps its last MAX_STEPS steps, the model its last MAX_MESSAGES
messages; scrubbing back further than that shows what is left.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from app.trace.port_names import PortEnd, end_of, message_key, resolve_ports
from app.trace.schema import (
    After,
    Before,
    Destroy,
    ExitEvent,
    Hello,
    Init,
    Label,
    Mark,
    Message,
    MessageClock,
    PortMove,
    Process,
    friendly_kind,
)

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

PROCESS_STRIDE = 65536  # thread = process number * 65536 + threadId (decode.ChildNumbers numbers child processes so)
MAX_STEPS = 4096  # per lane; beyond it the oldest half goes
MAX_MESSAGES = 4096
MAX_NAMES = 4096  # per lane: resources whose callbacks may still come, for naming them
HISTORY = 256  # steps a snapshot hands on per lane

BUSY, WAITING, IDLE, ENDED = "busy", "waiting", "idle", "ended"


class Step(NamedTuple):
    micros: int | None  # µs (monotonic clock), or None while the lane's clock is not known
    state: str  # busy (a callback runs), waiting (blocked in poll), idle (between callbacks), ended
    phase: str  # the loop phase: main, timers, poll, ... ("" when not known)
    what: str  # the callback: "timer", "message port", a function's name...


class Arrow(NamedTuple):
    channel: str  # "worker 2", "ipc 4242", "port 4242.0.1" (a MessageChannel, named where it was made)
    direction: str  # down (parent to worker or child, a port's side a to b) or up
    k: int
    sender: int  # thread numbers
    receiver: int | None  # None while in flight to a lane not known yet
    sent: int  # µs (monotonic clock)
    received: int | None  # None: in flight

    @property
    def in_flight(self) -> bool:
        return self.received is None


@dataclass(frozen=True)
class Lane:
    thread: int
    name: str  # "main", "worker 2", "child 1", "child 1 worker 3"
    pid: int
    now: Step  # the lane's latest step
    history: tuple[Step, ...]  # its last steps, oldest first, `now` last


@dataclass(frozen=True)
class LanesSnapshot:
    count: int  # events of every thread taken into account
    lanes: tuple[Lane, ...]  # by process, then thread
    arrows: tuple[Arrow, ...]  # every message sent so far (within the bound), oldest first
    start: int | None  # µs (monotonic clock) of the earliest placed step: the axis's left edge
    now: int | None  # µs (monotonic clock): the latest anything showed

    @property
    def in_flight(self) -> tuple[Arrow, ...]:
        return tuple(arrow for arrow in self.arrows if arrow.in_flight)


def lane_name(thread: int, how: str = "") -> str:
    """ "main", "worker 2"; a child process's as "child 1" ("cluster 1" for a cluster worker), "child 1 worker 3"."""
    process, thread_id = divmod(thread, PROCESS_STRIDE)
    own = "main" if thread_id == 0 else f"worker {thread_id}"
    if process == 0:
        return own
    name = f"{'cluster' if how == 'cluster' else 'child'} {process}"
    return name if thread_id == 0 else f"{name} {own}"


class _Lane:
    """One thread's steps, each with the count (of all events) just after it."""

    def __init__(self, thread: int) -> None:
        self.thread = thread
        self.pid = 0
        self.first = 0  # the count at which the lane appeared
        self.offset: int | None = None  # µs (monotonic clock) - this thread's loop µs
        self.loop_micros = 0  # the latest time the thread showed, on its own clock
        self.depth = 0
        self.names: dict[int, str] = {}
        self.counts: list[int] = []
        self.steps: list[tuple[int, str, str, str]] = []  # (loop µs, state, phase, what)
        self.phase = "main"
        self.floating = 0  # steps at the end whose time waits for the thread's next marker or message
        self.ended = False  # its 'exit' event came: what runs after it (closing handles) is not drawn

    def add(self, count: int, state: str, phase: str, what: str) -> None:
        # After blocking in poll, the thread's clock says nothing until its next marker or message: what ran
        # meanwhile took place at (or just before) that next time, not at the poll's start.
        if self.floating or (self.steps and self.steps[-1][1] == WAITING and state != WAITING):
            self.floating += 1
        self.counts.append(count)
        self.steps.append((self.loop_micros, state, phase, what))
        if len(self.steps) > MAX_STEPS:
            self.floating = min(self.floating, MAX_STEPS // 2)
            del self.counts[: MAX_STEPS // 2]
            del self.steps[: MAX_STEPS // 2]

    def at_micros(self, micros: int) -> None:
        self.loop_micros = max(self.loop_micros, micros)  # a marker reads the loop's cached ms: never go back
        for index in range(len(self.steps) - self.floating, len(self.steps)):
            self.steps[index] = (self.loop_micros, *self.steps[index][1:])
        self.floating = 0

    def name_of(self, resource: int, name: str) -> None:
        self.names[resource] = name
        if len(self.names) > MAX_NAMES:
            del self.names[next(iter(self.names))]

    def step(self, raw: tuple[int, str, str, str]) -> Step:
        micros, state, phase, what = raw
        return Step(None if self.offset is None else micros + self.offset, state, phase, what)


class LanesTimeline:
    """Lanes snapshots after any number of events of every thread, computed on demand."""

    def __init__(self, events: Sequence[Any] | None = None) -> None:
        self._lanes: dict[int, _Lane] = {}
        self._count = 0
        self._sends: list[tuple[int, str, str, int, int, int]] = []  # (count, channel, direction, k, thread, µs)
        self._receives: dict[tuple[str, str, int], tuple[int, int, int]] = {}  # -> (count, thread, µs)
        self._workers_of: dict[str, int] = {}  # channel -> the thread that sends down it (the worker's parent)
        self._how: dict[int, str] = {}  # a child process's main thread -> how it was started (fork, spawn, cluster)
        # A MessagePort's messages, by the port's name in its thread: resolved only at `at` (a later move may tell)
        self._port_messages: list[tuple[int, Message]] = []  # (count, event)
        self._moves: list[tuple[int, PortMove]] = []  # (count, event)
        self._resolved: tuple[int, dict[str, PortEnd]] = (-1, {})  # for the first n moves
        self.extend(events or [])

    def __len__(self) -> int:
        return self._count

    def _lane(self, thread: int) -> _Lane:
        lane = self._lanes.get(thread)
        if lane is None:
            lane = self._lanes[thread] = _Lane(thread)
            lane.first = self._count
        return lane

    def extend(self, events: Sequence[Any]) -> None:
        for event in events:
            self._count += 1
            kind = type(event)
            if kind not in _READ:
                continue
            lane = self._lane(event.thread)
            count = self._count
            if lane.ended and kind in (Before, After, Mark):
                continue
            if kind is Before:
                lane.depth += 1
                if lane.depth == 1:
                    lane.phase = event.phase or lane.phase
                    lane.add(count, BUSY, lane.phase, lane.names.get(event.id, ""))
            elif kind is After:
                lane.depth = max(0, lane.depth - 1)
                if lane.depth == 0:
                    lane.add(count, IDLE, lane.phase, "")
            elif kind is Init:
                lane.name_of(event.id, friendly_kind(event.type))
            elif kind is Label:
                if event.name:
                    lane.name_of(event.id, f"{lane.names.get(event.id, 'callback')} {event.name}")
            elif kind is Destroy:
                lane.names.pop(event.id, None)
            elif kind is Mark:
                lane.at_micros(event.loop_ms * 1000)
                if event.kind == "prepare" and lane.depth == 0:
                    lane.phase = "poll"
                    lane.add(count, WAITING, "poll", "")
            elif kind is Message:
                if lane.offset is not None:
                    lane.at_micros(event.micros - lane.offset)
                self._message(count, event)
            elif kind is PortMove:
                self._moves.append((count, event))
                if len(self._moves) > MAX_MESSAGES:
                    del self._moves[: MAX_MESSAGES // 2]
                    self._resolved = (-1, {})
            elif kind is MessageClock:
                lane.offset = event.micros - event.loop_micros
                lane.at_micros(event.loop_micros)
            elif kind is Hello:
                lane.pid = event.pid
            elif kind is Process:
                self._how[event.thread] = event.how  # the process's main thread names it for all its threads
            elif kind is ExitEvent and event.which == "exit":
                lane.ended = True
                lane.phase = "exit"
                lane.add(count, ENDED, "exit", "")

    def _message(self, count: int, event: Message) -> None:
        if event.channel.startswith("port "):
            self._port_messages.append((count, event))
            if len(self._port_messages) > MAX_MESSAGES:
                del self._port_messages[: MAX_MESSAGES // 2]
        elif event.step == "send":
            if event.direction == "down":
                self._workers_of.setdefault(event.channel, event.thread)
            self._sends.append((count, event.channel, event.direction, event.k, event.thread, event.micros))
            if len(self._sends) > MAX_MESSAGES:
                for _, channel, direction, k, _, _ in self._sends[: MAX_MESSAGES // 2]:
                    self._receives.pop((channel, direction, k), None)
                del self._sends[: MAX_MESSAGES // 2]
        elif event.step == "receive":
            self._receives[(event.channel, event.direction, event.k)] = (count, event.thread, event.micros)

    def _receiver(self, channel: str, direction: str, sender: int) -> int | None:
        """Where a message in flight is going: a worker's or a child's lane, or back to the one that talks to it."""
        if direction == "up":
            return self._workers_of.get(channel)
        kind, _, number = channel.partition(" ")
        if not number.isdigit():
            return None
        if kind == "worker":  # a worker of the sender's own process
            return sender - sender % PROCESS_STRIDE + int(number)
        for lane in self._lanes.values():  # ipc: the child whose pid it is
            if lane.pid == int(number) and lane.thread % PROCESS_STRIDE == 0:
                return lane.thread
        return None

    def at(self, count: int) -> LanesSnapshot:
        count = max(0, min(count, self._count))
        lanes = []
        times: list[int] = []
        for thread in sorted(self._lanes):
            lane = self._lanes[thread]
            if lane.first >= count:
                continue
            upto = bisect.bisect_right(lane.counts, count)
            raw = lane.steps[max(0, upto - HISTORY) : upto]
            history = tuple(lane.step(step) for step in raw)
            now = history[-1] if history else Step(None, IDLE, "main" if thread % PROCESS_STRIDE == 0 else "", "")
            how = self._how.get(thread - thread % PROCESS_STRIDE, "")
            lanes.append(Lane(thread, lane_name(thread, how), lane.pid, now, history))
            times.extend(step.micros for step in history if step.micros is not None)
        arrows = []
        sends = self._sends[: bisect.bisect_right(self._sends, (count, "\uffff"))]
        receives = self._receives
        port_sends, port_receives, holders = self._port_traffic(count)
        if port_sends:
            sends = sorted(sends + port_sends)
            receives = {**receives, **port_receives}
        for _sent_at, channel, direction, k, sender, micros in sends:
            received = receives.get((channel, direction, k))
            if received is not None and received[0] <= count:
                if received[1] == sender:
                    continue  # both ends in one thread: no arrow
                arrows.append(Arrow(channel, direction, k, sender, received[1], micros, received[2]))
                times.append(received[2])
            else:
                if channel.startswith("port "):
                    receiver = holders.get((channel, "b" if direction == "down" else "a"))
                    if receiver == sender:
                        continue
                else:
                    receiver = self._receiver(channel, direction, sender)
                arrows.append(Arrow(channel, direction, k, sender, receiver, micros, None))
            times.append(micros)
        return LanesSnapshot(count, tuple(lanes), tuple(arrows), min(times, default=None), max(times, default=None))

    def _port_traffic(self, count: int) -> tuple[list, dict, dict[tuple[str, str], int]]:
        """The port messages of the first `count` events whose names resolve, as sends and receives keyed like the
        other channels', and which thread holds each end (channel, side) last."""
        moves = bisect.bisect_right(self._moves, count, key=lambda move: move[0])
        if self._resolved[0] != moves:
            self._resolved = (moves, resolve_ports([move for _, move in self._moves[:moves]]))
        resolved = self._resolved[1]
        sends: list[tuple[int, str, str, int, int, int]] = []
        receives: dict[tuple[str, str, int], tuple[int, int, int]] = {}
        holders: dict[tuple[str, str], int] = {}
        upto = bisect.bisect_right(self._port_messages, count, key=lambda message: message[0])
        for at, event in self._port_messages[:upto]:
            name = event.channel.partition(" ")[2]
            end = end_of(name, event.direction, resolved)
            if end is None:
                continue
            holders[(end.channel, end.side)] = event.thread
            key = message_key(event.channel, event.direction, event.k, event.step == "send", resolved)
            if key is None:
                continue
            channel, direction, k = key
            if event.step == "send":
                sends.append((at, channel, direction, k, event.thread, event.micros))
            else:
                receives[key] = (at, event.thread, event.micros)
        for _at, move in self._moves[:moves]:  # a port carried away is held where it was adopted
            end = resolved.get(move.port) if move.step == "adopt" else None
            if end is not None:
                holders[(end.channel, end.side)] = move.thread
        return sends, receives, holders


_READ = frozenset(
    {Before, After, Init, Label, Destroy, Mark, Message, MessageClock, PortMove, Hello, Process, ExitEvent}
)


class LanesFollowing:
    """Keeps a LanesTimeline in step with the loop Timeline: all threads' events, at the shown position."""

    def __init__(self) -> None:
        self._source: Timeline | None = None
        self.model: LanesTimeline | None = None

    def at(self, timeline: Timeline | None, position: int) -> LanesSnapshot | None:
        if timeline is None:
            self._source = self.model = None
            return None
        every = timeline.every
        if timeline is not self._source or self.model is None or len(self.model) > len(every):
            self._source, self.model = timeline, LanesTimeline()
        if len(self.model) < len(every):
            self.model.extend(every[len(self.model) :])
        return self.model.at(timeline.every_at(position))


def replay_lanes(events: Sequence[Any]) -> LanesTimeline:
    return LanesTimeline(events)
