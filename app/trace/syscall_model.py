"""A pure model of the syscalls lane: the loop thread's system calls up to a position, each with its phase.

Each `Syscall` event sits in the stream after the trace records made before it (app/trace/syscalls.py), so
the callback running at that point made it, or, with none running, the loop itself (epoll_pwait, and the
reads libuv does before it calls a callback). Positions are the loop Timeline's: the main thread's events.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from app.trace.loop_snapshot import LoopInput
from app.trace.schema import After, Before, Mark, ModuleBody, Syscall


@dataclass(frozen=True)
class SyscallRow:
    position: int  # events applied when it was made (it is the position-th event)
    name: str
    fd: int
    detail: str
    result: str
    phase: str  # the loop's phase then: main, poll, check...
    by: int  # the outermost callback that made it (its async id), 0 for the loop itself


@dataclass(frozen=True)
class SyscallSnapshot:
    events: int
    rows: tuple[SyscallRow, ...]  # every call so far, oldest first
    running: int  # the callback running at this position, 0 for none
    phase: str
    started_at: int = 0  # the position the running callback (or the loop's stretch between two) began at

    def current(self, row: SyscallRow) -> bool:
        """Made by the callback running now, or (between callbacks) since the last one ended."""
        return row.by == self.running and row.position > self.started_at


class SyscallTimeline:
    """Every Syscall event with the phase and callback it belongs to; `at(i)` is a slice, nothing replayed."""

    def __init__(self, events: list[LoopInput] | None = None, thread: int = 0) -> None:
        self.thread = thread
        self.events: list[LoopInput] = []
        self.rows: list[SyscallRow] = []
        self._row_positions: list[int] = []
        self._phase = "main"
        self._stack: list[int] = []
        self._started = 0
        self._state_at: list[tuple[int, str, int]] = [(0, "main", 0)]  # after i events: (running, phase, since)
        self.extend(events or [])

    def extend(self, events: list[LoopInput]) -> None:
        for event in events:
            if event.thread != self.thread:
                continue
            self.events.append(event)
            index = len(self.events)
            if isinstance(event, Syscall):
                running = self._stack[0] if self._stack else 0
                row = SyscallRow(index, event.name, event.fd, event.detail, event.result, self._phase, running)
                self.rows.append(row)
                self._row_positions.append(index)
            elif isinstance(event, Before):
                if not self._stack:
                    self._started = index
                    if event.queue == "macrotask":
                        self._phase = event.phase
                self._stack.append(event.id)
            elif isinstance(event, After) and self._stack:
                self._stack.pop()
                if not self._stack:
                    self._started = index
            elif isinstance(event, Mark):
                self._phase = "poll" if event.kind == "prepare" else "check"
            elif isinstance(event, ModuleBody):
                self._phase = "main"
            running = self._stack[0] if self._stack else 0
            self._state_at.append((running, self._phase, self._started))

    @property
    def calls(self) -> int:
        return len(self.rows)

    def __len__(self) -> int:
        return len(self.events)

    def at(self, index: int) -> SyscallSnapshot:
        index = max(0, min(index, len(self.events)))
        shown = bisect.bisect_right(self._row_positions, index)
        running, phase, since = self._state_at[index]
        return SyscallSnapshot(index, tuple(self.rows[:shown]), running, phase, since)
