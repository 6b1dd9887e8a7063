"""Slides: Textual's Markdown widget, one slide at a time, with "slide n/m" and keys to page."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Markdown, Static

from app.course.model import Lesson
from app.learner.presenter import publish


class SlideView(VerticalScroll, can_focus=True, inherit_bindings=False):
    """The scrolling area of one slide; up and down scroll it, the paging keys belong to the deck."""

    HELP_GROUP = "Slides"
    BINDINGS = [
        Binding("up", "scroll_up", "Scroll up", id="slides.scroll_up", show=False),
        Binding("down", "scroll_down", "Scroll down", id="slides.scroll_down", show=False),
    ]


class SlideDeck(Vertical):
    HELP_GROUP = "Slides"
    ALLOW_MAXIMIZE = True
    BINDINGS = [
        Binding("right,space,pagedown", "next", "Next slide", id="slides.next"),
        Binding("left,pageup", "previous", "Previous slide", id="slides.previous"),
        Binding("home", "first", "First slide", id="slides.first", show=False),
        Binding("end", "last", "Last slide", id="slides.last", show=False),
        Binding("g", "jump", "Go to slide", id="slides.jump", tooltip="Type a slide number"),
    ]
    current: reactive[int] = reactive(0)

    def __init__(self, lesson: Lesson, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lesson = lesson

    def compose(self) -> ComposeResult:
        yield Static(id="slide-header", classes="pane-header")
        with SlideView(id="slide-view"):
            yield Markdown(id="slide", open_links=False)

    @property
    def count(self) -> int:
        return len(self.lesson.slides)

    def on_mount(self) -> None:
        self.watch_current(self.current)

    def watch_current(self, number: int) -> None:
        if not self.lesson.slides or not self.children:
            return
        slide = self.lesson.slides[number]
        header = self.query_one("#slide-header", Static)
        header.update(f"slide {number + 1}/{self.count} · {slide.title}")
        self.query_one("#slide", Markdown).update(slide.markdown)
        self.query_one(SlideView).scroll_home(animate=False)
        publish(self.lesson.id, number)  # for `looplab notes --follow` on the instructor's own screen

    def action_next(self) -> None:
        self.current = min(self.current + 1, self.count - 1)

    def action_previous(self) -> None:
        self.current = max(self.current - 1, 0)

    def action_first(self) -> None:
        self.current = 0

    def action_last(self) -> None:
        self.current = self.count - 1

    def action_jump(self) -> None:
        from app.tui.screens.dialogs import NumberScreen

        def go(number: int | None) -> None:
            if number is not None:
                self.current = number - 1

        self.app.push_screen(NumberScreen("Go to slide", self.count), go)
