"""The syscalls lane: the loop thread's system calls up to the shown position, the current callback's lit."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from app.trace.following import Following
from app.trace.syscall_model import SyscallSnapshot, SyscallTimeline
from app.trace.syscalls import strace_path
from app.tui.widgets.fd_view import rows_in_sight
from app.tui.widgets.marks import phase_style

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

NO_STRACE = "strace is not installed, so this lane stays empty: apt-get install strace, then run again"
NOT_RECORDED = "this run has no syscalls: the lane records them when it is open as the run starts"
EMPTY = "no run yet: the loop thread's system calls appear here, under the phase that made them"
CURRENT = "bold reverse"


def syscall_rows(snapshot: SyscallSnapshot | None, width: int, height: int, note: str) -> Text:
    """The newest calls that fit, oldest first; those of the callback running now (or of the loop) lit."""
    if snapshot is None:
        return Text(EMPTY, style="dim")
    if not snapshot.rows:
        return Text(note, style="dim")
    lines = []
    for row in snapshot.rows[-max(1, height) :]:
        lit = snapshot.current(row)
        line = Text(f"{row.phase[:5]:<6}", style=CURRENT if lit else phase_style(row.phase))
        fd = f"({row.fd})" if row.fd >= 0 else ""
        line.append(f"{row.name}{fd} ", style=CURRENT if lit else "bold")
        line.append(row.detail[: max(0, width - len(line))], style=CURRENT if lit else "")
        lines.append(line)
    return Text("\n").join(lines)


class SyscallView(Widget):
    """The syscalls view: keeps a SyscallTimeline in step with the loop's Timeline and draws it at the position."""

    view_name: ClassVar[str] = "syscalls"
    SCOPED_CSS = False  # the rule below names the visualizer around it
    DEFAULT_CSS = """
    SyscallView { overflow: hidden hidden; }
    Visualizer.narrow SyscallView { max-height: 9; }  /* as the fds view: the newest calls stay in sight */
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "syscalls"
        self._following = Following(lambda thread: SyscallTimeline(thread=thread))
        self.snapshot: SyscallSnapshot | None = None

    @property
    def calls(self) -> SyscallTimeline | None:
        """The model of the run shown, None before any run."""
        return self._following.model

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        total = self.calls.calls if self.calls is not None else 0
        shown = len(self.snapshot.rows) if self.snapshot is not None else 0
        self.border_subtitle = f"strace · {shown}/{total} calls" if total else ""
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, min(16, len(self.snapshot.rows) if self.snapshot is not None else 1))

    def render(self) -> Text:
        note = NOT_RECORDED if self.snapshot is None or strace_path() else NO_STRACE  # probed once, when first needed
        return syscall_rows(self.snapshot, self.content_size.width or 80, rows_in_sight(self) or 12, note)
