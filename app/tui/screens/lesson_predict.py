"""The predict flow on the lesson screen: grading the learner's order, then replaying Node's; saving prediction.txt."""

from __future__ import annotations

from pathlib import Path

from app.course.model import Exercise
from app.errors import LooplabError
from app.learner.files import atomic_write, read_regular
from app.runner.exercise import grade_prediction
from app.tui.widgets.exercise_pane import ExercisePane
from app.tui.widgets.predict_list import PredictList

PREDICTION_SAVE_DELAY = 0.4  # seconds after the last move before prediction.txt is written


class PredictionFlow:
    """Mixed into LessonScreen: c on a predict exercise, and keeping prediction.txt in step with the list."""

    def check_prediction(self) -> None:
        exercise = self.exercise
        lines = self.query_one(PredictList).lines
        if exercise is None or self.query_one(ExercisePane).exercise is not exercise or not lines:
            self.notify("There are no lines to put in order yet.", severity="warning")
            return
        verdict = grade_prediction(exercise, self._node_major(), lines)
        self._save_prediction_now()
        self._save_prediction(exercise, lines)
        self.session.store.record(exercise.id, verdict.passed, self._node_version())
        if verdict.passed:
            self.query_one(PredictList).mark(["ok"] * len(lines))
            self._unmarked_prediction = None
        else:  # marked as the verdict marks them; the fewest moves are told once the replay is over
            self.query_one(PredictList).mark([_prediction_mark(m.status) for m in verdict.lines])
            self._unmarked_prediction = list(lines)
        self.query_one(ExercisePane).show_verdict(verdict, "your prediction")
        self._show_the_verdict()
        self._update_header()
        self._show_solution_if_earned()
        watch = "2 shows" if self.query_one("#visualizer").has_class("folded") else "watch"
        self.notify(f"✓ Right: {watch} Node doing it." if verdict.passed else f"✗ Not quite: {watch} Node do it.")
        self.run_program(check=False, program=exercise.starter, replay=True)  # Node's real order, replayed

    def prediction_moved(self, lines: list[str]) -> None:
        """Keep prediction.txt in step with the list, a moment after the last move."""
        if self._saving_prediction is not None:
            self._saving_prediction.stop()
        exercise = self.exercise
        if exercise is not None and exercise.kind == "predict":
            self._unsaved_prediction = (exercise, list(lines))
            self._saving_prediction = self.set_timer(PREDICTION_SAVE_DELAY, self._save_prediction_now)

    def _save_prediction_now(self) -> None:
        if self._saving_prediction is not None:
            self._saving_prediction.stop()
            self._saving_prediction = None
        if self._unsaved_prediction is not None:
            exercise, lines = self._unsaved_prediction
            self._unsaved_prediction = None
            self._save_prediction(exercise, lines)

    def on_unmount(self) -> None:
        self._save_prediction_now()

    def _save_prediction(self, exercise: Exercise, lines: list[str]) -> None:
        path = self.session.workspace.prediction(exercise)
        header = "".join(line + "\n" for line in _prediction_header(path))
        data = (header + "".join(line + "\n" for line in lines)).encode("utf-8")
        atomic_write(path, data)
        self._known_prediction = data


def _prediction_mark(status: str) -> str | None:
    return {"ok": "ok", "wrong": "wrong"}.get(status)


def _prediction_header(path: Path) -> list[str]:
    """The comment lines at the top of prediction.txt, kept when the app saves a new order."""
    try:
        lines = read_regular(path).decode("utf-8", "replace").splitlines()
    except (OSError, LooplabError):
        return []
    return [line for line in lines if line.startswith("#")]
