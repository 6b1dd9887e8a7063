"""The tiers view: one row per function of the program, its tier over time as a ladder, deopts marked ✕."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from app.trace.following import Following
from app.trace.schema import TIERS
from app.trace.tiers_model import FunctionLadder, TiersSnapshot, TiersTimeline

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

EMPTY = "no run yet: each function of the program appears here, climbing V8's tiers as it gets hot"
NOT_RECORDED = (
    "no tiers for this run: V8's code log is written for a run (r) with this view open, never for a check, nor when"
    " the program runs with V8 tracing of its own (--trace-opt...)"
)
NOT_YET = "nothing compiled yet at this point of the run: V8's log is placed by the trace's clock (step on)"
BARS = {"interpreted": "▁", "baseline": "▃", "maglev": "▅", "turbofan": "█"}
STYLES = {"interpreted": "dim", "baseline": "cyan", "maglev": "yellow", "turbofan": "bold green"}
SHORT = {"interpreted": "Ignition", "baseline": "Sparkplug", "maglev": "Maglev", "turbofan": "TurboFan"}
DEOPT = "✕"
DEOPT_STYLE = "bold red"
NAME_WIDTH = 18  # "name:12 " then the time axis


def ms(micros: int) -> str:
    return f"{micros / 1000:.1f} ms"


def chosen(functions: tuple[FunctionLadder, ...], rows: int) -> list[FunctionLadder]:
    """All functions in the order they compiled, or, when they do not fit, the ones that changed tier most."""
    if len(functions) <= rows:
        return list(functions)
    busiest = sorted(functions, key=lambda function: -function.changes)[: max(0, rows)]
    return busiest


def track(function: FunctionLadder, snapshot: TiersSnapshot, width: int) -> Text:
    """The function's tier in each column of the time axis, up to now; a deopt's column shows ✕."""
    span = max(1, snapshot.end - snapshot.start)
    column_of = lambda micros: min(width - 1, (micros - snapshot.start) * width // span)  # noqa: E731
    cells: list[tuple[str, str]] = [(" ", "")] * width
    now = column_of(snapshot.now)
    for index, (micros, tier) in enumerate(function.steps):
        until = column_of(function.steps[index + 1][0]) if index + 1 < len(function.steps) else now + 1
        for column in range(column_of(micros), max(column_of(micros) + 1, until)):
            cells[column] = (BARS[tier], STYLES[tier])
    for mark in function.deopts:
        cells[column_of(mark.micros)] = (DEOPT, DEOPT_STYLE)
    text = Text()
    for char, style in cells:
        text.append(char, style=style)
    return text


def row_label(function: FunctionLadder, width: int) -> Text:
    """`scale:5`: the name, and the line it starts on (the file is the program's, almost always its only one)."""
    line = f":{function.line}"
    text = Text(function.name[: max(1, width - len(line) - 1)], style="bold")
    text.append(line, style="dim")
    text.pad_right(width - len(text))
    text.truncate(width)
    return text


def legend(width: int) -> Text:
    text = Text()
    for tier in TIERS:
        text.append(BARS[tier], style=STYLES[tier])
        text.append(f" {SHORT[tier]}  ")
    text.append(DEOPT, style=DEOPT_STYLE)
    text.append(" deopt")
    text.truncate(width)
    return text


def last_deopt_line(snapshot: TiersSnapshot, width: int) -> Text:
    if snapshot.last_deopt is None:
        return Text("no deopt yet", style="dim")
    function, mark = snapshot.last_deopt
    where = mark.where.rsplit("/", 1)[-1]
    text = Text(f"{DEOPT} ", style=DEOPT_STYLE)
    text.append(f"{function.name} ", style="bold")
    text.append(f"left {SHORT.get(mark.tier, mark.tier)} at {ms(mark.micros)}: ")
    text.append(mark.reason, style="bold")
    text.append(f" ({where}, {mark.kind})", style="dim")
    text.truncate(width, overflow="ellipsis")
    return text


def tiers_rows(snapshot: TiersSnapshot | None, width: int, height: int) -> Text:
    """The ladders that fit in `height` lines, then the newest deopt and the legend."""
    if snapshot is None:
        return Text(EMPTY, style="dim")
    if not snapshot.functions:
        return Text(NOT_YET if snapshot.recorded else NOT_RECORDED, style="dim")
    name_width = min(NAME_WIDTH, max(8, width * 2 // 5))
    axis = max(4, width - name_width)
    extra = 2 if height >= 4 else 1  # the newest deopt, then (with room) the legend
    lines = []
    for function in chosen(snapshot.functions, max(1, height - extra)):
        line = row_label(function, name_width)
        line.append_text(track(function, snapshot, axis))
        lines.append(line)
    lines.append(last_deopt_line(snapshot, width))
    if extra == 2:
        lines.append(legend(width))
    return Text("\n").join(lines)


class TiersView(Widget):
    """The tiers view: keeps a TiersTimeline in step with the loop's Timeline and draws it at the position."""

    view_name: ClassVar[str] = "tiers"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "tiers"
        self._following = Following(lambda thread: TiersTimeline(thread=thread))
        self.snapshot: TiersSnapshot | None = None

    @property
    def tiers(self) -> TiersTimeline | None:
        """The model of the run shown, None before any run."""
        return self._following.model

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        snapshot = self.snapshot
        if snapshot is not None and snapshot.functions:
            self.border_subtitle = (
                f"{len(snapshot.functions)} functions · {snapshot.deopts} deopts · "
                f"{ms(snapshot.start)}–{ms(snapshot.end)}"
            )
        else:
            self.border_subtitle = ""
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        functions = len(self.snapshot.functions) if self.snapshot is not None else 0
        return max(1, min(14, functions + 2 if functions else 1))

    def render(self) -> Text:
        return tiers_rows(self.snapshot, self.content_size.width or 80, self.content_size.height or 8)
