"""The app as a presenter: the presenter view on this screen, and a follow-mode server for the class."""

from __future__ import annotations

import time
from collections.abc import Callable

from app.classroom.server import ClassroomServer
from app.cli.session import Session
from app.tui.app import LooplabApp


class PresenterApp(LooplabApp):
    def __init__(
        self,
        session: Session,
        server: ClassroomServer,
        lesson_id: str,
        blink: bool = True,
        clock: Callable[[], float] = time.monotonic,
        serve_url: str | None = None,
    ) -> None:
        super().__init__(session, start=lesson_id, watch=False, blink=blink)
        self.server = server
        self.serve_url = serve_url  # where browsers open a follower page, with --serve
        self.clock = clock  # what the elapsed time is read from (snapshot tests stop it)
        self.presenting_since = clock()

    async def on_mount(self) -> None:  # LooplabApp.on_mount runs after this one and opens the lesson
        await self.server.start()

    async def on_unmount(self) -> None:
        await self.server.close()

    def open(self, target: str) -> None:
        """A lesson (or the lesson of an exercise) opens in the presenter view."""
        from app.tui.screens.presenter import PresenterScreen

        course = self.session.course
        lesson_id = course.exercises[target].lesson if target in course.exercises else target
        self.push_screen(PresenterScreen(course.lesson(lesson_id), self.server))
