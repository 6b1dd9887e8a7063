"""Rich renderings of one LoopSnapshot: the phase row, the queue lanes and the coloured output lines."""

from __future__ import annotations

from pathlib import PurePath

from rich.text import Text
from textual.widgets.option_list import Option

from app.trace.loop_snapshot import LoopSnapshot, QueueItem, RunEnd, ShownLine
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
PHASE_ABBREVIATIONS = {"pending": "pend", "check": "chk", "close": "cls", "timers": "tmr"}
PHASE_INITIALS = {"main": "m", "pending": "p", "poll": "P", "check": "c", "close": "C", "timers": "t", "exit": "x"}
LEGEND = (  # what the tags in the output column mean, longest first: the widest that fits is shown
    "›tick ran from the nextTick queue · ›micro from the microtask (promise) queue",
    "›tick nextTick queue · ›micro microtask (promise) queue",
    "›tick nextTick queue · ›micro microtask queue",
    "›tick nextTick queue · ›micro microtasks",
    "›tick nextTick · ›micro microtask",
)
LANE_WIDTH = 11
MOST_PER_LANE = 6  # a lane with more shows "+N more"


def short_site(site: str | None) -> str:
    """`main.js:5` from `/tmp/looplab-run-x/main.js:5:1`."""
    parts = site_parts(site)
    if parts is None:
        return site or ""
    return f"{PurePath(parts[0]).name}:{parts[1]}"


def phase_row(snapshot: LoopSnapshot | None, order: tuple[str, ...], width: int | None = None) -> Text:
    """main │ pending › poll › check › close › timers │ exit, the current phase lit, on one line of `width`.

    A narrower row drops spaces, then abbreviates the names, then shortens the iteration, rather than wrap.
    """
    current = snapshot.phase if snapshot else ""
    for names, pad in ((None, " "), (None, ""), (PHASE_ABBREVIATIONS, ""), (PHASE_INITIALS, "")):
        phases = _phases(current, order, names, pad)
        for suffix in _iteration_suffixes(snapshot):
            row = phases + suffix
            if width is None or row.cell_len <= width:
                return row
    row = Text(f" {current} ", style=f"{phase_style(current)} reverse") if current else Text("")
    row.truncate(max(width or 0, 0), overflow="ellipsis")
    return row


def _phases(current: str, order: tuple[str, ...], names: dict[str, str] | None, pad: str) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")

    def phase(name: str) -> None:
        if name == current:  # the lit phase keeps its whole name, however short the others get
            text.append(f" {name} ", style=f"{phase_style(name)} reverse")
        else:
            text.append(f"{pad}{names.get(name, name) if names else name}{pad}", style="dim")

    phase("main")
    text.append("│", style="dim")
    for index, name in enumerate(order):
        if index:
            text.append("›", style="dim")
        phase(name)
    text.append("│", style="dim")
    phase("exit")
    return text


def _iteration_suffixes(snapshot: LoopSnapshot | None) -> list[Text]:
    """How the row ends, longest first: `  iteration 5 · 47 ms`, `  iteration 5`, `  iter 5`, nothing."""
    if snapshot is None:
        return [Text("")]
    full = Text(f"  iteration {snapshot.iteration}", style="bold")
    if snapshot.loop_ms is not None:
        full.append(f" · {snapshot.loop_ms} ms", style="dim")
    short = Text(f"  iteration {snapshot.iteration}", style="bold")
    return [full, short, Text(f"  iter {snapshot.iteration}", style="bold"), Text("")]


def running_line(snapshot: LoopSnapshot | None) -> Text:
    if snapshot is None:
        return Text("Nothing has run yet.", style="dim")
    if snapshot.ended is not None:
        return _ending(snapshot, snapshot.ended)
    if snapshot.exited:
        return Text("The loop is over: the process is exiting.", style="dim")
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


def _ending(snapshot: LoopSnapshot, end: RunEnd) -> Text:
    """How the run ended, and where the loop was then: the last thing the visualizer says."""
    after = f"after {end.seconds:.1f} s" if end.seconds >= 1 else f"after {end.seconds:.2f} s"
    if not end.stopped:
        how = "The loop ran dry and the" if snapshot.loop_ran_dry else "The"
        return Text(f"■ {how} process exited with code {end.exit_code} {after}.", style="bold")
    if end.cancelled:
        who = f"Cancelled: stopped {after}"
    elif end.timed_out:
        who = f"Stopped by looplab {after}"
    elif end.truncated:
        who = f"Stopped by looplab {after}, at the output limit"
    else:
        who = f"Killed by {end.signal or 'a signal'} {after}"
    text = Text(f"■ {who}: ", style="bold red")
    if not snapshot.traced:
        text.append("the tracer had sent nothing yet.")
    elif snapshot.starving is not None:
        queue, callbacks = snapshot.starving
        where = f"the loop never left {snapshot.phase}"
        text.append(f"the {queue} queue kept refilling itself ({callbacks:,} callbacks in a row); {where}.")
    elif snapshot.stopped_while is not None:  # the tracer writes in blocks: its last one may be a while back
        text.append(f"the trace last showed {snapshot.stopped_while.title} running, in {snapshot.phase}.")
    elif snapshot.phase == "poll":
        text.append("the trace last showed the loop waiting in poll.")
    elif snapshot.phase == "main":
        text.append("the trace last showed the main module running.")
    else:
        text.append(f"the trace last showed the loop in {snapshot.phase}.")
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

    `compact` (a short pane, or a loop that is over) lists the empty lanes together in one last row instead.
    Once the process has gone, what it left behind shows in its lane, marked closed or never run (id
    `item:left_at_end:<resource>`).
    """
    options: list[Option] = []
    empty: list[tuple[str, str]] = []
    loop_ms = snapshot.loop_ms if snapshot else None
    compact = compact or (snapshot is not None and snapshot.exited)  # the loop is over: every lane is empty
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
            bar.append(f"  {shown} of {size} busy" + (f", {busy - size} waiting" if busy > size else ""), style="dim")
            options.append(Option(bar, disabled=True))
            continue
        items: tuple[QueueItem, ...] = getattr(snapshot, field) if snapshot else ()
        left = [item for lane, item in snapshot.left_at_end if lane == field] if snapshot else []
        if not items and not left:
            if compact:
                empty.append((title, colour))
            else:
                options.append(Option(_lane_title(title, colour).append("—", style="dim"), disabled=True))
            continue
        for index, item in enumerate(items[:MOST_PER_LANE]):
            options.append(Option(_item_prompt(title, item, index == 0, colour, loop_ms), id=f"item:{field}:{item.id}"))
        if len(items) > MOST_PER_LANE:
            options.append(Option(Text(f"{'':<{LANE_WIDTH}}+{len(items) - MOST_PER_LANE} more", "dim"), disabled=True))
        for index, item in enumerate(left[:MOST_PER_LANE]):
            prompt = _left_prompt(title if index == 0 else "", item, field, colour, snapshot)
            options.append(Option(prompt, id=f"item:left_at_end:{item.id}"))
        if len(left) > MOST_PER_LANE:
            options.append(Option(Text(f"{'':<{LANE_WIDTH}}+{len(left) - MOST_PER_LANE} more", "dim"), disabled=True))
    if empty:
        row = Text("empty".ljust(LANE_WIDTH), style="dim")
        for index, (title, colour) in enumerate(empty):
            row.append(", " if index else "", style="dim")
            row.append(title, style=phase_style(colour).replace("bold ", "") + " dim")
        options.append(Option(row, disabled=True))
    if snapshot is not None and snapshot.summarised:
        if not snapshot.exited:  # once the loop is over every lane is empty anyway: the counts say the rest
            note = "queues not followed after the tracer switched to counts"
            options.append(Option(Text(note, style="italic yellow"), disabled=True))
        counted = _counted_callbacks(snapshot)
        if counted.plain:
            options.append(Option(counted, disabled=True))
    return options


def _left_prompt(title: str, item: QueueItem, field: str, colour: str, snapshot: LoopSnapshot) -> Text:
    """A callback that never ran, or a handle closed by the process's end: dim, with what became of it."""
    text = _lane_title(title, colour)
    text.append(item.title, style="dim")
    stopped = snapshot.ended is not None and snapshot.ended.stopped
    fate = "never ran" if field != "poll" else ("open when stopped" if stopped else "closed at exit")
    text.append(f"  {fate}", style="italic")
    if item.site:
        text.append(f"  {short_site(item.site)}", style="dim")
    return text


def _counted_callbacks(snapshot: LoopSnapshot) -> Text:
    """`counted    main›tick 99,864 · timers 1`: the callbacks that ran after the switch, where they ran."""
    text = Text("counted".ljust(LANE_WIDTH), style="dim")
    ran = [(phase, queue, count) for phase, queue, what, count in snapshot.counts if what == "callback" and count]
    if not ran:
        return Text("")
    for index, (phase, queue, count) in enumerate(ran):
        text.append(" · " if index else "", style="dim")
        text.append_text(place_tag(phase, queue))
        text.append(f" {count:,}")
    return text


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


def legend(lines: tuple[ShownLine, ...] | list[ShownLine], width: int) -> str:
    """The widest explanation of `›tick` and `›micro` that fits `width`, when the output shows either."""
    if not any(line.queue in ("nextTick", "microtask") for line in lines):
        return ""
    return next((text for text in LEGEND if len(text) <= width), LEGEND[-1])
