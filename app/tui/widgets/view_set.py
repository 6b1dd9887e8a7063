"""The visualizer's views (loop lanes, thread pool, ...): which are shown, and how a new one plugs in.

A view beside the loop's lanes is a widget class with a `view_name` (one of app.course.model.VIEW_NAMES) and a
method `show_run(timeline, position)`. The visualizer calls it on every shown view whenever the run or the shown
position changes: `timeline` is the loop Timeline of the run (None before any run), whose `events` are the traced
thread's events, so the first `position` of them are what has happened so far. The view keeps its own pure model in
step (app.trace.following.Following does that) and draws that model at `position`: stepping and scrubbing then move
every view together. To plug a view in, add its class to `EXTRA_VIEWS` below; it is composed under the lanes with
the id `<view_name>-view` and the class `run-view` (its border and height in lesson.tcss; set `border_title`
yourself). A lesson opens with the views its `views = [...]` names, the `v` key cycles through the others, and a
short narrow pane (80×24) shows only the last of a lesson's set at a time. PoolView (pool_view.py) is the example
to copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from app.course.model import DEFAULT_VIEWS, VIEW_NAMES
from app.tui.widgets.agent_view import AgentView
from app.tui.widgets.delay_view import DelayView
from app.tui.widgets.fd_view import FdView
from app.tui.widgets.heap_view import HeapView
from app.tui.widgets.lanes_view import LanesView
from app.tui.widgets.pool_view import PoolView
from app.tui.widgets.stream_view import StreamView
from app.tui.widgets.syscall_view import SyscallView
from app.tui.widgets.tiers_view import TiersView
from app.tui.widgets.tls_view import TlsView
from app.tui.widgets.wire_view import WireView

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline


class RunView(Protocol):
    """What the visualizer needs of a view (it is also a Textual widget)."""

    view_name: ClassVar[str]

    def show_run(self, timeline: Timeline | None, position: int) -> None: ...


LOOP_VIEW = "loop"  # the queue lanes, drawn by the visualizer itself
# in the order they stack under the lanes
EXTRA_VIEWS: tuple[type, ...] = (
    PoolView,
    FdView,
    SyscallView,
    WireView,
    TlsView,
    AgentView,
    LanesView,
    StreamView,
    DelayView,
    HeapView,
    TiersView,
)


def available_views() -> tuple[str, ...]:
    """The view names the visualizer can draw, in VIEW_NAMES order (a lesson may name one not built yet)."""
    built = {LOOP_VIEW, *(view.view_name for view in EXTRA_VIEWS)}
    return tuple(name for name in VIEW_NAMES if name in built)


def opening_views(asked: tuple[str, ...]) -> tuple[str, ...]:
    """The views a lesson asked for that exist; the loop alone when none of them does."""
    shown = tuple(name for name in available_views() if name in asked)
    return shown or DEFAULT_VIEWS


def view_cycle(opening: tuple[str, ...]) -> list[tuple[str, ...]]:
    """What `v` steps through: the lesson's set first, then each view alone (a set of one is not repeated)."""
    cycle = [opening]
    cycle.extend((name,) for name in available_views() if (name,) != opening)
    return cycle


def next_views(current: tuple[str, ...], opening: tuple[str, ...]) -> tuple[str, ...]:
    cycle = view_cycle(opening)
    index = cycle.index(current) if current in cycle else -1
    return cycle[(index + 1) % len(cycle)]
