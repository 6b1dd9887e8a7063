"""The looplab app: home, lesson screens, help, the command palette and the theme."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.driver import Driver
from textual.reactive import Reactive
from textual.screen import Screen

from app import __version__
from app.cli.session import Session
from app.learner.settings import SETTINGS_FILE, Settings, SettingsStore
from app.paths import data_dir
from app.tui.screens.home import HomeScreen
from app.tui.widgets.marks import LIGHT_ANSI

if TYPE_CHECKING:
    from app.tui.course_cache import CourseOutline

DARK_THEME, LIGHT_THEME = "textual-dark", "textual-light"


class LooplabApp(App[int]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "looplab"
    HELP_GROUP = "Everywhere"
    SUB_TITLE = f"v{__version__}"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", id="app.help", tooltip="List every key that works here"),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", tooltip="Switch between dark and light"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave looplab (a running program is stopped)"),
    ]

    ansi_theme_light = Reactive(LIGHT_ANSI, init=False)  # phase colours readable on the light theme

    def __init__(
        self,
        session: Session,
        start: str | None = None,
        watch: bool = True,
        blink: bool = True,
        outline: CourseOutline | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.outline = outline  # what the map's first frame shows while the course loads (app/tui/launch.py)
        self.start = start
        self.watch_files = watch  # watch mode starts on for every exercise opened
        self.blink = blink  # tests turn the cursor blink off for stable screenshots
        session.warn = lambda message: self.notify(message, severity="warning", timeout=8)  # type: ignore[method-assign]
        session.note = lambda message: self.notify(message, timeout=4)  # type: ignore[method-assign]
        self.settings = SettingsStore(data_dir() / SETTINGS_FILE, session.warn)

    def get_driver_class(self) -> type[Driver]:
        from textual.drivers.linux_driver import LinuxDriver
        from textual.drivers.web_driver import WebDriver

        from app.tui.quitting import QuickExitDriver, ServedDriver

        chosen = super().get_driver_class()
        return {LinuxDriver: QuickExitDriver, WebDriver: ServedDriver}.get(chosen, chosen)

    def get_default_screen(self) -> Screen:
        """The course map is the bottom of the stack. Pushed over Textual's blank default screen, it was laid out
        and rendered twice before the first frame (once inside Textual's start-up batch, to no screen)."""
        return HomeScreen(self.outline)

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            for stop in (signal.SIGTERM, signal.SIGHUP):  # like Ctrl+Q: a running program is stopped first
                loop.add_signal_handler(stop, self.exit, 128 + stop)
            # A hangup comes with SIGCONT, whose Textual handler writes to the screen: run between two
            # bytecodes it can deadlock on the writer's queue. From the event loop it runs safely.
            resume = signal.getsignal(signal.SIGCONT)
            if callable(resume):
                loop.add_signal_handler(signal.SIGCONT, resume, signal.SIGCONT, None)
        self.theme = LIGHT_THEME if self.settings.load().theme == "light" else DARK_THEME
        if self.start:
            self.open(self.start)

    def on_ready(self) -> None:
        """The first frame is on the screen: load the course if that frame showed its outline, and collect garbage
        again (`cmd_app` paused it for the start). What the start built stays for good, so it is frozen out of
        every later full collection."""
        self.session.course  # noqa: B018 (loads it now; a key handled before this loaded it on demand)
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def open(self, target: str) -> None:
        """Open a lesson by id, or the lesson holding an exercise, with that exercise selected."""
        from app.tui.screens.lesson import LessonScreen  # the runner and tracer load with the first lesson

        course = self.session.course
        if target in course.exercises:
            exercise = course.exercises[target]
            self.push_screen(LessonScreen(course.lesson(exercise.lesson), exercise.id))
        else:
            self.push_screen(LessonScreen(course.lesson(target)))

    def open_lesson(self, lesson_id: str, exercise_id: str | None = None) -> None:
        """Replace any open lesson (and a dialog or help above it) with this one."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        self.open(exercise_id or lesson_id)

    def action_help(self) -> None:
        from app.tui.screens.help import HelpScreen  # Rich's tables load when help is first asked for

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME
        self.settings.save(Settings(theme="dark" if self.current_theme.dark else "light"))  # kept for next time

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every lesson and exercise to jump to, the exercise actions, and the theme."""
        if type(screen).__name__ == "LessonScreen":
            yield SystemCommand("Run", "Run this exercise on Node and watch the loop", screen.action_run)
            yield SystemCommand("Check", "Check this exercise (a prediction is compared first)", screen.action_check)
            yield SystemCommand("Reset", "Restore the starter (asks first; keeps a .bak)", screen.action_reset)
            yield SystemCommand("Hint", "Show the next hint", screen.action_hint)
        course = self.session.course
        for number, lesson in enumerate(course.lessons, start=1):
            # The ids are in the names too, so typing an id from the CLI or the course notes finds it.
            name = f"Lesson {number}: {lesson.title} · {lesson.id}"
            yield SystemCommand(name, lesson.summary, self._opener(lesson.id, None))
            for exercise_id in lesson.exercises:
                exercise = course.exercises.get(exercise_id)
                if exercise is not None:
                    text = f"{exercise.kind} exercise in {lesson.title}"
                    name = f"Exercise: {exercise.title} · {exercise.id}"
                    yield SystemCommand(name, text, self._opener(lesson.id, exercise.id))
        theme = "Switch between the dark and the light theme"
        yield SystemCommand("Theme: dark or light", theme, self.action_toggle_theme)
        yield SystemCommand("Help", "Every key that works on this screen", self.action_help)
        yield SystemCommand("Quit", "Leave looplab", self.action_quit)

    def _opener(self, lesson_id: str, exercise_id: str | None):  # noqa: ANN202
        return lambda: self.open_lesson(lesson_id, exercise_id)
