"""The process's descriptors and sockets: one row per fd, lit while a callback of it runs (an event woke the loop)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from app.trace.fd_model import FdRow, FdSnapshot, FdTimeline
from app.trace.following import Following

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline

PROGRAM_KINDS = ("tcp server", "tcp", "udp", "unix", "pipe server", "socket", "file")  # listed first, in this order
LIT = "bold reverse"
EMPTY = "no run yet: its descriptors and sockets appear here"


def describe(row: FdRow, loop_epoll: int | None, room: int = 80) -> str:
    """What the descriptor points at, in `room` columns if it can: addresses, a path, what an epoll watches."""
    if row.kind == "epoll":
        what = "the loop's epoll" if row.fd == loop_epoll else "epoll"
        return f"{what}: watches {row.local}" if row.local else what
    if row.remote:
        both = f"{row.local or '?'} → {row.remote}"
        host, _, port = row.local.rpartition(":")
        peer_host, _, peer_port = row.remote.rpartition(":")
        if len(both) > room and host == peer_host:  # both ends on one host (loopback): name it once
            return f"{host} :{port}→:{peer_port}"
        return both
    if row.local:
        return row.local
    if row.fd is None:
        return "no fd yet" if row.kind != "udp" else "not bound yet"
    return {"stdio": "pipe", "pipe": "pipe"}.get(row.kind, "")


def _order(row: FdRow) -> tuple[int, int]:
    rank = PROGRAM_KINDS.index(row.kind) if row.kind in PROGRAM_KINDS else len(PROGRAM_KINDS)
    if row.kind == "stdio":
        rank = len(PROGRAM_KINDS) + 1
    elif row.kind == "epoll":
        rank = len(PROGRAM_KINDS) + 2
    return (rank, row.fd if row.fd is not None else 1 << 30)


def fd_rows(snapshot: FdSnapshot | None, width: int, height: int) -> Text:
    """The table drawn in `width` columns and at most `height` rows; the program's own rows come first."""
    if snapshot is None:
        return Text(EMPTY, style="dim")
    shown = sorted((row for row in snapshot.rows if not row.own), key=_order)
    own = snapshot.own_count
    wide = width >= 60
    lines: list[Text] = []
    for row in shown:
        fd = "·" if row.fd is None else str(row.fd)
        mark = "●" if row.lit else " "
        line = Text(f"{mark}{fd:>3} ", style=LIT if row.lit else "")
        line.append(f"{row.title:<10} ", style=LIT if row.lit else "bold")
        tail = ""
        if wide and row.state:
            tail += f" {row.state}"
        if row.wakes:
            tail += f" {row.wakes}×"
        room = max(4, width - len(line) - len(tail))
        text = describe(row, snapshot.loop_epoll, room)
        line.append(text[:room].ljust(room) if tail else text[:room], style=LIT if row.lit else "")
        line.append(tail, style=LIT if row.lit else "dim")
        lines.append(line)
    if own:
        lines.append(Text(f"   + {own} of Node's own: its threads' epolls, pipes and eventfds", style="dim"))
    if not lines:
        lines.append(Text("no descriptors seen yet", style="dim"))
    if len(lines) > height >= 1:
        lit = next((i for i, row in enumerate(shown) if row.lit), 0)
        keep = lines[: height - 1] if lit < height - 1 else [*lines[: height - 2], lines[lit]][-(height - 1) :]
        hidden = len(lines) - len(keep)
        lines = [*keep, Text(f"   … {hidden} more rows", style="dim")]
    return Text("\n").join(lines)


def fd_status(snapshot: FdSnapshot | None) -> str:
    """The line under the table: what woke the loop, or that it sleeps in epoll, and where the /proc view is from."""
    if snapshot is None:
        return ""
    lit = next((row for row in snapshot.rows if row.lit), None)
    if lit is not None:
        words = f"fd {lit.fd} woke the loop" if lit.fd is not None else f"{lit.title} woke the loop"
    elif snapshot.waiting:
        words = "loop asleep in epoll"
    elif snapshot.exited:
        words = "process exited"
    else:
        words = ""
    source = "/proc seen" if snapshot.sampled_at is not None else "tracer only"
    return f"{words} · {source}" if words else source


def rows_in_sight(widget: Widget) -> int:
    """Content rows on screen: fewer than its height when the visualizer clips it (a short narrow pane)."""
    height = widget.content_size.height
    try:
        visible = widget.screen.find_widget(widget).visible_region.bottom - widget.content_region.y
    except Exception:  # not laid out yet: its own height
        return height
    return min(height, visible) if visible > 0 else height


class FdView(Widget):
    """The fds view: keeps an FdTimeline in step with the loop's Timeline and draws it at the shown position."""

    view_name: ClassVar[str] = "fds"
    SCOPED_CSS = False  # the rule below names the visualizer around it
    DEFAULT_CSS = """
    FdView { overflow: hidden hidden; }
    Visualizer.narrow FdView { max-height: 9; }  /* the output below keeps a few lines at 80x24 */
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "descriptors"
        self._following = Following(lambda thread: FdTimeline(thread=thread))
        self.snapshot: FdSnapshot | None = None
        self._rows = 0

    @property
    def fds(self) -> FdTimeline | None:
        """The model of the run shown, None before any run."""
        return self._following.model

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self.snapshot = self._following.at(timeline, position)
        self.border_subtitle = fd_status(self.snapshot)
        rows = len(self.snapshot.rows) if self.snapshot is not None else 0
        self.refresh(layout=rows != self._rows)  # a table that grew or shrank may take more or fewer lines
        self._rows = rows

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Every row: the layout decides how many fit, and render() folds the rest into one line."""
        return len(fd_rows(self.snapshot, width, 1000).plain.splitlines())

    def render(self) -> Text:
        return fd_rows(self.snapshot, self.content_size.width or 80, rows_in_sight(self) or 1000)
