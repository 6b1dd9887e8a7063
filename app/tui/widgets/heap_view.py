"""The heap view: each V8 heap space's used size over the run's time (a sparkline a space, against its own peak), a
row of GC marks by kind under them, a row of pause lengths, and the largest pause named."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.following import Following
from app.trace.heap_model import HeapSnapshot, HeapTimeline, SpaceSeries
from app.trace.schema import Gc
from app.tui.widgets.fd_view import rows_in_sight

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

LEVELS = " ▁▂▃▄▅▆▇█"
LABEL = 14  # a space's short name
NARROW_LABEL = 9  # ... in a pane narrower than WIDE (the charts keep their room)
WIDE = 60
SIZE = 7  # "17.3M", "11.1 ms"
# each GC kind's mark, by priority when two fall in one column
GLYPHS = {
    "mark-sweep-compact": ("M", "bold red"),
    "minor mark-sweep": ("m", "bold yellow"),
    "incremental marking": ("i", "magenta"),
    "scavenge": ("s", "yellow"),
    "weak callbacks": ("w", "dim"),
}
COUNT_ORDER = ("scavenge", "minor mark-sweep", "incremental marking", "mark-sweep-compact", "weak callbacks")
LEGEND = "s scavenge · i incremental marking · M mark-sweep-compact"  # m (minor) and w (weak) are rarer
NO_RUN = "Run the exercise: the heap's spaces appear here over time, with each garbage collection and its pause."
NO_HEAP = (
    "No heap records in this run: the heap hooks are compiled with a C++ compiler (CXX, c++, g++ or clang++) "
    "against this Node's own headers (include/node beside its bin folder), and one of them is missing."
)


def short_name(space: str, width: int = LABEL) -> str:
    """new_space -> new, large_object_space -> large obj, shared_trusted_large_object_space -> shared trust lo."""
    name = space.removesuffix("_space").replace("large_object", "large obj").replace("_", " ")
    if len(name) > width:
        name = name.replace("large obj", "lo").replace("trusted", "trust")
    return name[:width]


def size_text(kib: int) -> str:
    if kib < 1024:
        return f"{kib}K"
    return f"{kib / 1024:.1f}M" if kib < 1024 * 1024 else f"{kib / 1024 / 1024:.1f}G"


def pause_text(micros: int) -> str:
    return f"{micros / 1000:.1f} ms" if micros >= 100 else f"{micros} µs"


class _Axis:
    """The time axis, and the label column to its left (narrower in a narrow pane)."""

    def __init__(self, snapshot: HeapSnapshot, pane_width: int) -> None:
        self.label = LABEL if pane_width >= WIDE else NARROW_LABEL
        self.left = self.label + 1 + SIZE + 1  # where the charts start
        self.start, self.end = snapshot.start, max(snapshot.now, snapshot.start + 1000)
        self.width = max(pane_width - self.left, 1)

    def head(self, label: str, value: str) -> Text:
        return Text(f"{label:<{self.label}} ", style="bold").append(f"{value:>{SIZE}} ", style="not bold")

    def column(self, micros: int) -> int:
        span = self.end - self.start
        return max(0, min(self.width - 1, (micros - self.start) * (self.width - 1) // max(span, 1)))

    def row(self) -> Text:
        left, right = f"{self.start / 1000:.0f} ms", f"{self.end / 1000:.0f} ms"
        gap = self.width - len(left) - len(right)
        text = Text(" " * self.left + left, style="dim")
        text.append("─" * max(gap, 1) + right if gap > 0 else "", style="dim")
        return text


def level(value: int, top: int) -> str:
    if value <= 0:
        return "_"
    return LEVELS[min(len(LEVELS) - 1, 1 + (value * (len(LEVELS) - 2)) // max(top, 1))]


def space_row(space: SpaceSeries, axis: _Axis) -> Text:
    """Name, size now, then the used size a column per moment (its highest then), against the space's peak."""
    text = axis.head(short_name(space.name, axis.label), size_text(space.now))
    highest: dict[int, int] = {}
    latest: dict[int, int] = {}  # what a column hands on to the empty columns after it
    for sample in space.samples:
        x = axis.column(sample.micros)
        highest[x] = max(highest.get(x, 0), sample.kib)
        latest[x] = sample.kib
    top = space.peak
    carried: int | None = None
    for x in range(axis.width):
        value = highest.get(x, carried)
        if x in latest:
            carried = latest[x]
        text.append(" " if value is None else level(value, top), style="green")
    return text


def gc_rows(gcs: tuple[Gc, ...], largest: Gc | None, axis: _Axis) -> list[Text]:
    """Each GC's mark at its start, by kind; under it, the longest pause in that column against the largest."""
    marks: list[tuple[str, str] | None] = [None] * axis.width
    pauses = [0] * axis.width
    order = list(GLYPHS)
    for gc in gcs:
        x = axis.column(gc.start)
        pauses[x] = max(pauses[x], gc.pause)
        held = marks[x]
        rank = order.index(gc.kind) if gc.kind in GLYPHS else len(order)
        if held is None or rank < order.index(held[2]):  # type: ignore[misc]
            glyph = GLYPHS.get(gc.kind, ("?", "dim"))
            marks[x] = (*glyph, gc.kind if gc.kind in GLYPHS else "weak callbacks")  # type: ignore[assignment]
    kinds = axis.head("GC", str(len(gcs)))
    for mark in marks:
        kinds.append(" ") if mark is None else kinds.append(mark[0], style=mark[1])
    top = largest.pause if largest else 1
    longest = pause_text(largest.pause) if largest else ""
    lengths = axis.head("pause", longest)
    biggest = axis.column(largest.start) if largest else -1
    for x, pause in enumerate(pauses):
        lengths.append(" " if pause == 0 else level(pause, top), style="bold red" if x == biggest else "red")
    return [kinds, lengths]


def wrapped(text: Text, width: int) -> list[Text]:
    """`text` cut at spaces into lines at most `width` wide, its styles kept; the lines after the first indented."""
    lines, start = [], 0
    for piece in textwrap.wrap(text.plain, max(width, 10), subsequent_indent="  ", break_on_hyphens=False):
        body = piece.lstrip()
        at = text.plain.index(body, start)
        lines.append(Text(piece[: len(piece) - len(body)]) + text[at : at + len(body)])
        start = at + len(body)
    return lines


def summary_rows(snapshot: HeapSnapshot, width: int) -> list[Text]:
    """The largest pause named, then the count and time of each kind (each wrapped to the pane)."""
    largest = snapshot.largest
    if largest is None:
        return [Text("no garbage collection yet", style="dim")]
    head = Text("largest pause: ", style="bold")
    head.append(f"{largest.kind} {pause_text(largest.pause)}", style="bold red")
    head.append(f" at {largest.start / 1000:.0f} ms" + (" (forced)" if largest.forced else ""))
    each = ", ".join(f"{n} {kind}" for kind in COUNT_ORDER if (n := snapshot.count(kind)))
    counts = Text(f"{len(snapshot.gcs)} GCs ({pause_text(snapshot.paused)}): {each}", style="dim")
    return [*wrapped(head, width), *wrapped(counts, width)]


def heap_rows(snapshot: HeapSnapshot | None, width: int, height: int) -> list[Text]:
    """The view as lines `width` wide, at most `height`: a row a space (the biggest kept when rows are short), the
    GC marks and pauses, the time axis, the largest pause and the counts."""
    if snapshot is None:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_RUN, max(width, 20))]
    if not snapshot.spaces and not snapshot.gcs:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_HEAP, max(width, 20))]
    axis = _Axis(snapshot, width)
    fixed = [*gc_rows(snapshot.gcs, snapshot.largest, axis), axis.row(), *summary_rows(snapshot, width)]
    if snapshot.dropped:
        fixed.append(Text(f"… {snapshot.dropped} heap records lost (the tracer's ring was full)", style="yellow"))
    room = max(height - len(fixed), 1)
    spaces = list(snapshot.spaces)
    if len(spaces) > room:  # the biggest, in V8's order, and a line saying how many are left out
        kept = {s.name for s in sorted(spaces, key=lambda s: -s.peak)[: max(room - 1, 1)]}
        left_out = len(spaces) - len(kept)
        spaces = [s for s in spaces if s.name in kept]
        rows = [space_row(s, axis) for s in spaces]
        rows.append(Text(f"… {left_out} smaller spaces: z zooms", style="dim"))
    else:
        rows = [space_row(s, axis) for s in spaces]
    cropped = []
    for line in [*rows, *fixed][: max(height, 1)]:
        line = line.copy()
        line.truncate(max(width, 1), overflow="ellipsis")
        cropped.append(line)
    return cropped


class HeapView(Widget):
    """A view beside the loop's lanes (see view_set.py): heap spaces and GC pauses at the visualizer's position."""

    view_name: ClassVar[str] = "heap"
    DEFAULT_CSS = "HeapView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "heap: used per space, GC pauses"
        self.border_subtitle = LEGEND
        self._following = Following(lambda thread: HeapTimeline([], thread))
        self.snapshot: HeapSnapshot | None = None

    @property
    def heap(self) -> HeapTimeline | None:
        return self._following.model

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(heap_rows(self.snapshot, width, 1000))

    def render(self) -> Text:
        return Text("\n").join(heap_rows(self.snapshot, self.content_size.width or 80, rows_in_sight(self) or 1000))
