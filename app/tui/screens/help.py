"""F1 or ?: every key that works where the learner was, grouped by the part of the screen that owns it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def _owner_name(node: object) -> str:
    return getattr(node, "HELP_GROUP", None) or type(node).__name__


def bindings_table(screen: Screen) -> Table:
    """The screen's active bindings, as the learner would read them: key, what it does, and its id."""
    table = Table(box=None, expand=True, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("key", no_wrap=True, style="bold cyan")
    table.add_column("does")
    table.add_column("id", style="dim", no_wrap=True)
    groups: dict[str, list[tuple[str, Binding, str]]] = {}
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.id or not active.enabled:
            continue  # Textual's own list and scroll keys are summed up in one line below
        ident = binding.id or binding.action
        if ident in seen:  # one binding with several keys is listed once, with all of them
            continue
        seen.add(ident)
        keys = ", ".join(screen.app.get_key_display(Binding(k, binding.action)) for k in binding.key.split(","))
        groups.setdefault(_owner_name(active.node), []).append((keys or key, binding, active.tooltip))
    for group, rows in groups.items():
        table.add_row(Text(group, style="bold underline"), "", "")
        for keys, binding, tooltip in rows:
            does = Text(binding.description, style="bold")
            if tooltip or binding.tooltip:
                does.append(f"  {tooltip or binding.tooltip}", style="not bold dim")
            table.add_row(keys, does, binding.id or "")
        table.add_row("", "", "")
    return table


MOVING_AROUND = Text.assemble(
    ("Moving around  ", "bold underline"),
    "↑↓ PgUp PgDn move in lists and scroll · Tab / Shift+Tab next or previous area · "
    "Ctrl+P command palette (lessons, run, check, reset, theme) · Ctrl+Q quit",
)


class HelpScreen(ModalScreen[None]):
    HELP_GROUP = "Help"
    BINDINGS = [Binding("escape,f1,question_mark,q", "dismiss", "Close help", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.table = bindings_table(under)
        self.where = getattr(under, "HELP_GROUP", type(under).__name__)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = f"Keys · {self.where}"
            body.border_subtitle = "Esc closes · Ctrl+P opens the command palette"
            yield Static(self.table, id="help-table")
            yield Static(MOVING_AROUND, id="help-moving")
