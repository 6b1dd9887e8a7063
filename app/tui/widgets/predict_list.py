"""Predict mode: the learner puts the program's lines in the order they expect, by keyboard or mouse."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class PredictList(OptionList):
    """Lines to order. Enter picks a line up and puts it down; Shift+↑/↓ (or K/J) move the highlighted line.

    With a mouse: click a line to pick it up, click where it should go to put it down.
    """

    HELP_GROUP = "Prediction"
    BINDINGS = [
        Binding("shift+up,ctrl+up,K", "move(-1)", "Move line up", id="predict.up"),
        Binding("shift+down,ctrl+down,J", "move(1)", "Move line down", id="predict.down"),
        Binding("enter,space", "grab", "Pick up/put down", id="predict.grab"),
    ]

    @dataclass
    class Changed(Message):
        lines: list[str]

    def __init__(self, lines: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lines = list(lines)
        self.grabbed: int | None = None
        self.marks: list[str | None] = [None] * len(lines)  # "ok" / "wrong" after a comparison

    def on_mount(self) -> None:
        self.redraw()
        self.highlighted = 0 if self.lines else None

    def set_lines(self, lines: list[str]) -> None:
        self.lines, self.grabbed, self.marks = list(lines), None, [None] * len(lines)
        self.redraw()
        self.highlighted = 0 if lines else None

    def mark(self, statuses: list[str | None]) -> None:
        self.marks = (statuses + [None] * len(self.lines))[: len(self.lines)]
        self.redraw()

    def redraw(self) -> None:
        keep = self.highlighted
        self.clear_options()
        for index, line in enumerate(self.lines):
            text = Text(f"{index + 1:>2} ", style="dim")
            mark = self.marks[index]
            if mark == "ok":
                text.append("✓ ", style="bold green")
            elif mark == "wrong":
                text.append("✗ ", style="bold red")
            else:
                text.append("  ")
            if index == self.grabbed:
                text.append(f"⇅ {line}", style="bold reverse")
            else:
                text.append(line, style="bold red" if mark == "wrong" else "")
            self.add_option(Option(text, id=str(index)))
        if keep is not None and self.lines:
            self.highlighted = min(keep, len(self.lines) - 1)

    def _moved(self, source: int, target: int) -> None:
        target = max(0, min(target, len(self.lines) - 1))
        if source == target:
            return
        self.lines.insert(target, self.lines.pop(source))
        self.marks = [None] * len(self.lines)  # an earlier comparison no longer describes this order
        if self.grabbed is not None:
            self.grabbed = target
        self.highlighted = target
        self.redraw()
        self.highlighted = target
        self.post_message(self.Changed(list(self.lines)))

    def action_move(self, delta: int) -> None:
        if self.highlighted is not None:
            self._moved(self.highlighted, self.highlighted + delta)

    def action_grab(self) -> None:
        if self.highlighted is None:
            return
        if self.grabbed is None:
            self.grabbed = self.highlighted
            self.redraw()
        else:
            source, self.grabbed = self.grabbed, None
            self.redraw()
            self._moved(source, self.highlighted)

    def action_cursor_down(self) -> None:
        if self.grabbed is not None:  # carrying a line moves it with the cursor
            self.action_move(1)
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.grabbed is not None:
            self.action_move(-1)
        else:
            super().action_cursor_up()

    def action_select(self) -> None:
        """Enter, or a click (which first highlights the clicked line): pick up, or put down here."""
        self.action_grab()
