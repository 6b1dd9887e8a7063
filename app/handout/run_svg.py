"""A recorded run as an inline SVG: the main thread's phases in the order they ran, and each output line where it
was printed, coloured by the phase that printed it.

The x axis is the loop model's positions (trace events of the main thread), as the app's playback bar steps them,
not wall-clock time: a phase that ran no callback still shows, and a long callback does not hide the rest.
"""

from __future__ import annotations

from html import escape

from app.trace.loop_model import Timeline, replay
from app.trace.recording import TraceRecording
from app.tui.widgets.marks import LIGHT_ANSI, PHASE_STYLES

_ANSI = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


def _light_shade(style: str) -> str:
    """A phase's ANSI colour in the app's light theme (marks.LIGHT_ANSI), which is readable on paper too."""
    name = style.split()[-1]
    if name.startswith("bright_"):
        red, green, blue = LIGHT_ANSI.ansi_colors[8 + _ANSI.index(name.removeprefix("bright_"))]
    else:
        red, green, blue = LIGHT_ANSI.ansi_colors[_ANSI.index(name)]
    return f"#{red:02x}{green:02x}{blue:02x}"


PHASE_COLOURS = {phase: _light_shade(style) for phase, style in PHASE_STYLES.items()}  # the app's phase hues
OTHER_COLOUR = "#888888"
WIDTH = 960
BAND_TOP, BAND_HEIGHT = 34, 26
ROW = 16
MAX_LINES = 60  # output lines drawn; the rest are counted
MAX_TEXT = 56  # characters of a line drawn: with its place tag it stays inside the picture from either side


def phase_runs(timeline: Timeline) -> list[tuple[int, int, str]]:
    """(start, end, phase) in event positions: the stretches in which the main thread's loop stayed in one phase."""
    starts = [0, *timeline.phase_changes]
    ends = [*timeline.phase_changes, len(timeline)]
    phases = [timeline.at(0).phase, *timeline.changed_to]
    return [
        (start, max(end, start + 1), phase or "main") for start, end, phase in zip(starts, ends, phases, strict=True)
    ]


def run_svg(recording: TraceRecording) -> str:
    timeline = replay(list(recording.events), threadpool_size=recording.threadpool_size)
    total = max(len(timeline), 1)
    runs = phase_runs(timeline)

    def x(position: int) -> float:
        return round(position / total * WIDTH, 1)

    lines = timeline.output
    positions = timeline.line_positions()
    shown = min(len(lines), MAX_LINES)
    height = BAND_TOP + BAND_HEIGHT + 40 + shown * ROW + (ROW if len(lines) > shown else 0) + 10
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'font-family="ui-monospace, DejaVu Sans Mono, monospace" font-size="12">',
        f"<title>The run's phases and output lines: {escape(_program_name(recording))}</title>",
    ]
    ran = [phase for phase in PHASE_COLOURS if any(run[2] == phase for run in runs)]
    ran += sorted({run[2] for run in runs} - set(PHASE_COLOURS))
    legend_x = 0
    for phase in ran:
        svg.append(f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{_colour(phase)}"/>')
        svg.append(f'<text x="{legend_x + 16}" y="18" class="legend">{escape(phase)}</text>')
        legend_x += 24 + 8 * len(phase)
    for start, end, phase in runs:
        left, right = x(start), x(end)
        svg.append(
            f'<rect x="{left}" y="{BAND_TOP}" width="{max(round(right - left, 1), 0.5)}" height="{BAND_HEIGHT}" '
            f'fill="{_colour(phase)}" data-phase="{escape(phase)}"><title>{escape(phase)}</title></rect>'
        )
        if right - left >= 8 * len(phase) + 6:
            svg.append(f'<text x="{left + 3}" y="{BAND_TOP + 17}" fill="#fff">{escape(phase)}</text>')
    axis = BAND_TOP + BAND_HEIGHT + 14
    svg.append(f'<text x="0" y="{axis}" fill="#555">start</text>')
    ending = f"{recording.end} after {recording.duration * 1000:.0f} ms"
    svg.append(f'<text x="{WIDTH}" y="{axis}" fill="#555" text-anchor="end">{escape(ending)}</text>')
    top = axis + 16
    for number, (line, position) in enumerate(zip(lines[:shown], positions, strict=False)):
        y = top + number * ROW
        colour = _colour(line.phase)
        at = x(position)
        svg.append(
            f'<line x1="{at}" y1="{BAND_TOP + BAND_HEIGHT}" x2="{at}" y2="{y - 4}" stroke="{colour}" '
            'stroke-opacity="0.25"/>'
        )
        svg.append(f'<circle cx="{at}" cy="{y - 4}" r="3" fill="{colour}"/>')
        label = escape(f"{_cut(line.text)}  [{_place(line.phase, line.queue, line.stream)}]")
        anchor, dx = ("end", -6) if at > WIDTH / 2 else ("start", 6)
        svg.append(
            f'<text x="{at + dx}" y="{y}" fill="{colour}" text-anchor="{anchor}" '
            f'data-phase="{escape(line.phase)}">{label}</text>'
        )
    if len(lines) > shown:
        svg.append(f'<text x="0" y="{top + shown * ROW}" fill="#555">… and {len(lines) - shown} more lines</text>')
    svg.append("</svg>")
    return "\n".join(svg)


def run_section(recording: TraceRecording) -> str:
    """The handout's section for a run: a heading, the SVG and a caption saying how to read it."""
    node = recording.node_version
    caption = (
        f"{escape(_program_name(recording))} on Node {escape(node)}, traced ({escape(recording.mode)} phases). "
        "The band shows the main thread's phases in the order they ran, each as wide as its share of the trace's "
        "events (not of the wall-clock time); each output line is placed where it was printed, in its phase's colour."
    )
    return (
        '<section class="run"><h2>A recorded run</h2>\n<figure class="run">\n'
        f"{run_svg(recording)}\n<figcaption>{caption}</figcaption>\n</figure>\n</section>"
    )


def _program_name(recording: TraceRecording) -> str:
    return recording.program.replace("\\", "/").rsplit("/", 1)[-1]


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _place(phase: str, queue: str, stream: str) -> str:
    """`poll`, `poll › microtask`, `main › nextTick, stderr`: where the line came from, as `looplab trace` says."""
    place = phase or "?"
    if queue and queue != "macrotask":
        place += f" › {queue}"
    return place + (f", {stream}" if stream != "stdout" else "")


def _colour(phase: str) -> str:
    return PHASE_COLOURS.get(phase, OTHER_COLOUR)
