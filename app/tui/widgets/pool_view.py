"""The thread pool by slot: each pool job as a bar on the run's time axis, and the jobs waiting for a thread."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.following import Following
from app.trace.pool_model import PoolJob, PoolSnapshot, PoolTimeline

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

KIND_STYLES = {"fs": "cyan", "dns": "magenta", "crypto": "yellow", "zlib": "green", "add-on": "blue"}
LABEL_WIDTH = 8  # "slot 12 ", "waiting "
HELD, WAITED, UNPLACED = "█", "░", "▒"
LEGEND = f"{HELD} has a thread {WAITED} waits {UNPLACED} not provable"
NO_JOBS = "No thread-pool job yet: file system calls, dns.lookup, crypto and zlib go to the pool."
NO_RUN = "Run the exercise: each file read, dns.lookup and crypto job appears here as a bar."


def short_label(label: str) -> str:
    """`readFile·2` from `fs.readFile step 2`: the call without its module, short enough for a bar."""
    call, _, step = label.partition(" step ")
    call, _, chunk = call.partition(" chunk ")
    name = call.rsplit(".", 1)[-1]
    return f"{name}·{step or chunk}" if step or chunk else name


def summary(snapshot: PoolSnapshot) -> str:
    """One sentence: how busy the pool is, and who waits for what."""
    threads = f"{snapshot.size} thread{'s' if snapshot.size != 1 else ''}"
    holding = snapshot.in_pool
    waiting = snapshot.waiting
    if not holding and not waiting:
        done = len(snapshot.done)
        return f"{threads}, idle" + (f"; {done} job{'s' if done != 1 else ''} done" if done else "")
    busy = _names(holding)
    if not waiting:
        return f"{len(holding)} of {threads} busy: {busy}"
    wait = f"{_names(waiting)} wait{'s' if len(waiting) == 1 else ''} for a thread"
    if len(holding) < snapshot.size and any(job.slow for job in waiting):
        return f"{wait}: dns jobs may hold only {snapshot.slow_limit} of {threads}"
    if not holding:
        return f"{wait}: every thread may be busy"
    if snapshot.size == 1:
        return f"{wait}: {busy} holds the only one"
    return f"{wait}: {busy} hold all {snapshot.size}"


def _names(jobs: tuple[PoolJob, ...]) -> str:
    names = [short_label(job.label) for job in jobs[:3]]
    return ", ".join(names) + (f" +{len(jobs) - 3}" if len(jobs) > 3 else "")


class _Axis:
    """Maps µs on the run's clock to columns of a bar `width` wide, from the first job queued to now."""

    def __init__(self, snapshot: PoolSnapshot, width: int) -> None:
        self.start = min((job.queued for job in snapshot.jobs), default=0)
        ends = [job.done for job in snapshot.jobs if job.done is not None]
        self.end = max([snapshot.now, self.start + 1000, *ends])
        self.width = max(width, 1)

    def column(self, micros: int) -> int:
        span = self.end - self.start
        return min(self.width - 1, max(0, (micros - self.start) * (self.width - 1) // span))

    def row(self) -> Text:
        return time_axis(self.start, self.end, self.width)


def time_axis(start: int, end: int, width: int) -> Text:
    """The run's time from `start` to `end` µs under a chart `width` wide, after LABEL_WIDTH columns of labels."""
    left, right = f"{start / 1000:.0f} ms", f"{end / 1000:.0f} ms"
    gap = width - len(left) - len(right)
    text = Text(" " * LABEL_WIDTH + left, style="dim")
    text.append("─" * max(gap, 1) + right if gap > 0 else "", style="dim")
    return text


def _bar(axis: _Axis, jobs: list[tuple[PoolJob, int, int, str]]) -> Text:
    """Jobs drawn as (job, from µs, to µs, fill) on one row, each named inside its bar where it fits, else
    just after or before it where the row is blank (a name never covers another bar)."""
    cells: list[tuple[str, str]] = [(" ", "")] * axis.width
    spans = []
    for job, start, end, fill in jobs:
        colour = KIND_STYLES.get(job.kind, "white")
        first, last = axis.column(start), max(axis.column(start), axis.column(end))
        for x in range(first, last + 1):
            cells[x] = (fill, f"{colour} dim" if fill == WAITED else colour)
        spans.append((short_label(job.label), colour, fill, first, last))
    for name, colour, fill, first, last in spans:
        blank = [i for i in (last + 2, first - 1 - len(name)) if _blank(cells, i - 1, i + len(name) + 1)]
        if last - first + 1 >= len(name) + 2:
            at, style = first + 1, f"bold black on {colour}" if fill == HELD else f"bold {colour}"
        elif blank:
            at, style = blank[0], colour
        else:
            continue
        for offset, char in enumerate(name):
            cells[at + offset] = (char, style)
    text = Text(no_wrap=True, overflow="crop")
    for char, style in cells:
        text.append(char, style=style)
    return text


def _blank(cells: list[tuple[str, str]], start: int, end: int) -> bool:
    """Cells start..end (end excluded) are inside the row and empty: room for a name with a space each side."""
    if start < -1 or end > len(cells) + 1:
        return False
    return all(cells[i][0] == " " for i in range(max(start, 0), min(end, len(cells))))


def pool_rows(snapshot: PoolSnapshot | None, width: int, height: int) -> list[Text]:
    """The view as lines `width` wide, at most `height` of them: a summary, one row per slot used, the
    waiting jobs, the jobs no slot could be proven for, and a time axis."""
    if snapshot is None:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_RUN, max(width, 20))]
    if not snapshot.jobs:
        said = f"{summary(snapshot)}. {NO_JOBS}"
        return [Text(line, style="dim") for line in textwrap.wrap(said, max(width, 20))]
    axis = _Axis(snapshot, width - LABEL_WIDTH)
    now = snapshot.now
    by_slot: dict[int, list[tuple[PoolJob, int, int, str]]] = {}
    for job in snapshot.jobs:
        if job.slot is not None and job.started_by is not None:
            by_slot.setdefault(job.slot, []).append((job, job.started_by, job.done or now, HELD))
    rows = [(f"slot {slot + 1}", _bar(axis, by_slot[slot])) for slot in sorted(by_slot)]
    waiting = [job for job in snapshot.jobs if job.waiting]
    rows += [("" if i else "waiting", _bar(axis, [(job, job.queued, now, WAITED)])) for i, job in enumerate(waiting)]
    unplaced = [job for job in snapshot.jobs if job.slot is None and job.done is not None]
    rows += [
        ("" if i else "no slot", _bar(axis, [(job, job.queued, job.done or now, UNPLACED)]))
        for i, job in enumerate(unplaced)
    ]
    idle = snapshot.size - len(by_slot)
    said = summary(snapshot)
    if by_slot and idle:
        said += f" ({idle} thread{'s' if idle != 1 else ''} never used, not drawn)"
    lines = [Text(line, style="bold") for line in textwrap.wrap(said, max(width, 20))]
    room = max(height - len(lines) - 1, 1)  # below the summary, above the axis
    if len(rows) > room:
        hidden = len(rows) - room + 1
        rows = [*rows[: room - 1], ("", Text(f"… {hidden} more rows: + makes the pane taller, z zooms", style="dim"))]
    for label, bar in rows:
        lines.append(Text(f"{label:<{LABEL_WIDTH}}"[:LABEL_WIDTH], style="dim", no_wrap=True) + bar)
    lines.append(axis.row())
    return lines[:height] if height > 0 else lines


class PoolView(Widget):
    """A view beside the loop's lanes (see view_set.py): the pool at the visualizer's position."""

    view_name: ClassVar[str] = "pool"
    DEFAULT_CSS = "PoolView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "thread pool"
        self.border_subtitle = LEGEND
        self._following = Following(lambda thread: PoolTimeline([], thread))
        self.snapshot: PoolSnapshot | None = None

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        size = self.snapshot.size if self.snapshot is not None and self.snapshot.size_known else None
        self.border_title = f"thread pool · {size} thread{'s' if size != 1 else ''}" if size else "thread pool"
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(pool_rows(self.snapshot, width, 1000))

    def render(self) -> Text:
        lines = pool_rows(self.snapshot, self.content_size.width, self.content_size.height)
        return Text("\n").join(lines)
