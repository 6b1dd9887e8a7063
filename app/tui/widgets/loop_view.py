"""Rich renderings of one LoopSnapshot: the phase row, the queue lanes and the coloured output lines."""

from __future__ import annotations

from pathlib import PurePath

from rich.text import Text
from textual.widgets.option_list import Option

from app.trace.loop_model import LoopSnapshot, QueueItem, ShownLine
from app.trace.schema import site_parts
from app.tui.widgets.marks import phase_style, place_tag

LANES = (  # (snapshot field, title, colour of the phase it belongs to)
    ("timers", "timers", "timers"),
    ("pending", "pending", "pending"),
    ("poll", "poll · I/O", "poll"),
    ("threadpool", "threadpool", "poll"),
    ("check", "check", "check"),
    ("close", "close", "close"),
    ("next_tick", "nextTick", "main"),
    ("microtasks", "microtasks", "main"),
)
LANE_WIDTH = 11
MOST_PER_LANE = 6  # a lane with more shows "+N more"


def short_site(site: str | None) -> str:
    """`main.js:5` from `/tmp/looplab-run-x/main.js:5:1`."""
    parts = site_parts(site)
    if parts is None:
        return site or ""
    return f"{PurePath(parts[0]).name}:{parts[1]}"


def phase_row(snapshot: LoopSnapshot | None, order: tuple[str, ...]) -> Text:
    """main │ pending › poll › check › close › timers │ exit, with the current phase lit."""
    current = snapshot.phase if snapshot else ""
    text = Text()

    def phase(name: str) -> None:
        style = phase_style(name)
        if name == current:
            text.append(f" {name} ", style=f"{style} reverse")
        else:
            text.append(f" {name} ", style="dim")

    phase("main")
    text.append("│", style="dim")
    for index, name in enumerate(order):
        if index:
            text.append("›", style="dim")
        phase(name)
    text.append("│", style="dim")
    phase("exit")
    if snapshot is not None:
        text.append(f"  iteration {snapshot.iteration}", style="bold")
        if snapshot.loop_ms is not None:
            text.append(f" · {snapshot.loop_ms} ms", style="dim")
    return text


def running_line(snapshot: LoopSnapshot | None) -> Text:
    if snapshot is None:
        return Text("Nothing has run yet.", style="dim")
    if snapshot.running is None:
        if snapshot.phase == "exit":
            return Text("The loop is empty: the process is exiting.", style="dim")
        if snapshot.phase == "poll":
            return Text("Waiting in poll for I/O or the next timer.", style="dim")
        return Text(f"Between callbacks in {snapshot.phase}.", style="dim")
    item = snapshot.running
    text = Text("▶ running ", style="bold")
    text.append(item.title, style=f"{phase_style(snapshot.phase)}")
    queue = snapshot.running_queue
    if queue and queue != "macrotask":
        text.append(f" from the {queue} queue", style="italic")
    if item.site:
        text.append(f"  scheduled at {short_site(item.site)}", style="dim")
    return text


def _lane_title(title: str, colour: str) -> Text:
    """The lane's name in its phase's colour, padded to the lane column; only this part is coloured."""
    return Text.assemble((f"{title:<{LANE_WIDTH}}", phase_style(colour).replace("bold ", "")))


def _item_prompt(lane: str, item: QueueItem, first: bool, colour: str, loop_ms: int | None) -> Text:
    text = _lane_title(lane if first else "", colour)
    text.append(item.title, style="bold")
    if item.due is not None:
        if loop_ms is not None:
            left = item.due - loop_ms
            text.append(f"  in {left} ms" if left > 0 else "  due now", style="yellow")
        else:
            text.append(f"  due at {item.due} ms", style="yellow")
    if item.site:
        text.append(f"  {short_site(item.site)}", style="dim")
    return text


def lane_options(snapshot: LoopSnapshot | None, compact: bool = False) -> list[Option]:
    """One selectable option per queued item (id `item:<lane>:<resource>`) and a row per empty lane.

    `compact` (a short pane) lists the empty lanes together in one last row instead.
    """
    options: list[Option] = []
    empty: list[tuple[str, str]] = []
    loop_ms = snapshot.loop_ms if snapshot else None
    for field, title, colour in LANES:
        if field == "threadpool":
            busy, size = (snapshot.threadpool_busy, snapshot.threadpool_size) if snapshot else (0, 4)
            if not busy and compact:
                empty.append(("threadpool", colour))
                continue
            if not busy:
                idle = _lane_title(title, colour).append(f"idle, {size} threads", style="dim")
                options.append(Option(idle, disabled=True))
                continue
            shown = min(busy, size)
            bar = _lane_title(title, colour)
            bar.append("■" * shown, style="bold cyan")
            bar.append("□" * (size - shown), style="dim")
            bar.append(f"  {busy} of {size} busy" + (f", {busy - size} waiting" if busy > size else ""), style="dim")
            options.append(Option(bar, disabled=True))
            continue
        items: tuple[QueueItem, ...] = getattr(snapshot, field) if snapshot else ()
        if not items:
            if compact:
                empty.append((title, colour))
            else:
                options.append(Option(_lane_title(title, colour).append("—", style="dim"), disabled=True))
            continue
        for index, item in enumerate(items[:MOST_PER_LANE]):
            options.append(Option(_item_prompt(title, item, index == 0, colour, loop_ms), id=f"item:{field}:{item.id}"))
        if len(items) > MOST_PER_LANE:
            options.append(Option(Text(f"{'':<{LANE_WIDTH}}+{len(items) - MOST_PER_LANE} more", "dim"), disabled=True))
    if empty:
        row = Text("empty".ljust(LANE_WIDTH), style="dim")
        for index, (title, colour) in enumerate(empty):
            row.append(", " if index else "", style="dim")
            row.append(title, style=phase_style(colour).replace("bold ", "") + " dim")
        options.append(Option(row, disabled=True))
    if snapshot is not None and snapshot.summarised:
        note = "the tracer switched to counts here; queues are no longer followed"
        options.append(Option(Text(note, style="italic yellow"), disabled=True))
    return options


def output_prompt(line: ShownLine, tag_width: int) -> Text:
    """`poll›tick  the line`, the text in its phase's colour; stderr lines marked with `!`."""
    text = Text()
    tag = place_tag(line.phase, line.queue)
    tag.truncate(tag_width, pad=True)
    text.append_text(tag)
    text.append(" ")
    style = phase_style(line.phase).replace("bold ", "")
    if line.stream == "stderr":
        text.append("! ", style="bold red")
    text.append(line.text, style=style)
    return text


def tag_width(lines: tuple[ShownLine, ...] | list[ShownLine]) -> int:
    return max((len(place_tag(line.phase, line.queue)) for line in lines), default=0)
