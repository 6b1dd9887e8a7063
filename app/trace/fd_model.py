"""A pure model of the traced process's descriptors: trace events in, a table of open fds at each position.

Two sources meet here. The tracer names the program's sockets, pipes and ttys (a `Socket` event: the
handle's fd and addresses, read between callbacks) and says when their callbacks run; looplab's /proc
samples (`FdSample`) add everything else the process holds: the loop's epoll, eventfds, files, and
sockets no handle owns (c-ares's DNS sockets). Like loop_model, this reads no clock and does no I/O, and
`FdTimeline.at(i)` is the table after the first i events of the main thread, the same positions as the
loop's Timeline.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from app.trace.loop_snapshot import LoopInput, RunEnd
from app.trace.schema import After, Before, Destroy, ExitEvent, FdSample, Init, Mark, Socket

HANDLE_KINDS = {  # the tracer's socket-like handles, as a learner would name them
    "TCPSERVERWRAP": "tcp server",
    "TCPWRAP": "tcp",
    "UDPWRAP": "udp",
    "PIPEWRAP": "pipe",
    "PIPESERVERWRAP": "pipe server",
    "TTYWRAP": "tty",
}
REQUEST_TYPES = frozenset(  # requests on a handle: their callbacks are that handle's I/O finishing
    {"TCPCONNECTWRAP", "PIPECONNECTWRAP", "WRITEWRAP", "SHUTDOWNWRAP", "UDPSENDWRAP"}
)
STDIO = ("stdin", "stdout", "stderr")
NODE_OWN_KINDS = frozenset({"pipe", "eventfd", "epoll", "io_uring", "signalfd", "timerfd"})  # no handle owns them
KEYFRAME_EVERY = 256


@dataclass(frozen=True)
class FdRow:
    """One descriptor of the process (or a handle of the program's whose fd is not open yet)."""

    fd: int | None  # None: the handle has no fd yet (a client before connect, a UDP socket before bind)
    kind: str  # tcp server, tcp, udp, pipe, tty, unix, file, epoll, eventfd, io_uring, stdio...
    local: str  # address, path, or for an epoll the fds it watches
    remote: str  # the peer of a connected socket
    state: str  # LISTEN, ESTABLISHED... as /proc last showed it, or "" when not known
    handle: int = 0  # the tracer's async id for it; 0 when only /proc showed it
    lit: bool = False  # a callback of it is running now: an event on it woke the loop
    wakes: int = 0  # its callbacks so far
    own: bool = False  # Node's own (its threads' loops and wake-up pipes), not the program's
    sampled: bool = False  # /proc showed it (in the last sample)

    @property
    def title(self) -> str:
        if self.kind == "stdio" and self.fd is not None and self.fd < len(STDIO):
            return STDIO[self.fd]
        return self.kind


@dataclass(frozen=True)
class FdSnapshot:
    events: int  # events applied
    rows: tuple[FdRow, ...]  # by fd; handles with no fd yet last
    sampled_at: int | None  # the position of the /proc sample shown, None when there was none
    waiting: bool  # the loop sleeps in epoll (poll phase, nothing running)
    loop_epoll: int | None  # the epoll fd whose interest list holds the program's sockets
    exited: bool = False

    @property
    def own_count(self) -> int:
        return sum(1 for row in self.rows if row.own)


@dataclass
class _Handle:
    kind: str
    fd: int | None = None
    local: str = ""
    remote: str = ""
    wakes: int = 0


@dataclass
class _State:
    handles: dict[int, _Handle] = field(default_factory=dict)  # live handles of the program
    requests: dict[int, int] = field(default_factory=dict)  # request async id -> its handle's
    sample: dict[int, tuple[int, str, str, str, str]] = field(default_factory=dict)  # fd -> row of the last sample
    closed_since_sample: set[int] = field(default_factory=set)  # fds the tracer saw closed after the sample
    sampled_at: int | None = None
    depth: int = 0
    lit: int = 0  # the handle whose callback runs now
    waiting: bool = False
    exited: bool = False

    def copy(self) -> _State:
        return replace(
            self,
            handles={k: replace(v) for k, v in self.handles.items()},
            requests=dict(self.requests),
            sample=dict(self.sample),
            closed_since_sample=set(self.closed_since_sample),
        )

    def apply(self, event: LoopInput, index: int) -> None:
        if isinstance(event, Before):
            self._before(event)
        elif isinstance(event, After):
            self.depth = max(0, self.depth - 1)
            if self.depth == 0:
                self.lit = 0
        elif isinstance(event, Init):
            if event.type in HANDLE_KINDS:
                self.handles[event.id] = _Handle(HANDLE_KINDS[event.type])
            elif event.type in REQUEST_TYPES and event.trigger in self.handles:
                self.requests[event.id] = event.trigger
        elif isinstance(event, Socket):
            self._socket(event)
        elif isinstance(event, Destroy):
            self._close(event.id)
            self.requests.pop(event.id, None)
        elif isinstance(event, Mark):
            self.waiting = event.kind == "prepare" and not self.exited
        elif isinstance(event, FdSample):
            self.sample = {row[0]: row for row in event.fds}
            self.sampled_at = index
            self.closed_since_sample.clear()
        elif isinstance(event, RunEnd) or (isinstance(event, ExitEvent) and event.which == "exit"):
            self.exited, self.waiting, self.lit, self.depth = True, False, 0, 0

    def _before(self, event: Before) -> None:
        self.waiting = False
        if self.depth == 0:
            target = event.id if event.id in self.handles else self.requests.get(event.id, 0)
            self.lit = target
            if target:
                self.handles[target].wakes += 1
            if event.phase == "close" and event.id in self.handles:
                self._close(event.id)  # a handle's own callback in the close phase is its close callback
        self.depth += 1

    def _socket(self, event: Socket) -> None:
        handle = self.handles.get(event.id)
        if handle is None:
            return
        reused = [other for other, known in self.handles.items() if other != event.id and known.fd == event.fd]
        for other in reused:  # the number was freed and given again: that socket is closed, whatever came of it
            del self.handles[other]
        handle.fd, handle.local, handle.remote = event.fd, event.local, event.remote
        if handle.kind == "pipe" and event.fd <= 2:
            handle.kind = "stdio"

    def _close(self, resource: int) -> None:
        handle = self.handles.pop(resource, None)
        if handle is not None and handle.fd is not None:
            self.closed_since_sample.add(handle.fd)
        if self.lit == resource:
            self.lit = 0

    def snapshot(self, index: int) -> FdSnapshot:
        rows: list[FdRow] = []
        claimed: set[int] = set()
        for resource, handle in self.handles.items():
            sampled = self.sample.get(handle.fd) if handle.fd is not None else None
            if handle.fd is not None:
                claimed.add(handle.fd)
            rows.append(
                FdRow(
                    handle.fd,
                    handle.kind,
                    handle.local or (sampled[2] if sampled else ""),
                    handle.remote or (sampled[3] if sampled else ""),
                    sampled[4] if sampled else "",
                    handle=resource,
                    lit=resource == self.lit,
                    wakes=handle.wakes,
                    sampled=sampled is not None,
                )
            )
        program_fds = claimed
        loop_epoll = None
        for fd, (_, kind, name, peer, state) in self.sample.items():
            if fd in claimed or fd in self.closed_since_sample:
                continue
            if kind == "epoll" and program_fds & {int(n) for n in name.split()}:
                loop_epoll = fd
            own = fd > 2 and kind in NODE_OWN_KINDS and fd != loop_epoll  # Node's threads' loops and wake-ups
            rows.append(FdRow(fd, "stdio" if fd <= 2 else kind, name, peer, state, own=own, sampled=True))
        rows.sort(key=lambda row: (row.fd is None, row.fd or 0, row.handle))
        return FdSnapshot(index, tuple(rows), self.sampled_at, self.waiting, loop_epoll, self.exited)


class FdTimeline:
    """Fd tables at every position of the main thread's events, from keyframes, for stepping either way."""

    def __init__(self, events: list[LoopInput] | None = None, thread: int = 0) -> None:
        self.thread = thread
        self.events: list[LoopInput] = []
        self._state = _State()
        self._keyframes: list[tuple[int, _State]] = [(0, self._state.copy())]
        self._keyframe_at: list[int] = [0]
        self.wake_positions: list[int] = []  # positions at which a handle's callback has just begun
        self.extend(events or [])

    def extend(self, events: list[LoopInput]) -> None:
        """Add events (trace events and the run's end); other threads' are skipped, as the loop Timeline does."""
        state = self._state
        for event in events:
            if event.thread != self.thread:
                continue
            self.events.append(event)
            index = len(self.events)
            state.apply(event, index)
            if isinstance(event, Before) and state.lit and state.depth == 1:
                self.wake_positions.append(index)
            if index - self._keyframe_at[-1] >= KEYFRAME_EVERY:
                self._keyframes.append((index, state.copy()))
                self._keyframe_at.append(index)

    def __len__(self) -> int:
        return len(self.events)

    def at(self, index: int) -> FdSnapshot:
        """The table after the first `index` events (0 = before anything happened)."""
        index = max(0, min(index, len(self.events)))
        if index == len(self.events):
            return self._state.snapshot(index)
        start, frame = self._keyframes[bisect.bisect_right(self._keyframe_at, index) - 1]
        state = frame.copy()
        for position, event in enumerate(self.events[start:index], start=start + 1):
            state.apply(event, position)
        return state.snapshot(index)


def replay_fds(events: list[LoopInput], thread: int = 0) -> FdTimeline:
    return FdTimeline(events, thread)
