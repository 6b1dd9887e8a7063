"""The app in follow mode: it shows what a presenter shows, and lets the learner step out to try it alone."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from textual import work
from textual.binding import Binding

from app.classroom.address import show_address
from app.classroom.client import join
from app.classroom.protocol import ClassMessage, Show
from app.classroom.state import ClassState
from app.cli.session import Session
from app.errors import LooplabError
from app.tui.app import LooplabApp
from app.tui.screens.home import HomeScreen
from app.tui.screens.shared import SharedScreen

REPORT_ENV = "LOOPLAB_FOLLOW_REPORT"  # a file a follower appends each shown turn to (the benchmark)
LEFT = "You left follow mode: F follows the presenter again."


class FollowerApp(LooplabApp):
    BINDINGS = [
        *LooplabApp.BINDINGS,
        Binding("F", "toggle_follow", "Follow", id="app.follow", tooltip="Follow the presenter, or try it yourself"),
    ]

    def __init__(self, session: Session, host: str | None, port: int, token: str, blink: bool = True) -> None:
        """With no host it joins nobody: what it shows comes through `take` (the snapshot tests)."""
        super().__init__(session, watch=True, blink=blink)
        self.host, self.port, self.token = host, port, token
        self.class_state = ClassState()
        self.connected = False
        report = os.environ.get(REPORT_ENV)
        self.report = Path(report) if report else None

    def on_mount(self) -> None:  # LooplabApp.on_mount runs after this one (Textual calls each class's handler)
        self.push_screen(SharedScreen(self.class_state))
        if self.host is not None:
            self.follow_presenter()

    @work(exclusive=True, group="follow", exit_on_error=False)
    async def follow_presenter(self) -> None:
        assert self.host is not None
        where = show_address(self.host, self.port)
        try:
            connection = await join(self.host, self.port, self.token)
        except LooplabError as exc:
            self._say(str(exc))
            return
        self.connected = True
        self._say("")
        try:
            async for message in connection.messages():
                await self.take(message)
        except LooplabError as exc:
            self._say(str(exc))
        else:
            self._say(f"The presenter at {where} has stopped; the last slide stays on screen.")
        finally:
            self.connected = False
            await connection.close()

    async def take(self, message: ClassMessage) -> None:
        """One message from the presenter: the class state takes it, and the shared screen shows it."""
        self.class_state.apply(message)
        shared = self._shared()
        if shared is not None:
            await shared.apply(message)
            self._reported(message)

    def _shared(self) -> SharedScreen | None:
        return self.screen if isinstance(self.screen, SharedScreen) else None

    def _say(self, note: str) -> None:
        shared = next((s for s in self.screen_stack if isinstance(s, SharedScreen)), None)
        if shared is not None:
            shared.show_note(note)
        if note and self._shared() is None:
            self.notify(note, severity="warning", timeout=8)

    def _reported(self, message: ClassMessage) -> None:
        """With LOOPLAB_FOLLOW_REPORT set, each slide shown is logged once drawn (benchmarks/follow_turn.py)."""
        if self.report is None or not isinstance(message, Show):
            return
        entry = {"turn": self.class_state.turns, "lesson": message.lesson, "slide": message.slide, "step": message.step}

        def write() -> None:
            entry["shown_at"] = time.monotonic()
            with self.report.open("a", encoding="utf-8") as out:  # type: ignore[union-attr]
                out.write(json.dumps(entry) + "\n")

        self.call_after_refresh(write)

    def action_toggle_follow(self) -> None:
        """F: step out to the lesson the class is on (its exercises to try), or come back to the presenter."""
        if self._shared() is not None:
            position = self.class_state.position
            self.pop_screen()
            if position is not None:
                self.open(position.lesson)
                self._place_deck(position)
            self.notify(LEFT, timeout=4)
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        self.push_screen(SharedScreen(self.class_state))
        if not self.connected and self.host is not None:
            self.follow_presenter()

    def _place_deck(self, position: Show) -> None:
        from app.tui.widgets.slide_deck import SlideDeck

        def place() -> None:
            for deck in self.screen.query(SlideDeck):
                deck.show_position(position.slide, position.step)

        self.call_after_refresh(place)
