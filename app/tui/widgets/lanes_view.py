"""The lanes view: one loop lane per thread and per traced process on one time axis, and the messages between them.

Each lane is a row: its name, what it does now (the phase and the callback, or waiting in poll), then its recent
history as a strip over the run's time: a callback running is a block in its phase's colour, waiting in poll a
dot. A message is an arrow tail where it left (↓ or ↑, toward its receiver's row) and a head where it arrived (▼
or ▲); one still in flight is drawn bold. Under the axis, the latest messages one per line, those in flight first.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from app.trace.lanes_model import (
    BUSY,
    ENDED,
    HISTORY,
    WAITING,
    Arrow,
    Lane,
    LanesFollowing,
    LanesSnapshot,
    Step,
    lane_name,
)
from app.tui.widgets.fd_view import rows_in_sight
from app.tui.widgets.marks import phase_style

NAME_WIDTH = 9  # "worker 12"
NOW_WIDTH = 16  # "timers timer", "waits in poll"
LABEL_WIDTH = NAME_WIDTH + NOW_WIDTH
MESSAGE_LINES = 3
NO_RUN = "Run the exercise: the main thread, each worker and each child gets a lane, with its messages as arrows."
ONE_LANE = "One thread so far: a lane appears for each worker or child the program starts."
LEGEND = "█ a callback (phase colour) · ·waits in poll · ↓↑ sent ▼▲ arrived"
WIDE = 70  # narrower than this, a lane's row has no room for what it does now: its strip's last column says it


class _Axis:
    def __init__(self, start: int, end: int, width: int) -> None:
        self.start, self.end = start, max(end, start + 1000)
        self.width = max(width, 1)

    def column(self, micros: int) -> int:
        span = self.end - self.start
        return min(self.width - 1, max(0, (micros - self.start) * (self.width - 1) // span))

    def micros(self, column: int) -> int:
        return self.start + (self.end - self.start) * (column + 1) // self.width

    def row(self, origin: int, label_width: int) -> Text:
        """The axis under the strips, in ms since `origin` (the run's first placed moment)."""
        left, right = f"{(self.start - origin) / 1000:.0f} ms", f"{(self.end - origin) / 1000:.0f} ms"
        text = Text(" " * label_width + left, style="dim", no_wrap=True)
        text.append("─" * max(self.width - len(left) - len(right), 1) + right)
        return text


def window(snapshot: LanesSnapshot) -> tuple[int, int]:
    """The axis's span: from the run's start, or later where a lane's kept history begins later (a long run)."""
    start = snapshot.start or 0
    for lane in snapshot.lanes:
        if len(lane.history) >= HISTORY and lane.history[0].micros is not None:
            start = max(start, lane.history[0].micros)
    return start, max(snapshot.now or 0, start)


def now_text(lane: Lane) -> Text:
    """What the lane does now, in NOW_WIDTH columns."""
    step = lane.now
    if step.state == ENDED:
        said, style = "exited", "dim"
    elif step.state == WAITING:
        said, style = "waits in poll", phase_style("poll")
    elif step.state == BUSY:
        what = (step.what or "callback").replace("message port", "message")
        said, style = f"{step.phase} {what}", phase_style(step.phase)
    else:
        said, style = f"{step.phase} between", "dim"
    return Text(f"{said[: NOW_WIDTH - 1]:<{NOW_WIDTH}}", style=style, no_wrap=True)


def _cell(step: Step | None) -> tuple[str, str]:
    if step is None or step.state == ENDED:
        return " ", ""
    if step.state == BUSY:
        return "█", phase_style(step.phase).replace("bold ", "") or "white"
    if step.state == WAITING:
        return "·", "dim cyan"
    return "─", "dim"


def strip(lane: Lane, axis: _Axis, marks: dict[int, tuple[str, str]]) -> Text:
    """The lane over the axis: each column the step in force at its end, messages over it."""
    placed = [step for step in lane.history if step.micros is not None]
    text = Text(no_wrap=True, overflow="crop")
    at = 0
    for column in range(axis.width):
        if column in marks:
            text.append(*marks[column])
            continue
        until = axis.micros(column)
        while at < len(placed) and placed[at].micros <= until:  # type: ignore[operator]
            at += 1
        # the step in force at the column's end, or a callback that began and ended within the column
        inside = [s for s in placed[:at] if s.micros > until - (axis.end - axis.start) // axis.width]  # type: ignore[operator]
        busy = next((s for s in inside if s.state == BUSY), None)
        text.append(*_cell(busy or (placed[at - 1] if at else None)))
    return text


def _marks(snapshot: LanesSnapshot, axis: _Axis, rows: dict[int, int]) -> dict[int, dict[int, tuple[str, str]]]:
    """Per lane, the columns where a message left or arrived, with the character and style to draw there."""
    marks: dict[int, dict[int, tuple[str, str]]] = {thread: {} for thread in rows}
    for arrow in snapshot.arrows:
        if arrow.sent < axis.start:
            continue
        down = arrow.receiver is None or rows.get(arrow.receiver, 0) > rows.get(arrow.sender, 0)
        style = "bold reverse" if arrow.in_flight else "bold"
        if arrow.sender in marks:
            _put(marks[arrow.sender], axis.column(arrow.sent), ("↓" if down else "↑", style), axis.width)
        if arrow.received is not None and arrow.receiver in marks:
            _put(marks[arrow.receiver], axis.column(arrow.received), ("▼" if down else "▲", "bold"), axis.width)
    return marks


def _put(row: dict[int, tuple[str, str]], column: int, mark: tuple[str, str], width: int) -> None:
    """A mark at its column, or the next free one when messages crowd a column (a long run on a narrow pane)."""
    while column in row and column + 1 < width:
        column += 1
    row[column] = mark


def describe(arrow: Arrow, start: int) -> str:
    to = lane_name(arrow.receiver) if arrow.receiver is not None else "?"
    where = f"{lane_name(arrow.sender)} → {to} #{arrow.k}"
    sent = f"sent {(arrow.sent - start) / 1000:.1f} ms"
    if arrow.received is None:
        return f"{where}  {sent}, in flight"
    return f"{where}  {sent}, took {(arrow.received - arrow.sent) / 1000:.2f} ms"


def summary(snapshot: LanesSnapshot) -> str:
    threads = len(snapshot.lanes)
    said = f"{threads} lane{'s' if threads != 1 else ''}"
    sent = len(snapshot.arrows)
    if sent:
        flying = len(snapshot.in_flight)
        said += f" · {sent} message{'s' if sent != 1 else ''}" + (f", {flying} in flight" if flying else "")
    return said


def lanes_rows(snapshot: LanesSnapshot | None, width: int, height: int) -> list[Text]:
    """The view as lines `width` wide, at most `height`: a summary, a row per lane, the axis, the latest messages."""
    if snapshot is None or not snapshot.lanes:
        return [Text(line, style="dim") for line in textwrap.wrap(NO_RUN, max(width, 20))]
    lines = [Text(summary(snapshot), style="bold", no_wrap=True, overflow="ellipsis")]
    if len(snapshot.lanes) == 1 and not snapshot.arrows:
        lines += [Text(line, style="dim") for line in textwrap.wrap(ONE_LANE, max(width, 20))]
    room = max(height - 2, 1)  # below the summary, above the axis
    lanes = snapshot.lanes
    if len(lanes) > room:
        lanes = lanes[: room - 1]
    label_width = LABEL_WIDTH if width >= WIDE else NAME_WIDTH
    chart = max(width - label_width, 10)
    placed = snapshot.start is not None and snapshot.now is not None
    axis = _Axis(*window(snapshot), chart)
    rows = {lane.thread: index for index, lane in enumerate(snapshot.lanes)}
    marks = _marks(snapshot, axis, rows) if placed else {}
    for lane in lanes:
        line = Text(f"{lane.name[: NAME_WIDTH - 1]:<{NAME_WIDTH}}", style="bold", no_wrap=True)
        if label_width > NAME_WIDTH:
            line += now_text(lane)
        if placed:
            line += strip(lane, axis, marks.get(lane.thread, {}))
        lines.append(line)
    if len(lanes) < len(snapshot.lanes):
        lines.append(Text(f"… {len(snapshot.lanes) - len(lanes)} more lanes: + makes the pane taller", style="dim"))
    if placed:
        lines.append(axis.row(snapshot.start or 0, label_width))
        recent = [*reversed(snapshot.in_flight), *(a for a in reversed(snapshot.arrows) if not a.in_flight)]
        for arrow in recent[: max(0, min(MESSAGE_LINES, height - len(lines)))]:
            style = "bold" if arrow.in_flight else "dim"
            lines.append(Text(describe(arrow, snapshot.start or 0), style=style, no_wrap=True, overflow="ellipsis"))
    for line in lines:
        line.truncate(max(width, 1), overflow="ellipsis")
    return lines[:height] if height > 0 else lines


class LanesView(Widget):
    """A view beside the loop's lanes (see view_set.py): every thread's loop at the visualizer's position."""

    view_name: ClassVar[str] = "lanes"
    DEFAULT_CSS = "LanesView { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "threads and processes"
        self.border_subtitle = LEGEND
        self._following = LanesFollowing()
        self.snapshot: LanesSnapshot | None = None

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return len(lanes_rows(self.snapshot, width, 1000))

    def render(self) -> Text:
        return Text("\n", no_wrap=True).join(
            lanes_rows(self.snapshot, self.content_size.width or 80, rows_in_sight(self) or 1000)
        )


if TYPE_CHECKING:
    from app.trace.loop_model import Timeline
