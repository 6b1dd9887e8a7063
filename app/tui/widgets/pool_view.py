"""The thread pool by slot: each pool job as a bar from queued to done on the run's time axis."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

if TYPE_CHECKING:
    from app.trace.loop_model import Timeline


class PoolView(Widget):
    view_name: ClassVar[str] = "pool"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.border_title = "thread pool"
        self._timeline: Timeline | None = None
        self._position = 0

    def show_run(self, timeline: Timeline | None, position: int) -> None:
        self._timeline, self._position = timeline, position
        self.refresh()

    def render(self) -> Text:
        return Text("no pool jobs yet", style="dim")
