"""How phases, queues and exercise states look everywhere in the app: one place for names and colours."""

from __future__ import annotations

from rich.terminal_theme import TerminalTheme
from rich.text import Text

# ANSI colour names, so each theme's palette below decides the exact shade.
PHASE_STYLES = {
    "main": "bold magenta",
    "timers": "bold yellow",
    "pending": "bold red",
    "poll": "bold cyan",
    "check": "bold green",
    "close": "bold blue",
    "exit": "bold bright_black",
}
# The ANSI palette of the light theme: Textual's own (Alabaster) with the colours the phases use darkened to a
# contrast of at least 4.5:1 (WCAG AA) on the light theme's backgrounds; Alabaster's yellow there was 2.1:1.
LIGHT_ANSI = TerminalTheme(
    (247, 247, 247),
    (0, 0, 0),
    [
        (0, 0, 0),
        (160, 40, 35),  # red
        (30, 100, 20),  # green
        (115, 80, 0),  # yellow
        (40, 80, 180),  # blue
        (122, 62, 157),  # magenta
        (0, 95, 130),  # cyan
        (247, 247, 247),
        (85, 85, 85),  # bright black
    ],
    [(240, 80, 80), (96, 203, 0), (255, 188, 93), (0, 122, 204), (230, 76, 230), (0, 170, 203), (247, 247, 247)],
)
QUEUE_TAGS = {"macrotask": "", "nextTick": "›tick", "microtask": "›micro"}
STATUS_MARKS = {"passed": ("✓", "bold green"), "failed": ("✗", "bold red"), "pending": ("·", "dim")}


def phase_style(phase: str | None) -> str:
    return PHASE_STYLES.get(phase or "", "")


def place_tag(phase: str | None, queue: str | None) -> Text:
    """The short form for a column: `timers`, `poll›tick`, `main›micro`."""
    if phase is None:
        return Text("?", style="dim")
    if not phase:
        return Text("")
    tag = Text(phase, style=phase_style(phase))
    tag.append(QUEUE_TAGS.get(queue or "", f"›{queue}"), style="italic")
    return tag


def status_mark(status: str) -> Text:
    mark, style = STATUS_MARKS.get(status, STATUS_MARKS["pending"])
    return Text(mark, style=style)
