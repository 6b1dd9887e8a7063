"""What the loop model hands a viewer: the snapshot of one moment, its queue items and lines, and how a run ended.

Plain frozen values, so a widget can draw them and a test can compare them without the reducer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from app.trace.schema import TraceEvent, friendly_kind

if TYPE_CHECKING:
    from app.runner.process import RunResult
    from app.trace.recording import TraceRecording


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
