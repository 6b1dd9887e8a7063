"""Slides: Textual's Markdown widget, one slide at a time (in steps where it pauses), with its place, a mark when it
runs on, and keys to page."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.reactive import reactive
from textual.widgets import Label, Markdown, Static
from textual.widgets.markdown import MarkdownFence

from app.course.model import Lesson
from app.learner.presenter import publish

CORE_ONLY_CHOICE = "slides_core_only"  # kept on the app, so the next lesson opens on the path the learner chose
WRAP_MARK = "↪"  # starts the rest of a code line too wide for the pane
OTHER_PANES_WIDTH = 110  # columns the visualizer and exercise keep when the slides widen for their code
LABEL_PADDING = 2  # the code block's own padding, one column each side (app.tcss)
PANE_CHROME = 7  # columns around a code line: the border, the view's padding, the scroll bar, the block's padding


def wrap_code(code: Content, width: int) -> Content:
    """Code lines wider than `width` go on in the next row after a WRAP_MARK, so nothing is cut unseen."""
    width = max(width, 8)
    rows: list[Content] = []
    for line in code.split("\n"):
        rows.append(line[:width])
        rest = line[width:]
        while rest.cell_length:
            rows.append(Content.styled(WRAP_MARK, "dim") + rest[: width - 1])
            rest = rest[width - 1 :]
    return Content("\n").join(rows)


class WrappedFence(MarkdownFence):
    """A code block that wraps its long lines behind a mark instead of scrolling them out of sight."""

    wrapped_at = 0  # the width its code was last wrapped to

    def compose(self) -> ComposeResult:
        yield Label(self._wrapped(self._highlighted_code), id="code-content")

    def on_resize(self, event: Resize) -> None:
        if self.content_region.width - LABEL_PADDING != self.wrapped_at:  # a new height alone changes nothing
            self.set_content(self._highlighted_code)

    def set_content(self, content: Content) -> None:
        super().set_content(self._wrapped(content))

    def _wrapped(self, content: Content) -> Content:
        self.wrapped_at = self._width() - LABEL_PADDING
        return wrap_code(content.rstrip("\n"), self.wrapped_at)

    def _width(self) -> int:
        """Its width, or before its first layout the slide's: wrapped right away, it needs no second layout."""
        if self.content_region.width or not isinstance(self.parent, SlideMarkdown):
            return self.content_region.width  # a block inside a list or a quote waits for its own width
        return self.parent.content_region.width


class SlideMarkdown(Markdown):
    BLOCKS = {**Markdown.BLOCKS, "fence": WrappedFence, "code_block": WrappedFence}


class SlideView(VerticalScroll, can_focus=True, inherit_bindings=False):
    """The scrolling area of one slide; up and down scroll it, the paging keys belong to the deck."""

    HELP_GROUP = "Slides"
    BINDINGS = [
        Binding("up", "scroll_up", "Scroll up", id="slides.scroll_up", show=False),
        Binding("down", "scroll_down", "Scroll down", id="slides.scroll_down", show=False),
    ]

    def rows_below(self) -> int:
        return max(0, round(self.max_scroll_y - self.scroll_y))

    def on_resize(self) -> None:
        self.call_after_refresh(self._tell_deck)

    def _tell_deck(self) -> None:
        if isinstance(self.parent, SlideDeck):
            self.parent.show_rows_below()


class SlideDeck(Vertical):
    HELP_GROUP = "Slides"
    ALLOW_MAXIMIZE = True
    BINDINGS = [
        Binding(
            "right,space,pagedown", "next", "Next slide", id="slides.next", tooltip="Or reveal the slide's next step"
        ),
        Binding(
            "left,pageup", "previous", "Previous slide", id="slides.previous", tooltip="Or hide the step last revealed"
        ),
        Binding("home", "first", "First slide", id="slides.first", show=False),
        Binding("end", "last", "Last slide", id="slides.last", show=False),
        Binding("g", "jump", "Go to slide", id="slides.jump", tooltip="Type a slide number"),
        Binding("d", "toggle_deep", "Deep dives", id="slides.deep", tooltip="Skip or show the deep-dive slides"),
    ]
    current: reactive[int] = reactive(0)  # an index into lesson.slides, deep dives included
    step: reactive[int] = reactive(0)  # how many of the current slide's pauses are revealed
    core_only: reactive[bool] = reactive(False)  # page through the core path, skipping deep dives

    def __init__(self, lesson: Lesson, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lesson = lesson
        self.publishes = True  # tell `looplab notes --follow` each turn (the presenter view shows its own notes)
        self.code_width = max(
            (len(line) for slide in lesson.slides for block in slide.code for line in block.code.splitlines()),
            default=0,
        )

    def compose(self) -> ComposeResult:
        yield Static(id="slide-header", classes="pane-header")
        with SlideView(id="slide-view"):
            yield SlideMarkdown(id="slide", open_links=False)

    @property
    def count(self) -> int:
        return len(self.lesson.slides)

    @property
    def shown(self) -> list[int]:
        """The indexes of the slides paged through: all of them, or the core path only."""
        slides = self.lesson.slides
        return [i for i, slide in enumerate(slides) if not (self.core_only and slide.deep)]

    def on_mount(self) -> None:
        view = self.query_one(SlideView)
        self.watch(view, "scroll_y", lambda: self.show_rows_below(), init=False)
        self.watch(view, "virtual_size", lambda: self.show_rows_below(), init=False)
        self.watch_current(self.current)
        self.core_only = getattr(self.app, CORE_ONLY_CHOICE, False)  # the learner's choice holds from lesson to lesson

    def on_resize(self) -> None:
        """On a wide screen the slides take the columns their widest code line needs, leaving the rest enough."""
        spare = self.app.size.width - OTHER_PANES_WIDTH
        wanted = self.code_width + PANE_CHROME
        self.styles.min_width = min(wanted, spare) if spare > 0 and self.code_width else None

    def watch_current(self, number: int) -> None:
        if not self.lesson.slides or not self.children:
            return
        slide = self.lesson.slides[number]
        if self.step >= slide.steps:  # the slide was set directly, from a step of another
            self.set_reactive(SlideDeck.step, slide.steps - 1)
        self.query_one("#slide", Markdown).update(slide.body_at(self.step))
        self.query_one(SlideView).scroll_home(animate=False)
        self.show_header()
        if self.publishes:
            publish(self.lesson.id, number, self.step)  # for `looplab notes --follow` on the instructor's screen

    def validate_step(self, step: int) -> int:
        if not self.lesson.slides:
            return 0
        return max(0, min(step, self.lesson.slides[self.current].steps - 1))

    def watch_step(self, old: int, step: int) -> None:
        if not self.lesson.slides or not self.children:
            return
        view = self.query_one(SlideView)
        revealed_from = view.virtual_size.height  # where the new part will start
        shown = self.query_one("#slide", Markdown).update(self.lesson.slides[self.current].body_at(step))
        if step > old:
            self.run_worker(self._scroll_to_reveal(shown, revealed_from), group="reveal", exclusive=True)
        self.show_header()
        if self.publishes:
            publish(self.lesson.id, self.current, step)

    async def _scroll_to_reveal(self, shown: AwaitComplete, start: int) -> None:
        """On a slide taller than the pane, bring the part just revealed into view, its first line first."""
        await shown
        view = self.query_one(SlideView)

        def scroll() -> None:
            view.scroll_to(y=max(view.scroll_y, min(view.max_scroll_y, start)), animate=False)

        view.call_after_refresh(scroll)

    def show_position(self, slide: int, step: int) -> None:
        """Show slide `slide` (an index into lesson.slides) at `step`, both clamped; published once."""
        if not self.lesson.slides:
            return
        slide = max(0, min(slide, self.count - 1))
        step = max(0, min(step, self.lesson.slides[slide].steps - 1))
        if slide == self.current:
            self.step = step
        else:
            self.set_reactive(SlideDeck.step, step)  # shown by watch_current, with the slide
            self.current = slide

    def show_header(self) -> None:
        """Where we are in the lesson (or its core path), whether this is a deep dive or has live code (R), and
        the slide's title."""
        if not self.lesson.slides or not self.children:
            return
        slide = self.lesson.slides[self.current]
        shown = self.shown
        place = shown.index(self.current) + 1 if self.current in shown else 0
        parts = [f"core {place}/{len(shown)}" if self.core_only else f"slide {place}/{len(shown)}"]
        if slide.steps > 1:
            parts.append(f"step {min(self.step, slide.steps - 1) + 1}/{slide.steps}")
        if slide.deep:
            parts.append("[reverse] deep dive [/] d skips" if not self.core_only else "[reverse] deep dive [/]")
        if slide.live_block is not None:
            parts.append("[b]R[/] runs it")
        header = self.query_one("#slide-header", Static)
        header.update(Content.from_markup(" · ".join(parts) + " · $title", title=slide.title))
        self.show_rows_below()

    def show_rows_below(self) -> None:
        """A slide taller than the pane says so on the pane's bottom edge: nothing is cut unseen.

        The border's subtitle needs no new layout, so scrolling stays cheap.
        """
        if not self.children:
            return
        below = self.query_one(SlideView).rows_below()
        self.border_subtitle = f"↓ {below} more" if below else ""

    def watch_core_only(self, core_only: bool) -> None:
        if core_only and self.lesson.slides[self.current].deep:
            later = [i for i in self.shown if i > self.current]
            earlier = [i for i in self.shown if i < self.current]
            if later:
                self.show_position(later[0], 0)
            else:
                self._show_whole(earlier[-1])
        self.show_header()

    def _show_whole(self, slide: int) -> None:
        """A slide gone back to is shown with every step revealed, as it was left."""
        self.show_position(slide, self.lesson.slides[slide].steps - 1)

    def _turn(self, delta: int) -> None:
        """To the next slide paged through, at its first step, or the previous one, whole; none past either end."""
        if delta > 0:
            later = [i for i in self.shown if i > self.current]  # the current slide may be off the core path
            if later:
                self.show_position(later[0], 0)
        else:
            earlier = [i for i in self.shown if i < self.current]
            if earlier:
                self._show_whole(earlier[-1])

    def action_next(self) -> None:
        if self.step < self.lesson.slides[self.current].steps - 1:
            self.step += 1
        else:
            self._turn(1)

    def action_previous(self) -> None:
        if self.step > 0:
            self.step -= 1
        else:
            self._turn(-1)

    def action_first(self) -> None:
        self.show_position(self.shown[0], 0)

    def action_last(self) -> None:
        self._show_whole(self.shown[-1])

    def action_toggle_deep(self) -> None:
        self.core_only = not self.core_only
        setattr(self.app, CORE_ONLY_CHOICE, self.core_only)
        deep = sum(slide.deep for slide in self.lesson.slides)
        if self.core_only:
            self.notify(f"Core path: {deep} deep-dive slides skipped (d shows them again).", timeout=3)
        else:
            self.notify(f"All slides, {deep} deep dives among them.", timeout=3)

    def action_jump(self) -> None:
        from app.tui.screens.dialogs import NumberScreen

        shown = self.shown

        def go(number: int | None) -> None:
            if number is not None:
                self.show_position(shown[number - 1], 0)

        title = "Go to core slide" if self.core_only else "Go to slide"
        self.app.push_screen(NumberScreen(title, len(shown)), go)
