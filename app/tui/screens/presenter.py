"""The presenter view, for the instructor's own screen: the slide, what comes next, the notes, the clock, the
class, and the run's keys. Every turn and every run goes to the followers as it happens."""

from __future__ import annotations

import asyncio

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Markdown, Static

from app.classroom.protocol import Show
from app.classroom.server import ClassroomServer
from app.classroom.sinks import BroadcastSink, TeeSink
from app.course.model import Lesson
from app.course.slides import CodeBlock
from app.errors import LooplabError
from app.runner.process import NodeRun
from app.trace.live import run_ending
from app.tui.screens.lesson import stylesheets
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import Visualizer

PREVIEW_LINES = 8  # lines of the next slide shown under its title


class PresenterScreen(Screen[None]):
    DEFAULT_CSS = stylesheets("lesson.tcss", "presenter.tcss")
    HELP_GROUP = "Presenting"
    BINDINGS = [
        Binding("r,R", "run_slide", "Run slide code", id="presenter.run", tooltip="Run it traced, for the whole class"),
        Binding("x", "cancel", "Stop run", id="presenter.cancel", tooltip="Stop the program and all it started"),
        Binding("v", "toggle_run", "Slide/run", id="presenter.toggle_run", tooltip="Show the slide or the run here"),
        Binding("t", "restart_clock", "Clock", id="presenter.clock", tooltip="Start the elapsed time again"),
        Binding("escape", "app.pop_screen", "Lessons", id="presenter.back", show=False),
    ]

    def __init__(self, lesson: Lesson, server: ClassroomServer) -> None:
        super().__init__()
        self.lesson = lesson
        self.server = server
        self.current_run: NodeRun | None = None
        self.runs = 0  # runs that have ended here (tests wait on it)

    def compose(self) -> ComposeResult:
        with Horizontal(id="presenter"):
            with ContentSwitcher(initial="deck", id="now"):
                yield SlideDeck(self.lesson, id="deck")
                yield Visualizer(self.lesson.views, id="visualizer")
            with Vertical(id="aside"):
                yield Static(id="clock")
                yield Static(id="join")
                with VerticalScroll(id="next-pane"):
                    yield Markdown(id="next")
                with VerticalScroll(id="notes-pane"):
                    yield Markdown(id="notes")
                yield Static(id="run-status")
        yield Footer()

    def on_mount(self) -> None:
        deck = self.query_one(SlideDeck)
        deck.publishes = False  # the notes are on this screen: no position file for a notes window
        self.query_one("#next-pane").border_title = "next"
        self.query_one("#notes-pane").border_title = "notes"
        self.watch(deck, "current", lambda: self.turned(), init=False)
        self.watch(deck, "step", lambda: self.turned(), init=False)
        self.server.on_followers = lambda count: self.show_clock()
        self.show_join()
        self.query_one("#slide-view").focus()
        self.set_interval(1, self.show_clock)
        self.turned()
        self.show_run_status("r runs this slide's code for the class" if self._live_block() else "")

    def show_join(self) -> None:
        """How the class joins: the command with this server's address, and the token to give it."""
        served = self.app.serve_url  # type: ignore[attr-defined]
        browsers = f"\nor open [b]{served}[/b]" if served else ""
        self.query_one("#join", Static).update(
            f"[b]looplab follow {self.server.address}[/b]\ntoken [b]{self.server.token}[/b]{browsers}"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """x is on the footer only while a run goes."""
        return self.current_run is not None if action == "cancel" else True

    # --- the slide -----------------------------------------------------------------------------------------

    def turned(self) -> None:
        """The deck moved: tell the class, and show what comes next and the notes."""
        deck = self.query_one(SlideDeck)
        self.server.publish(Show(self.lesson.id, deck.current, deck.step))
        slide = self.lesson.slides[deck.current]
        self.query_one("#notes", Markdown).update(slide.notes or "*(no notes on this slide)*")
        self.query_one("#next", Markdown).update(self._next_preview(deck))
        self.show_clock()
        if self._live_block() is not None:
            self.show_run_status("r runs this slide's code for the class")

    def _next_preview(self, deck: SlideDeck) -> str:
        slide = self.lesson.slides[deck.current]
        if deck.step + 1 < slide.steps:
            shown, more = slide.body_at(deck.step), slide.body_at(deck.step + 1)
            revealed = more[len(shown.rstrip("\n")) :].strip("\n").splitlines()
            return f"**step {deck.step + 2}/{slide.steps} of this slide**\n\n" + "\n".join(revealed[:PREVIEW_LINES])
        later = [i for i in deck.shown if i > deck.current]
        if not later:
            return "*last slide of the lesson*"
        upcoming = self.lesson.slides[later[0]]
        body = upcoming.body_at(0).strip("\n").splitlines()
        cut = "\n…" if len(body) > PREVIEW_LINES else ""
        deep = " (deep dive)" if upcoming.deep else ""
        return f"**{upcoming.title}**{deep}\n\n" + "\n".join(body[:PREVIEW_LINES]) + cut

    def show_clock(self) -> None:
        elapsed = int(self.app.clock() - self.app.presenting_since)  # type: ignore[attr-defined]
        deck = self.query_one(SlideDeck)
        slide = self.lesson.slides[deck.current]
        steps = f" · step {deck.step + 1}/{slide.steps}" if slide.steps > 1 else ""
        following = self.server.followers
        people = f"{following} following" if following != 1 else "1 following"
        self.query_one("#clock", Static).update(
            f"[b]{elapsed // 60:02d}:{elapsed % 60:02d}[/b] · slide {deck.current + 1}/{len(self.lesson.slides)}"
            f"{steps} · {people}"
        )

    def action_restart_clock(self) -> None:
        self.app.presenting_since = self.app.clock()  # type: ignore[attr-defined]
        self.show_clock()

    # --- the run -------------------------------------------------------------------------------------------

    def _live_block(self) -> CodeBlock | None:
        return self.lesson.slides[self.query_one(SlideDeck).current].live_block

    def show_run_status(self, text: str) -> None:
        self.query_one("#run-status", Static).update(text)

    def action_toggle_run(self) -> None:
        switcher = self.query_one("#now", ContentSwitcher)
        switcher.current = "visualizer" if switcher.current == "deck" else "deck"

    def action_cancel(self) -> None:
        if self.current_run is not None:
            self.current_run.cancel()
            self.show_run_status("stopping…")

    def action_run_slide(self) -> None:
        block = self._live_block()
        if block is None:
            self.notify("This slide has no code marked to run (```js run).", timeout=4)
            return
        self.run_block(block, self.query_one(SlideDeck).current + 1)

    @work(exclusive=True, group="node", exit_on_error=False)
    async def run_block(self, block: CodeBlock, number: int) -> None:
        from app.runner.slide_run import run_slide_code

        try:
            node = await asyncio.to_thread(lambda: self.app.session.node)  # type: ignore[attr-defined]
        except LooplabError as exc:
            self.notify(str(exc), severity="error", timeout=12)
            return
        visualizer = self.query_one(Visualizer)
        self.query_one("#now", ContentSwitcher).current = "visualizer"
        self.show_run_status(f"running slide {number}'s code on Node {node.version.lstrip('v')} · x stops it")

        def started(run: NodeRun) -> None:
            self.current_run = run
            self.refresh_bindings()

        sink = TeeSink(visualizer, BroadcastSink(self.server))
        version = node.version.lstrip("v")
        try:
            result = await run_slide_code(
                block,
                node,
                sink,
                f"slide {number}'s code on Node {version}",
                on_start=started,
                views=visualizer.opening_views + visualizer.views,
            )
        finally:
            self.current_run = None
            self.refresh_bindings()
            self.runs += 1
        if result is not None:
            self.show_run_status(f"Node {node.version.lstrip('v')}: {run_ending(result)} · v shows the slide")
