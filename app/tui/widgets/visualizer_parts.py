"""The pieces the visualizer is drawn with: the phase row, the queue and output lists, and the scrub bar."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from app.trace.loop_snapshot import LoopSnapshot, QueueItem, ShownLine
from app.tui.widgets.loop_view import legend, phase_row


class PhaseRow(Widget):
    """The phases of one iteration, the current one lit, always on one line: it abbreviates rather than wrap."""

    DEFAULT_CSS = "PhaseRow { height: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.snapshot: LoopSnapshot | None = None
        self.order: tuple[str, ...] = ()

    def show(self, snapshot: LoopSnapshot | None, order: tuple[str, ...]) -> None:
        self.snapshot, self.order = snapshot, order
        self.refresh()

    def render(self) -> Text:
        return phase_row(self.snapshot, self.order, self.content_size.width or None)


class ScrubBar(Widget):
    """Where the shown snapshot is in the run; click to jump there."""

    DEFAULT_CSS = "ScrubBar { height: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.position = 0
        self.total = 0

    def show(self, position: int, total: int) -> None:
        self.position, self.total = position, total
        self.refresh()

    def render(self) -> Text:
        width = max(self.size.width, 1)
        filled = round(width * self.position / self.total) if self.total else 0
        return Text("━" * filled, style="bold cyan") + Text("─" * (width - filled), style="dim")

    def on_click(self, event: events.Click) -> None:
        if self.total and self.size.width:
            self.post_message(self.Scrubbed(round(self.total * event.x / max(self.size.width - 1, 1))))

    @dataclass
    class Scrubbed(Message):
        position: int


LIST_KEYS = [  # the lists' own keys, without left and right: those step the replay
    Binding("up", "cursor_up", "Previous item", id="visualizer.list_up", show=False),
    Binding("down", "cursor_down", "Next item", id="visualizer.list_down", show=False),
    Binding("home", "first", "First item", id="visualizer.list_first", show=False),
    Binding("end", "last", "Last item", id="visualizer.list_last", show=False),
    Binding("pageup", "page_up", "Page up", id="visualizer.list_page_up", show=False),
    Binding("pagedown", "page_down", "Page down", id="visualizer.list_page_down", show=False),
    Binding(
        "enter",
        "select",
        "Show in code",
        id="visualizer.pick",
        show=False,
        tooltip="Light up the line of your program that scheduled it",
    ),
]


class QueueLanes(OptionList, inherit_bindings=False):
    HELP_GROUP = "Visualizer"
    BINDINGS = LIST_KEYS


class OutputView(OptionList, inherit_bindings=False):
    """The program's lines, with a legend of the `›tick` and `›micro` tags on its lower border."""

    HELP_GROUP = "Visualizer"
    BINDINGS = LIST_KEYS

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown_lines: tuple[ShownLine, ...] = ()

    def show_legend_for(self, lines: tuple[ShownLine, ...]) -> None:
        self._shown_lines = lines
        self._draw_legend()

    def on_resize(self) -> None:
        self._draw_legend()

    def _draw_legend(self) -> None:
        self.border_subtitle = legend(self._shown_lines, self.size.width - 4)  # the corners and a space each side


def lane_items(snapshot: LoopSnapshot, field: str) -> tuple[QueueItem, ...]:
    """The items of one lane of the snapshot, or those the process left behind when it ended."""
    if field == "left_at_end":
        return tuple(item for _, item in snapshot.left_at_end)
    return getattr(snapshot, field)


def refill_options(options: OptionList, new: list[Option]) -> None:
    """Replace the options, keeping the highlight on the same item when it is still there."""
    keep = options.highlighted_option.id if options.highlighted_option is not None else None
    with options.prevent(OptionList.OptionHighlighted):  # a redraw is not the learner picking something
        options.clear_options()
        options.add_options(new)
        if keep is not None:
            for index, option in enumerate(new):
                if option.id == keep:
                    options.highlighted = index
                    break
