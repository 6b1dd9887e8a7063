"""A slide's live demo from the lesson screen: R runs the shown slide's `run` block on Node into the visualizer."""

from __future__ import annotations

import asyncio

from textual import work

from app.course.slides import CodeBlock
from app.errors import LooplabError
from app.runner.process import NodeRun
from app.runner.slide_run import run_slide_code
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import Visualizer

NO_LIVE_CODE = "This slide has no live code: R runs a block marked ```js run."
EXERCISE_RUNNING = "An exercise run is going: x stops it, then R runs the slide's code."


class SlideRuns:
    """Mixed into LessonScreen: R, and x while the slide's code runs.

    An exercise run going on is never replaced by R (it says so); r replaces a slide run, as it replaces its own.
    """

    def action_run_slide(self) -> None:
        deck = self.query_one(SlideDeck)
        slide = self.lesson.slides[deck.current] if self.lesson.slides else None
        block = slide.live_block if slide is not None else None
        if slide is None or block is None:
            self.notify(NO_LIVE_CODE, timeout=4)
            return
        if self.current_run is not None and self.current_run is not self.slide_run:
            self.notify(EXERCISE_RUNNING, severity="warning")
            return
        self.run_slide(slide.number, block)

    @work(exclusive=True, group="node", exit_on_error=False)
    async def run_slide(self, number: int, block: CodeBlock) -> None:
        try:
            node = await asyncio.to_thread(lambda: self.session.node)
            addon = await self._addon(node)  # a failed build is said once, as for an exercise run
        except LooplabError as exc:
            self.notify(str(exc), severity="error", timeout=12)
            return
        pane = self.query_one("#visualizer")
        pane.display = True  # a lesson of slides only keeps it hidden until now
        if pane.has_class("folded") or self.query_one("#slides").has_class("folded"):
            self.action_focus_pane("visualizer")  # a short stacked screen opens the loop to watch the run
        visualizer = self.query_one(Visualizer)
        mine: list[NodeRun] = []

        def started(run: NodeRun) -> None:
            self.current_run = self.slide_run = run
            mine.append(run)
            self.refresh_bindings()  # x shows in a lesson of slides only

        try:
            result = await run_slide_code(
                block,
                node,
                visualizer,
                f"slide {number}'s code on Node {node.version.lstrip('v')}",
                on_start=started,
                views=visualizer.opening_views + visualizer.views,
                addon=addon,
            )
        finally:
            # A run replaced by a newer one (R or r pressed again) is cancelled here: leave the new one's state alone.
            if self.current_run is not None and self.current_run in mine:
                self.current_run = None
            if self.slide_run in mine:
                self.slide_run = None
            self.refresh_bindings()
        self.finished_runs += 1
        if result is None:
            self.notify("The slide's code could not run: the visualizer says why.", severity="error")
        elif result.cancelled:
            self.notify("Run cancelled; everything it started was stopped.")
