"""What a command works with: the course, the chosen Node, progress and the workspace, each loaded on demand."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import LooplabError
from app.paths import course_root, data_dir

if TYPE_CHECKING:
    from rich.console import Console

    from app.course.model import Course, Exercise
    from app.learner.progress import ProgressStore
    from app.learner.workspace import Workspace
    from app.nodejs.locate import NodeBinary

# The course, progress and Rich are imported where first needed: `looplab trace --json` uses none of them,
# and start-up time is part of what a learner waits for.


class Session:
    course_source: Callable[[], Course] | None = None  # the app's: its course cache (app/tui/launch.py)

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    @cached_property
    def out(self) -> Console:
        from app.cli.output import make_console

        return make_console()

    @cached_property
    def err(self) -> Console:
        from app.cli.output import make_console

        return make_console(stderr=True)

    def warn(self, message: str) -> None:
        from rich.text import Text

        self.err.print(Text("looplab: warning: ", style="yellow") + Text(message), soft_wrap=True)

    def note(self, message: str) -> None:
        self.err.print(message, style="dim", soft_wrap=True, markup=False)

    @cached_property
    def course(self) -> Course:
        if self.course_source is not None:
            return self.course_source()
        from app.course.load import load_course

        return load_course(course_root(getattr(self.args, "course", None)))

    @cached_property
    def node(self) -> NodeBinary:
        from app.nodejs.locate import choose_node  # not needed for the course map's first frame

        return choose_node(getattr(self.args, "node", None))

    @cached_property
    def store(self) -> ProgressStore:
        from app.learner.progress import ProgressStore

        return ProgressStore(data_dir() / "progress.json", self.warn)

    @cached_property
    def workspace(self) -> Workspace:
        from app.learner.workspace import Workspace

        recorded = self.store.load().workspace
        return Workspace(Path(recorded) if recorded else data_dir() / "workspace")

    def exercise(self, exercise_id: str | None) -> Exercise:
        """The named exercise, or the one the course map's "continue" opens (one rule decides, for both)."""
        from app.learner.progress import where_to_continue

        if exercise_id:
            return self.course.exercise(exercise_id)
        upcoming = where_to_continue(self.course, self.store.load())
        if upcoming is not None:
            return upcoming
        raise LooplabError("every exercise already passes; name one to run it again (looplab list shows them)")

    def prediction_major(self, exercise: Exercise) -> int | None:
        """The Node major whose expected lines a prediction starts from; None (the base lines) without Node."""
        if exercise.kind != "predict":
            return None
        try:
            return self.node.major
        except LooplabError:
            return None

    def ensure_copy(self, exercise: Exercise) -> Path:
        """The learner's copy of the program, created from the starter the first time it is needed."""
        program = self.workspace.program(exercise)
        if not program.exists():
            report = self.workspace.init([exercise], self.prediction_major(exercise))
            if report.created:
                self.note(f"created {self.workspace.folder(exercise)} from the starter")
        return program
