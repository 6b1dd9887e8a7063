"""What a follower's screen shows: the presenter's slide alone, centred at a readable width, and the
presenter's run when there is one. No header, no footer: this is the screen a class looks at."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from app.classroom.protocol import ClassMessage, RunAborted, RunEvents, RunFinished, RunStarted, Show
from app.classroom.state import ClassState
from app.course.model import Lesson
from app.errors import LooplabError
from app.tui.screens.lesson import stylesheets
from app.tui.widgets.slide_deck import SlideMarkdown, SlideView
from app.tui.widgets.visualizer import Visualizer

WIDE = 150  # columns: from here the run sits beside the slide, below it under that
WAITING = "Waiting for the presenter…"


class SharedScreen(Screen[None]):
    DEFAULT_CSS = stylesheets("lesson.tcss", "shared.tcss")
    HELP_GROUP = "Following"
    BINDINGS = [
        Binding("F", "app.toggle_follow", "Stop following", id="shared.leave", tooltip="Try the lesson yourself"),
    ]

    def __init__(self, state: ClassState) -> None:
        super().__init__()
        self.state = state
        self.lesson: Lesson | None = None
        self._token: int | None = None  # the visualizer's token for the run on show
        self.note = ""  # one line about the connection, shown only when there is something to say

    def compose(self) -> ComposeResult:
        with (
            Container(id="shared"),
            Container(id="shared-top"),
            Container(id="shared-slide-box"),
            SlideView(id="shared-view"),
        ):
            yield SlideMarkdown(id="slide", open_links=False)
        yield Static(id="shared-status")

    async def on_mount(self) -> None:
        self.query_one("#shared-view").focus()
        await self.redraw()

    def on_resize(self) -> None:
        self.query_one("#shared").set_class(self.size.width >= WIDE, "wide")

    # --- following --------------------------------------------------------------------------------------

    async def apply(self, message: ClassMessage) -> None:
        """The class state has taken `message` already; show what it changed."""
        if isinstance(message, Show):
            self.show_slide()
            if self.state.run is None:
                self._drop_visualizer()
        elif isinstance(message, RunStarted):
            self._token = (await self._visualizer()).start_live(message.description)
        elif isinstance(message, RunEvents) and self._token is not None:
            visualizer = await self._visualizer()
            if message.again:
                visualizer.refeed(list(message.events), self._token)
            else:
                visualizer.feed(list(message.events), self._token)
        elif isinstance(message, RunFinished) and self._token is not None:
            (await self._visualizer()).finish(message.result, message.ending)
        elif isinstance(message, RunAborted):
            (await self._visualizer()).abort(message.reason)

    async def redraw(self) -> None:
        """Everything from the class state: on mount, and when a follower comes back to follow mode."""
        self.show_slide()
        self._drop_visualizer()
        run = self.state.run
        if run is None:
            return
        await self.apply(RunStarted(run.description))
        await self.apply(RunEvents(tuple(run.events)))
        if run.finished is not None:
            await self.apply(run.finished)
        elif run.aborted is not None:
            await self.apply(RunAborted(run.aborted))

    def show_note(self, note: str) -> None:
        self.note = note
        status = self.query_one("#shared-status", Static)
        status.update(note)
        status.display = bool(note)

    def show_slide(self) -> None:
        position = self.state.position
        markdown = self.query_one("#slide", SlideMarkdown)
        box = self.query_one("#shared-slide-box")
        if position is None:
            markdown.update(f"*{WAITING}*")
            return
        lesson = self._lesson(position.lesson)
        if lesson is None or position.slide >= len(lesson.slides):
            markdown.update(
                f"*The presenter shows {position.lesson} slide {position.slide + 1}, "
                "which this copy of the course does not have.*"
            )
            return
        slide = lesson.slides[position.slide]
        step = min(position.step, slide.steps - 1)
        markdown.update(f"# {slide.title}\n\n{slide.body_at(step)}")
        self.query_one("#shared-view", SlideView).scroll_home(animate=False)
        steps = f" · {step + 1}/{slide.steps}" if slide.steps > 1 else ""
        box.border_subtitle = f"{lesson.title} · {position.slide + 1}/{len(lesson.slides)}{steps}"

    def _lesson(self, lesson_id: str) -> Lesson | None:
        if self.lesson is None or self.lesson.id != lesson_id:
            try:
                self.lesson = self.app.session.course.lesson(lesson_id)  # type: ignore[attr-defined]
            except LooplabError:
                self.lesson = None
        return self.lesson

    async def _visualizer(self) -> Visualizer:
        """The run's visualizer, made with the lesson's views when a run first arrives."""
        try:
            return self.query_one(Visualizer)
        except NoMatches:
            views = self.lesson.views if self.lesson is not None else ()
            visualizer = Visualizer(views, id="visualizer") if views else Visualizer(id="visualizer")
            self.query_one("#shared").add_class("running")
            await self.query_one("#shared").mount(visualizer)
            return visualizer

    def _drop_visualizer(self) -> None:
        self._token = None
        for visualizer in self.query(Visualizer):
            visualizer.remove()
        self.query_one("#shared").remove_class("running")
