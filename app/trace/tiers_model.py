"""A pure model of the tiers view: each of the program's functions on V8's ladder over time, with its deopts.

A function runs in the highest tier of the code V8 made for it and has not dropped: Ignition's bytecode and
Sparkplug's baseline code stay; Maglev's and TurboFan's last until a deopt drops them (`TierStep` and `Deopt`,
from app/trace/v8_log.py, name each code). Positions are the loop Timeline's (app/trace/following.py), so
stepping moves this view with the others; times are µs on the trace's clock.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import PurePosixPath

from app.trace.following import KindsTimeline
from app.trace.schema import TIERS, Deopt, TierStep

RANK = {tier: rank for rank, tier in enumerate(TIERS)}


@dataclass(frozen=True)
class DeoptMark:
    micros: int
    tier: str  # the tier it fell from
    kind: str
    reason: str
    where: str


@dataclass(frozen=True)
class FunctionLadder:
    """One function's tiers so far: `steps` is (µs, tier) each time its tier changed, the first when it compiled."""

    name: str  # as the view labels it: its name, or (top level) / (anonymous)
    file: str
    line: int
    column: int
    steps: tuple[tuple[int, str], ...]
    deopts: tuple[DeoptMark, ...]

    @property
    def tier(self) -> str:
        return self.steps[-1][1] if self.steps else TIERS[0]

    @property
    def changes(self) -> int:
        """How often it moved on the ladder (up or down): the busiest functions are drawn first when space is short."""
        return len(self.steps) - 1 + len(self.deopts)

    @property
    def where(self) -> str:
        return f"{PurePosixPath(self.file.removeprefix('file://')).name}:{self.line}"


@dataclass(frozen=True)
class TiersSnapshot:
    events: int
    functions: tuple[FunctionLadder, ...]  # in the order they first compiled
    start: int  # µs: the time axis, from the first compile seen in the whole run...
    end: int  # ...to the last tier event of the whole run (fixed while stepping)
    now: int  # µs of the last tier event shown at this position (start before any)
    last_deopt: tuple[FunctionLadder, DeoptMark] | None  # the newest deopt shown, with its function
    recorded: int = 0  # TierStep and Deopt events in the whole run (0: the run has none, not just none yet)

    @property
    def deopts(self) -> int:
        return sum(len(function.deopts) for function in self.functions)


def label(function: str, line: int, column: int) -> str:
    if function:
        return function
    return "(top level)" if (line, column) == (1, 1) else "(anonymous)"


class TiersTimeline(KindsTimeline):
    """Every TierStep and Deopt of the traced thread; `at(i)` replays those among the first i events."""

    KINDS = frozenset({TierStep, Deopt})

    def at(self, position: int) -> TiersSnapshot:
        position = max(0, min(position, len(self)))
        shown = bisect.bisect_right(self._positions, position)
        times = [event.micros for event in self._events]
        start, end = (min(times), max(times)) if times else (0, 0)
        live: dict[tuple[str, str, int, int], dict[str, str]] = {}  # function -> its live codes -> tier
        steps: dict[tuple[str, str, int, int], list[tuple[int, str]]] = {}
        deopts: dict[tuple[str, str, int, int], list[DeoptMark]] = {}
        now = start
        last: tuple[tuple[str, str, int, int], DeoptMark] | None = None
        for event in self._events[:shown]:
            key = (event.function, event.file, event.line, event.column)
            codes = live.setdefault(key, {})
            ladder = steps.setdefault(key, [])
            deopts.setdefault(key, [])
            now = max(now, event.micros)
            if isinstance(event, TierStep):
                codes[event.code] = event.tier
            else:
                codes.pop(event.code, None)
                mark = DeoptMark(event.micros, event.tier, event.kind, event.reason, event.where)
                deopts[key].append(mark)
                last = (key, mark)
            tier = max(codes.values(), key=RANK.__getitem__, default=TIERS[0])
            if not ladder or ladder[-1][1] != tier:
                ladder.append((event.micros, tier))
        functions = {
            key: FunctionLadder(
                label(key[0], key[2], key[3]), key[1], key[2], key[3], tuple(steps[key]), tuple(deopts[key])
            )
            for key in steps
        }
        last_deopt = (functions[last[0]], last[1]) if last is not None else None
        return TiersSnapshot(position, tuple(functions.values()), start, end, now, last_deopt, len(self._events))
