"""How phases, queues and exercise states look everywhere in the app: one place for names and colours."""

from __future__ import annotations

from rich.text import Text

# Colours work on dark and light backgrounds alike.
PHASE_STYLES = {
    "main": "bold magenta",
    "timers": "bold yellow",
    "pending": "bold red",
    "poll": "bold cyan",
    "check": "bold green",
    "close": "bold blue",
    "exit": "bold bright_black",
}
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
