"""Small modal questions: confirm a destructive action, or ask for a slide number."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no; No is the default, so Enter on an unread question loses nothing."""

    HELP_GROUP = "Question"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class NumberScreen(ModalScreen[int | None]):
    """Ask for a number between 1 and `most`."""

    HELP_GROUP = "Question"
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="number.cancel")]

    def __init__(self, question: str, most: int) -> None:
        super().__init__()
        self.question = question
        self.most = most

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"{self.question} (1–{self.most})", classes="question")
            yield Input(type="integer", id="number")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = getattr(self.app, "blink", True)
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            value = int(event.value)
        except ValueError:
            self.notify("type a number", severity="warning")
            return
        if 1 <= value <= self.most:
            self.dismiss(value)
        else:
            self.notify(f"there are {self.most}; type 1 to {self.most}", severity="warning")
