"""The learner's copy on disk, from the lesson screen: editing it in $EDITOR, watch mode, reloading what changed."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path, PurePath

from textual import work
from textual.app import SuspendNotSupported

from app.course.model import Exercise
from app.errors import LooplabError
from app.learner.files import read_regular
from app.learner.workspace import PREDICTION_FILE
from app.tui.widgets.exercise_pane import ExercisePane
from app.tui.widgets.predict_list import PredictList

WATCH_DEBOUNCE_MS = 300


class ExerciseFiles:
    """Mixed into LessonScreen: e and w, and showing the files as they are now after an edit or a save."""

    def action_edit(self) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        try:
            program = self.session.ensure_copy(exercise)
        except LooplabError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify(f"Set $EDITOR to edit here, or open {program} in any editor: watch mode re-checks on save.")
            return
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), str(program)], check=False)
        except SuspendNotSupported:
            self.notify(f"This terminal cannot hand over to $EDITOR; open {program} in another window.")
            return
        except (OSError, ValueError) as exc:
            self.notify(f"$EDITOR ({editor}) did not start: {exc}", severity="error")
            return
        if self._reload_source():
            self._rerun_after_save(exercise)

    def _rerun_after_save(self, exercise: Exercise) -> None:
        """A saved change is checked at once (a fix), or run (to explore, or a predict program changed)."""
        if not self._order_is_secret(exercise):
            self.run_program(check=exercise.kind == "fix")

    def _reload_source(self) -> bool:
        """Show the program as it is now; True if it changed since it was last shown."""
        exercise = self.exercise
        if exercise is None:
            return False
        data = _changed(self.session.workspace.program(exercise), self._known_source)
        if data is None:
            return False
        self._known_source = data
        self.query_one(ExercisePane).show_source(data.decode("utf-8", "replace"))
        return True

    def _reload_prediction(self) -> bool:
        """Show prediction.txt as it is now (edited in another editor); True if it changed."""
        exercise = self.exercise
        if exercise is None or exercise.kind != "predict":
            return False
        data = _changed(self.session.workspace.prediction(exercise), self._known_prediction)
        if data is None:
            return False
        self._known_prediction = data
        self.query_one(PredictList).set_lines(self.session.workspace.read_prediction(exercise))
        return True

    def action_toggle_watch(self, announce: bool = True) -> None:
        if self.exercise is None:
            return
        self.watching = not self.watching
        self._watch_chosen = announce  # a learner who switched it off keeps it off in the next exercise
        if self.watching:
            self.watch_folder(self.session.workspace.folder(self.exercise))
        else:
            self.workers.cancel_group(self, "watch")
        self._update_header()
        if announce:
            self.notify("Watch on: saving the file re-checks it." if self.watching else "Watch off: r runs by hand.")

    @work(exclusive=True, group="watch", exit_on_error=False)
    async def watch_folder(self, folder: Path) -> None:
        from watchfiles import awatch  # imported here: it is only needed once a lesson is open

        exercise = self.exercise
        if exercise is None:
            return
        names = {exercise.entry, PREDICTION_FILE}
        try:
            async for changes in awatch(folder, debounce=WATCH_DEBOUNCE_MS, recursive=False, force_polling=False):
                if self.exercise is not exercise:
                    return
                if not any(PurePath(path).name in names for _, path in changes):
                    continue
                if self._reload_prediction():
                    self.notify("Prediction reloaded from prediction.txt.")
                if self._reload_source():
                    self._rerun_after_save(exercise)
        except (OSError, RuntimeError) as exc:
            self.watching = False
            self._update_header()
            self.notify(f"Watch mode stopped ({exc}); r runs by hand.", severity="warning")


def _changed(path: Path, known: bytes | None) -> bytes | None:
    """The file's bytes if they differ from `known`; None if they are the same or it cannot be read."""
    try:
        data = read_regular(path)
    except (OSError, LooplabError):
        return None
    return None if data == known else data
