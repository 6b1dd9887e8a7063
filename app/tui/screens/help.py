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
    """The part of the screen a key belongs to: a widget without a name of its own takes its pane's."""
    while node is not None:
        group = getattr(node, "HELP_GROUP", None)
        if group:
            return group
        node = getattr(node, "parent", None)
    return "Everywhere"


def bindings_table(screen: Screen) -> Table:
    """The screen's active bindings, as the learner would read them: every key, what it does, and its id."""
    table = Table(box=None, expand=True, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("key", no_wrap=True, style="bold cyan")
    table.add_column("does")
    table.add_column("id", style="dim", no_wrap=True)
    actions: dict[str, tuple[str, Binding, str, list[str]]] = {}  # binding id -> group, binding, tooltip, keys
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.id or not active.enabled:
            continue  # Textual's own list and scroll keys are summed up in one line below
        if binding.id in actions:  # Textual splits "right,space,pagedown" into one binding per key
            actions[binding.id][3].append(key)
        else:
            actions[binding.id] = (_owner_name(active.node), binding, active.tooltip, [key])
    groups: dict[str, list[tuple[str, Binding, str]]] = {}
    for group, binding, tooltip, keys in actions.values():
        shown = ", ".join(screen.app.get_key_display(Binding(key, binding.action)) for key in keys)
        groups.setdefault(group, []).append((shown, binding, tooltip))
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
        self.where = _owner_name(under)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = f"Keys · {self.where}"
            body.border_subtitle = "Esc closes · Ctrl+P opens the command palette"
            yield Static(self.table, id="help-table")
            yield Static(MOVING_AROUND, id="help-moving")
