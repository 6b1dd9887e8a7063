"""Event-loop delay: a histogram of the loop's stretches away from poll and of timers' lateness, and a lateness line.

The line runs from the loop's first poll to the shown position; each column rises with how long the loop had been
away from poll by then (a long blocked stretch is a tall ramp), coloured by the phase it was in. What the measures
are exactly is in app/trace/delay_model.py.
"""

from __future__ import annotations

import bisect
import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.delay_model import BUCKET_EDGES_MS, DelaySnapshot, DelayStats, DelayTimeline, Stretch
from app.trace.following import Following
from app.trace.schema import site_parts
from app.tui.widgets.marks import phase_style
from app.tui.widgets.pool_view import LABEL_WIDTH, time_axis

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

LEVELS = "▁▂▃▄▅▆▇█"
BAR = "█"
CRAMPED_ROWS = 6  # rows at most in a short narrow pane (80×24), as the thread pool view takes
WIDE = 64  # from this width the two histograms stand side by side under one header row
LEGEND = "blocked: not waiting in poll · late: timer ran after due"
NO_RUN = "Run the exercise: each stretch the loop spends away from poll, and each timer's lateness, shows here."
UNTIMED = (
    "This run has no timed loop markers (the marker addon was not loaded, or the trace is older), so the loop's "
    "delay cannot be measured."
)
NOT_YET = "Nothing has kept the loop from waiting in poll yet (the time before its first poll is startup: not counted)."


def ms(micros: int) -> str:
    """54 ms, 3.1 ms, 0.05 ms: two or three significant figures."""
    value = micros / 1000
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def stats(summary: DelayStats) -> str:
    """`max 54 p99 54 p50 0.05` (ms), or `none yet`."""
    if not summary.count:
        return "none yet"
    return f"max {ms(summary.max)} p99 {ms(summary.p99)} p50 {ms(summary.p50)}"


def culprit(snapshot: DelaySnapshot) -> str:
    """What kept the loop away longest: `longest 54 ms: timers › tick (main.js:11)`."""
    longest = snapshot.longest
    if longest is None:
        return ""
    segment, _ = longest.longest_segment()
    where = site_parts(segment.site)
    place = f" ({where[0].rsplit('/', 1)[-1]}:{where[1]})" if where else ""
    what = f"{segment.phase} › {segment.label}" if segment.label else f"{segment.phase} (the loop's own work)"
    return f"longest {ms(longest.length)} ms: {what}{place}"


def _bucket_label(low: int, high: int) -> str:
    """Buckets low..high (indices into the histogram) as `<1`, `1-2`, `32-128`, `≥128` ms."""
    edges = (0, *BUCKET_EDGES_MS)
    if high == len(BUCKET_EDGES_MS):
        return f"≥{edges[low]}"
    return f"<{edges[high + 1]}" if low == 0 else f"{edges[low]}-{edges[high + 1]}"


def bucket_rows(blocked: DelayStats, late: DelayStats, room: int) -> list[tuple[str, int, int]]:
    """(label, blocked count, late count) from the first bucket to the last one used; when more than `room`, empty
    buckets go first, then neighbours merge (their counts added), so no count is ever dropped."""
    used = [i for i in range(len(blocked.buckets)) if blocked.buckets[i] or late.buckets[i]]
    if not used:
        return []
    rows = [[i, i, blocked.buckets[i], late.buckets[i]] for i in range(used[-1] + 1)]
    if len(rows) > room:
        rows = [row for row in rows if row[2] or row[3]]
    while len(rows) > max(room, 1):
        inner = range(1, len(rows) - 2) if len(rows) > 3 else range(len(rows) - 1)
        at = min(inner, key=lambda i: rows[i][2] + rows[i][3] + rows[i + 1][2] + rows[i + 1][3])
        first, second = rows[at], rows.pop(at + 1)
        rows[at] = [first[0], second[1], first[2] + second[2], first[3] + second[3]]
    return [(_bucket_label(low, high), b, lt) for low, high, b, lt in rows]


def _bar(count: int, top: int, width: int) -> Text:
    cells = 0 if not count else max(1, round(count * max(width - 4, 1) / max(top, 1)))
    text = Text(BAR * cells, style="cyan")
    text.append(f" {count}" if count else " ·", style="" if count else "dim")
    return text


def lateness_line(snapshot: DelaySnapshot, width: int) -> tuple[Text, int, int]:
    """The line `width` columns wide and the µs it spans: each column the longest the loop had been away from poll
    within it (blank: in poll throughout), in the phase it was in then."""
    stretches: list[Stretch] = list(snapshot.stretches)
    if snapshot.current is not None:
        stretches.append(snapshot.current)
    start = snapshot.startup if snapshot.startup is not None else min((s.start for s in stretches), default=0)
    end = max(snapshot.now, start + 1000)
    width = max(width, 1)
    span = end - start
    starts = [stretch.start for stretch in stretches]  # stretches never overlap: starts and ends both rise
    lengths = [stretch.end - stretch.start for stretch in stretches]
    heights = [0] * width
    phases = [""] * width
    for column in range(width):
        low, high = start + column * span // width, start + (column + 1) * span // width
        first = max(bisect.bisect_right(starts, low) - 1, 0)  # the one under way as the column begins, if any
        last = bisect.bisect_left(starts, high)  # those that began within it end before `last`
        best, best_at = 0, -1
        if last - first > 2:  # whole stretches inside the column: C's max over the slice, not a Python loop
            best = max(lengths[first + 1 : last - 1])
            best_at = lengths.index(best, first + 1, last - 1)
        for index in (first, last - 1):  # the edges may reach in from before or out past the column
            if 0 <= index < len(stretches) and stretches[index].end > low and starts[index] < high:
                away = min(stretches[index].end, high) - starts[index]
                if away > best:
                    best, best_at = away, index
        if best_at >= 0:
            heights[column] = max(best, 1)
            phases[column] = _phase_at(stretches[best_at], min(stretches[best_at].end, high))
    top = max(heights) or 1
    line = Text(no_wrap=True, overflow="crop")
    for height, phase in zip(heights, phases, strict=True):
        if not height:
            line.append(" ")
            continue
        level = min(len(LEVELS) - 1, height * len(LEVELS) // (top + 1))
        line.append(LEVELS[level], style=phase_style(phase) or "dim")
    return line, start, end


def _phase_at(stretch: Stretch, micros: int) -> str:
    phase = stretch.segments[0].phase if stretch.segments else "check"
    for segment in stretch.segments:
        if segment.start > micros:
            break
        phase = segment.phase
    return phase


def delay_rows(snapshot: DelaySnapshot | None, width: int, height: int) -> list[Text]:
    """The view as lines `width` wide, at most `height` of them: the two measures' p50, p99 and max, their
    histogram, the lateness line and its time axis."""
    if snapshot is None or not snapshot.timed or (not snapshot.stretches and snapshot.current is None):
        said = NO_RUN if snapshot is None else UNTIMED if not snapshot.timed else NOT_YET
        return [Text(line, style="dim") for line in textwrap.wrap(said, max(width, 20))][: max(height, 1)]
    blocked, late = snapshot.blocked, snapshot.late
    half = (width - LABEL_WIDTH) // 2
    named = f"blocked ({blocked.count})", f"late ({late.count} timer{'s' if late.count != 1 else ''})"
    if width >= WIDE:  # each measure heads its own column
        heads = [
            Text(" " * LABEL_WIDTH + named[0].ljust(half) + named[1], style="bold"),
            Text("ms".rjust(LABEL_WIDTH - 1) + " " + stats(blocked).ljust(half) + stats(late)),
        ]
    else:
        heads = [
            Text(f"{named[0]}: {stats(blocked)} ms", style="bold"),
            Text(f"{named[1]}: {stats(late)} ms", style="bold"),
            # the border title is too narrow here for what kept the loop away longest
            *(Text(line, style="yellow") for line in textwrap.wrap(culprit(snapshot), max(width, 20))),
            Text("ms".rjust(LABEL_WIDTH - 1) + " " + "blocked".ljust(half) + "late", style="dim"),
        ]
    line, start, end = lateness_line(snapshot, width - LABEL_WIDTH)
    away = Text("away".ljust(LABEL_WIDTH), style="dim") + line
    axis = time_axis(start, end, width - LABEL_WIDTH)
    room = height - len(heads) - 2 if height > 0 else 1000
    if room < 3 and height > 0:  # too short: the time axis goes first
        room += 1
        axis = None
    top = max(max(blocked.buckets), max(late.buckets), 1)
    body = []
    for label, blocked_count, late_count in bucket_rows(blocked, late, max(room, 1)):
        row = Text(label.rjust(LABEL_WIDTH - 1)[: LABEL_WIDTH - 1] + " ", style="dim", no_wrap=True)
        row += _bar(blocked_count, top, half)[: half - 1]
        row.pad_right(LABEL_WIDTH + half - len(row))
        row += _bar(late_count, top, half)
        body.append(row)
    lines = [*heads, *body, away, *([axis] if axis is not None else [])]
    return lines[:height] if height > 0 else lines


class DelayView(Widget):
    """A view beside the loop's lanes (see view_set.py): the loop's delay so far, at the visualizer's position."""

    view_name: ClassVar[str] = "delay"
    DEFAULT_CSS = "DelayView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "event-loop delay"
        self.border_subtitle = LEGEND
        self._following = Following(lambda thread: DelayTimeline([], thread))
        self.snapshot: DelaySnapshot | None = None
        self._drawn: tuple[DelaySnapshot | None, tuple[int, int], list[Text]] | None = None

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        said = culprit(self.snapshot) if self.snapshot is not None else ""
        self.border_title = f"event-loop delay · {said}" if said else "event-loop delay"
        self.refresh(layout=True)

    def _rows(self, width: int, height: int) -> list[Text]:
        """delay_rows, kept while the snapshot and size stay (layout and render both ask, on a long run)."""
        drawn = self._drawn
        if drawn is None or drawn[0] is not self.snapshot or drawn[1] != (width, height):
            drawn = self._drawn = (self.snapshot, (width, height), delay_rows(self.snapshot, width, height))
        return drawn[2]

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        # in a short narrow pane the output still needs a line or two below (delay_rows merges buckets to fit)
        cramped = any(ancestor.has_class("cramped") for ancestor in self.ancestors)
        return len(self._rows(width, CRAMPED_ROWS if cramped else 1000))

    def render(self) -> Text:
        return Text("\n").join(self._rows(self.content_size.width, self.content_size.height))
