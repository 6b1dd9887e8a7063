"""A lesson: slides, the live loop and the exercise side by side (stacked when narrow), and every exercise action.

The screen composes the panes and moves between exercises; its other jobs are mixins in lesson_*.py.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from app.course.model import Exercise, Lesson
from app.errors import LooplabError
from app.learner.files import read_regular
from app.runner.process import NodeRun
from app.trace.schema import site_parts
from app.tui.screens.dialogs import ConfirmScreen
from app.tui.screens.lesson_files import ExerciseFiles
from app.tui.screens.lesson_panes import LessonPanes
from app.tui.screens.lesson_predict import PredictionFlow
from app.tui.screens.lesson_runs import ExerciseRuns
from app.tui.screens.lesson_slide_runs import SlideRuns
from app.tui.widgets.exercise_pane import ExercisePane
from app.tui.widgets.predict_list import PredictList
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import SourcePicked, Visualizer


def stylesheets(*names: str) -> str:
    """A screen's default CSS, from app/tui/*.tcss; the presenter and shared screens draw lessons' panes too."""
    return "".join((Path(__file__).parent.parent / name).read_text() for name in names)


EXERCISE_ACTIONS = frozenset({"run", "check", "hint", "cancel", "edit", "toggle_watch", "reset", "exercise"})


class LessonScreen(LessonPanes, ExerciseRuns, SlideRuns, ExerciseFiles, PredictionFlow, Screen[None]):
    # Default CSS is added when the first lesson opens, to what Textual has parsed already; as app.tcss (or the
    # screen's CSS_PATH, which re-parses every stylesheet) it was parsed for the course map's first frame.
    DEFAULT_CSS = stylesheets("lesson.tcss")
    HELP_GROUP = "Lesson"
    ESCAPE_TO_MINIMIZE = False  # Esc is ours: leave the zoom and restore the layout, then go back
    BINDINGS = [
        Binding("r", "run", "Run", id="lesson.run", tooltip="Run the exercise on Node and watch the loop"),
        Binding("c", "check", "Check", id="lesson.check", tooltip="Check it (a prediction is compared first)"),
        Binding("h", "hint", "Hint", id="lesson.hint", tooltip="One more hint"),
        Binding("x", "cancel", "Cancel run", id="lesson.cancel", tooltip="Stop the program and all it started"),
        Binding("R", "run_slide", "Run slide code", id="lesson.run_slide", show=False, tooltip="Run the slide's code"),
        Binding("e", "edit", "Edit", id="lesson.edit", tooltip="Open your copy in $EDITOR"),
        Binding("w", "toggle_watch", "Watch", id="lesson.watch", tooltip="Re-check whenever you save the file"),
        Binding("ctrl+r", "reset", "Reset", id="lesson.reset", tooltip="Restore the starter (asks; keeps a .bak)"),
        Binding("n", "exercise(1)", "Next exercise", id="lesson.next_exercise", show=False),
        Binding("N", "exercise(-1)", "Previous exercise", id="lesson.previous_exercise", show=False),
        Binding("1", "focus_pane('slides')", "Slides", id="lesson.focus_slides", show=False),
        Binding("2", "focus_pane('visualizer')", "Visualizer", id="lesson.focus_visualizer", show=False),
        Binding("3", "focus_pane('exercise')", "Exercise", id="lesson.focus_exercise", show=False),
        Binding("f2", "toggle_pane('slides')", "Hide/show slides", id="lesson.toggle_slides", show=False),
        Binding("f3", "toggle_pane('visualizer')", "Hide/show visualizer", id="lesson.toggle_visualizer", show=False),
        Binding("f4", "toggle_pane('exercise')", "Hide/show exercise", id="lesson.toggle_exercise", show=False),
        Binding("equals_sign,plus", "resize(1)", "Grow pane", id="lesson.grow", show=False),
        Binding("minus", "resize(-1)", "Shrink pane", id="lesson.shrink", show=False),
        Binding("z", "zoom", "Zoom pane", id="lesson.zoom", tooltip="Fill the screen with the focused pane"),
        Binding("escape", "back", "Back", id="lesson.back", tooltip="Leave zoom, or go back to the course map"),
    ]

    def __init__(self, lesson: Lesson, exercise_id: str | None = None) -> None:
        super().__init__()
        self.lesson = lesson
        self.exercise_ids = list(lesson.exercises)
        self.requested = exercise_id if exercise_id in self.exercise_ids else None
        self.exercise_index = self.exercise_ids.index(exercise_id) if self.requested else 0
        self.weights = {"slides": 3, "visualizer": 4, "exercise": 3}
        self.watching = False
        self._watch_chosen = False
        self.current_run: NodeRun | None = None
        self.slide_run: NodeRun | None = None  # the current run when it is a slide's live code (R)
        self.run_started = 0.0
        self._ticker: Timer | None = None
        self._known_source: bytes | None = None
        self._known_prediction: bytes | None = None
        self._running_label = ""
        self._open_pane = "slides"
        self._unmarked_prediction: list[str] | None = None  # a wrong prediction; its fewest moves told after the replay
        self.finished_runs = 0  # how many runs have ended here (tests and the tmux script wait on it)
        self._saving_prediction: Timer | None = None
        self._unsaved_prediction: tuple[Exercise, list[str]] | None = None  # the list moved; the file not yet
        self._addon_warned = False

    # --- the screen --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Container(id="panes"):
            yield SlideDeck(self.lesson, id="slides")
            yield Visualizer(self.lesson.views, id="visualizer")
            yield ExercisePane(id="exercise")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.lesson.title
        self._apply_layout()
        self.query_one("#slide-view").focus()
        if not self.exercise_ids:  # a lesson of slides only
            self.query_one("#exercise").display = False
            self.query_one("#visualizer").display = False
            return
        if self.requested is None:  # open at the first exercise not passed yet
            progress = self.app.session.store.load()  # type: ignore[attr-defined]
            pending = [i for i, e in enumerate(self.exercise_ids) if progress.status(e) != "passed"]
            self.exercise_index = pending[0] if pending else 0
        self.show_exercise()
        self._warm_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A lesson without exercises has only slides: the exercise keys are off (and off the footer), but for x
        while a slide's code runs and the visualizer's keys once R has shown it."""
        if self.exercise_ids:
            return True
        if action == "cancel":  # while a slide's code runs (R)
            return self.slide_run is not None
        try:
            shown = ("slides", "visualizer") if self.query_one("#visualizer").display else ("slides",)  # after R
        except NoMatches:  # asked before the panes are composed
            shown = ("slides",)
        panes_elsewhere = action in ("focus_pane", "toggle_pane") and parameters[:1] not in [(name,) for name in shown]
        return action not in EXERCISE_ACTIONS and not panes_elsewhere

    # --- the exercise ------------------------------------------------------------------------------------

    @property
    def exercise(self) -> Exercise | None:
        if not self.exercise_ids:
            return None
        return self.app.session.course.exercises.get(self.exercise_ids[self.exercise_index])  # type: ignore[attr-defined]

    @property
    def session(self):  # noqa: ANN201
        return self.app.session  # type: ignore[attr-defined]

    def _node_major(self) -> int | None:
        try:
            return self.session.node.major
        except LooplabError:
            return None

    def show_exercise(self) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        pane = self.query_one(ExercisePane)
        try:
            program = self.session.ensure_copy(exercise)
            progress = self.session.store.load()
            source = read_regular(program)  # a named pipe in its place would hang the app
        except (LooplabError, OSError) as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self._known_source = source
        number = f"{self.exercise_index + 1}/{len(self.exercise_ids)}"
        pane.show_exercise(exercise, number, progress.of(exercise.id), source.decode("utf-8", "replace"))
        if exercise.kind == "predict":
            path = self.session.workspace.prediction(exercise)
            if not path.exists():  # deleted by hand: a fresh one, as `looplab init` would make it
                self.session.workspace.init([exercise], self.session.prediction_major(exercise))
            try:
                self._known_prediction = read_regular(path)
            except (LooplabError, OSError) as exc:
                self.notify(str(exc), severity="error", timeout=10)
                return
            self.query_one(PredictList).set_lines(self.session.workspace.read_prediction(exercise))
        self._show_solution_if_earned()
        if self.watching:  # follow the newly shown exercise's folder
            self.watch_folder(self.session.workspace.folder(exercise))
        elif self.app.watch_files and not self._watch_chosen:  # type: ignore[attr-defined]
            self.action_toggle_watch(announce=False)
        self._update_header()

    def _update_header(self) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        status = self.session.store.load().status(exercise.id)
        number = f"{self.exercise_index + 1}/{len(self.exercise_ids)}"
        self.query_one(ExercisePane).show_header(number, status, self.watching)

    def _show_solution_if_earned(self) -> None:
        exercise = self.exercise
        pane = self.query_one(ExercisePane)
        if exercise is None or exercise.solution is None:
            pane.show_solution(None)
            return
        passed = self.session.store.load().status(exercise.id) == "passed"
        pane.show_solution(exercise.solution.read_text(encoding="utf-8") if passed else None)

    def action_exercise(self, delta: int) -> None:
        if not self.exercise_ids:
            return
        self._save_prediction_now()
        self.workers.cancel_group(self, "node")  # a run still starting must not report into the next exercise
        self.current_run = None
        self._unmarked_prediction = None
        self.query_one(Visualizer).clear()
        self.exercise_index = (self.exercise_index + delta) % len(self.exercise_ids)
        self.show_exercise()

    def action_hint(self) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        if not exercise.hints:
            self.notify("This exercise has no hints: run it and watch.")
            return
        before = self.session.store.load().of(exercise.id).hints_shown
        shown = self.session.store.take_hint(exercise.id, len(exercise.hints))
        self.query_one(ExercisePane).show_hints(shown)
        if shown == before:
            self.notify(f"No more hints: all {shown} are shown in the exercise pane.")
        self.action_focus_pane("exercise")

    def action_reset(self) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        program = self.session.workspace.program(exercise)

        def answered(yes: bool | None) -> None:
            if not yes:
                self.notify("Nothing changed.")
                return
            major = self._node_major() if exercise.kind == "predict" else None
            backups = self.session.workspace.reset(exercise, major)
            kept = f"; your version is in {backups[0].name}" if backups else ""
            self.notify(f"Restored {program.name} from the starter{kept}.")
            self.show_exercise()

        if exercise.kind == "predict":
            prediction = self.session.workspace.prediction(exercise)
            question = (
                f"Start {exercise.title!r} afresh: the starter and a new shuffled prediction?\n"
                f"Your versions are kept beside them as {program.name}.bak and {prediction.name}.bak."
            )
        else:
            question = f"Replace {program} with the starter?\nYour version is kept beside it as {program.name}.bak."
        self.app.push_screen(ConfirmScreen(question, yes="Reset"), answered)

    def _node_version(self) -> str:
        try:
            return self.session.node.version
        except LooplabError:
            return ""

    def _show_the_verdict(self) -> None:
        """A check's verdict goes on screen: a folded exercise pane opens, and its body scrolls to the verdict."""
        if self.query_one("#exercise").has_class("folded"):
            self.query_one("#exercise-body").focus(scroll_visible=False)
        self.query_one(ExercisePane).scroll_to_verdict()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly is reported, and the app carries on."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            if event.worker.group == "watch":
                self.watching = False
                self._update_header()
            self.notify(f"{event.worker.name} failed: {type(error).__name__}: {error}", severity="error", timeout=15)

    # Textual collects @on handlers from the screen's own class body only, not from the mixins above.
    @on(PredictList.Changed)
    def _prediction_changed(self, event: PredictList.Changed) -> None:
        self.prediction_moved(event.lines)

    # --- from the visualizer -------------------------------------------------------------------------------

    @on(SourcePicked)
    def _point_at_source(self, event: SourcePicked) -> None:
        exercise = self.exercise
        line = _line_in(event.site, exercise.entry) if exercise is not None else None
        try:
            self.query_one(ExercisePane).point_at(line)
        except NoMatches:
            return
        if line is None and event.site is None:
            self.notify(f"{event.what}: nothing in your file scheduled it", timeout=2)


def _line_in(site: str | None, entry: str) -> int | None:
    """The line number in the exercise file, from a tracer site like /tmp/run/main.js:12:3."""
    parts = site_parts(site)
    return parts[1] if parts is not None and PurePath(parts[0]).name == entry else None
