"""The streams view: each stream the program made, its buffered length against highWaterMark now, a sparkline of it
over the run's time, and its markers (write()→false, 'drain', 'end', 'finish', 'close', 'error') under it."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.following import Following
from app.trace.stream_model import Marker, Side, StreamSnapshot, StreamState, StreamTimeline
from app.tui.widgets.fd_view import rows_in_sight

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

LEVELS = " ▁▂▃▄▅▆▇█"
BAR_CELLS = 10
LEFT = 4 + BAR_CELLS + 2 + 1 + 15 + 1  # "  w " + [bar] + " " + "64.0K/64.0K" padded + " ": where the sparkline starts
NARROW_LEFT = 4  # a narrow pane draws the sparkline on a row of its own, under the bar
MIN_SPARK = 30  # columns of sparkline beside the bar, or it goes under it
# marker glyphs, by priority when two fall in one column
GLYPHS = {
    "error": ("E", "bold red"),
    "write_false": ("!", "bold red"),
    "push_false": ("^", "bold yellow"),
    "drain": ("d", "bold green"),
    "end": ("e", "bold cyan"),
    "finish": ("f", "bold cyan"),
    "close": ("x", "dim"),
    "pipe": ("|", "magenta"),
}
LEGEND = "! write→false  d drain  ^ push→false  e end  f finish  x close  E error"
NO_RUN = "Run the exercise: each stream its code makes appears here, its buffer against highWaterMark."
NO_STREAM = (
    "No stream made by the program yet. Streams Node makes by itself (process.stdout, a server's sockets and "
    "requests) are not shown."
)


def size_text(value: int, objects: bool) -> str:
    if objects:
        return f"{value} obj"
    if value < 1024:
        return f"{value} B"
    return f"{value / 1024:.1f}K" if value < 1024 * 1024 else f"{value / 1024 / 1024:.1f}M"


def bar(side: Side) -> Text:
    """The buffer now against highWaterMark: full cells to the mark; red and a + beyond it."""
    hwm = max(side.hwm, 1)
    over = side.length > side.hwm
    filled = BAR_CELLS if over else (side.length * BAR_CELLS + hwm - 1) // hwm
    style = "red" if over or side.length == side.hwm else "green"
    text = Text("[", style="dim")
    text.append("█" * filled, style=style)
    text.append("·" * (BAR_CELLS - filled), style="dim")
    text.append("+" if over else "]", style="bold red" if over else "dim")
    return text


class _Axis:
    def __init__(self, snapshot: StreamSnapshot, width: int, left: int) -> None:
        self.start, self.end = snapshot.start, max(snapshot.now, snapshot.start + 1000)
        self.width = max(width, 1)
        self.left = left

    def column(self, micros: int) -> int:
        span = self.end - self.start
        return max(0, min(self.width - 1, (micros - self.start) * (self.width - 1) // max(span, 1)))

    def row(self) -> Text:
        left, right = f"{self.start / 1000:.0f} ms", f"{self.end / 1000:.0f} ms"
        gap = self.width - len(left) - len(right)
        text = Text(" " * self.left + left, style="dim")
        text.append("─" * max(gap, 1) + right if gap > 0 else "", style="dim")
        return text


def sparkline(side: Side, axis: _Axis) -> Text:
    """The length over time, a column per moment: its highest in that moment, against max(highWaterMark, peak);
    red at or above highWaterMark."""
    top = max(side.hwm, side.peak, 1)
    highest: dict[int, int] = {}
    latest: dict[int, int] = {}  # what a column hands on to the empty columns after it
    for sample in side.history:
        x = axis.column(sample.micros)
        highest[x] = max(highest.get(x, 0), sample.length)
        latest[x] = sample.length
    text = Text(no_wrap=True, overflow="crop")
    carried = None
    for x in range(axis.width):
        value = highest.get(x, carried)
        if x in latest:
            carried = latest[x]
        if value is None:
            text.append(" ")
            continue
        level = 0 if value == 0 else 1 + (value * (len(LEVELS) - 2)) // top
        full = value >= side.hwm > 0
        text.append(LEVELS[min(level, len(LEVELS) - 1)] if value else "_", style="red" if full else "green")
    return text


def marker_row(markers: tuple[Marker, ...], axis: _Axis) -> Text:
    cells: list[tuple[str, str] | None] = [None] * axis.width
    order = list(GLYPHS)
    for marker in markers:
        if marker.step not in GLYPHS:
            continue
        x = axis.column(marker.micros)
        held = cells[x]
        if held is None or order.index(marker.step) < order.index(held[2]):  # type: ignore[index]
            cells[x] = (*GLYPHS[marker.step], marker.step)  # type: ignore[assignment]
    text = Text(" " * axis.left, no_wrap=True, overflow="crop")
    for cell in cells:
        text.append(" ") if cell is None else text.append(cell[0], style=cell[1])
    return text


def heading(stream: StreamState) -> Text:
    """Number and class, what it is waiting for or how it ended, its marker counts, then kind, site and pipes (a
    narrow pane cuts from the right)."""
    text = Text(f"{stream.number} ", style="dim")
    text.append(stream.name, style="bold")
    if stream.waiting_for_drain:
        text.append("  waits for drain", style="bold red")
    elif stream.ending:
        text.append(f"  {stream.ending}", style="cyan")
    if stream.cut:
        text.append("  (cut: lengths stop here)", style="yellow")
    said = " ".join(f"{GLYPHS[step][0]}×{n}" for step in ("write_false", "drain") if (n := stream.count(step)))
    if said:
        text.append(f"  {said}", style="dim")
    for number in stream.pipes_to:
        text.append(f"  → {number}" if number else "  → (not shown)", style="magenta")
    text.append(f"  {stream.kind} · {stream.place}", style="dim")
    return text


def side_rows(side: Side, axis: _Axis) -> list[Text]:
    """The bar and its numbers, then the sparkline beside them, or under them in a narrow pane."""
    text = Text(f"  {side.name[0]} ", style="bold")
    text.append_text(bar(side))
    value = f"{size_text(side.length, side.objects)}/{size_text(side.hwm, side.objects)}"
    text.append(f" {value:<15} ", style="bold red" if side.length > side.hwm else "")
    if axis.left == LEFT:
        return [text + sparkline(side, axis)]
    return [text, Text(" " * axis.left) + sparkline(side, axis)]


def stream_rows(snapshot: StreamSnapshot | None, width: int, height: int) -> list[Text]:
    """The view as lines `width` wide, at most `height`: per stream a heading, a row per side (w, r) and, when the
    pane is tall enough, a row of markers under its sparklines; the time axis; what was left out."""
    if snapshot is None:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_RUN, max(width, 20))]
    if not snapshot.streams:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_STREAM, max(width, 20))]
    left = LEFT if width - LEFT >= MIN_SPARK else NARROW_LEFT
    axis = _Axis(snapshot, width - left, left)
    per_side = 1 if left == LEFT else 2
    rows_each = [1 + per_side * len(stream.sides) + 1 for stream in snapshot.streams]  # heading, sides, markers
    full = sum(rows_each) + 1 + (1 if snapshot.unshown else 0) <= height  # and the time axis
    lines: list[Text] = []
    for stream in snapshot.streams:
        lines.append(heading(stream))
        for side in stream.sides:
            lines.extend(side_rows(side, axis))
        if full:
            lines.append(marker_row(stream.markers, axis))
    lines.append(axis.row())
    if snapshot.unshown:
        lines.append(Text(f"… {snapshot.unshown} more streams not followed (the tracer follows 32)", style="yellow"))
    if len(lines) > height >= 2:
        hidden = len(lines) - height + 1
        lines = [*lines[: height - 1], Text(f"… {hidden} more rows: z zooms", style="dim")]
    cropped = []
    for line in lines[: max(height, 1)]:
        line = line.copy()
        line.truncate(max(width, 1), overflow="ellipsis")
        cropped.append(line)
    return cropped


class StreamView(Widget):
    """A view beside the loop's lanes (see view_set.py): the program's streams at the visualizer's position."""

    view_name: ClassVar[str] = "streams"
    DEFAULT_CSS = "StreamView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "streams: buffered against highWaterMark"
        self.border_subtitle = LEGEND
        self._following = Following(lambda thread: StreamTimeline([], thread))
        self.snapshot: StreamSnapshot | None = None

    @property
    def streams(self) -> StreamTimeline | None:
        return self._following.model

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(stream_rows(self.snapshot, width, 1000))

    def render(self) -> Text:
        return Text("\n").join(stream_rows(self.snapshot, self.content_size.width or 80, rows_in_sight(self) or 1000))
