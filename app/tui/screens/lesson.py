"""A lesson: slides, the live loop and the exercise side by side (stacked when narrow), and every exercise action."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import subprocess
import time
from pathlib import Path, PurePath

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Container
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from app.check.moves import describe_moves, fewest_moves
from app.check.verdict import Verdict
from app.course.model import Exercise, Lesson
from app.errors import LooplabError
from app.learner.files import atomic_write, read_regular
from app.learner.progress import run_counts_as_done
from app.learner.workspace import PREDICTION_FILE
from app.runner.exercise import grade_prediction, grade_run, order_is_secret, run_exercise
from app.runner.process import NodeRun, RunResult
from app.trace.addon import build_addon
from app.trace.schema import site_parts
from app.trace.session import TraceCollector
from app.tui.screens.dialogs import ConfirmScreen
from app.tui.widgets.exercise_pane import ExercisePane
from app.tui.widgets.predict_list import PredictList
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import SourcePicked, Visualizer

PANES = ("slides", "visualizer", "exercise")
STACK_BELOW = 110  # columns: narrower terminals get the panes one above the other
FOLD_BELOW = 45  # rows: stacked on a short terminal, only the pane in use is open; the others show a header
WATCH_DEBOUNCE_MS = 300
PREDICT_FIRST = "Put the lines in order and press c first: a run would show Node's real order."
PREDICTION_SAVE_DELAY = 0.4  # seconds after the last move before prediction.txt is written
EXERCISE_ACTIONS = frozenset({"run", "check", "hint", "cancel", "edit", "toggle_watch", "reset", "exercise"})
STREAM_EVERY = 0.05  # seconds between batches of trace events decoded for the visualizer


class LessonScreen(Screen[None]):
    # Default CSS is added when the first lesson opens, to what Textual has parsed already; as app.tcss (or the
    # screen's CSS_PATH, which re-parses every stylesheet) it was parsed for the course map's first frame.
    DEFAULT_CSS = (Path(__file__).parent.parent / "lesson.tcss").read_text()
    HELP_GROUP = "Lesson"
    ESCAPE_TO_MINIMIZE = False  # Esc is ours: leave the zoom and restore the layout, then go back
    BINDINGS = [
        Binding("r", "run", "Run", id="lesson.run", tooltip="Run the exercise on Node and watch the loop"),
        Binding("c", "check", "Check", id="lesson.check", tooltip="Check it (a prediction is compared first)"),
        Binding("h", "hint", "Hint", id="lesson.hint", tooltip="One more hint"),
        Binding("x", "cancel", "Cancel run", id="lesson.cancel", tooltip="Stop the program and all it started"),
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

    # --- layout ------------------------------------------------------------------------------------------

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
        """A lesson without exercises has only slides: the exercise keys are off (and off the footer)."""
        if self.exercise_ids:
            return True
        panes_elsewhere = action in ("focus_pane", "toggle_pane") and parameters != ("slides",)
        return action not in EXERCISE_ACTIONS and not panes_elsewhere

    def on_resize(self) -> None:
        if self.maximized is None:
            self._apply_layout()

    def on_descendant_focus(self) -> None:
        if self.maximized is None:
            self._apply_layout()

    def _apply_layout(self) -> None:
        panes = self.query_one("#panes")
        stacked = self.size.width < STACK_BELOW
        folding = stacked and self.size.height < FOLD_BELOW
        panes.set_class(stacked, "stacked")
        open_pane = self._pane_of(self.focused) or self._open_pane
        self._open_pane = open_pane
        for name in PANES:
            pane = self.query_one(f"#{name}")
            weight = f"{self.weights[name]}fr"
            folded = folding and name != open_pane
            pane.set_class(folded, "folded")
            pane.styles.width = "1fr" if stacked else weight
            pane.styles.height = 3 if folded else (weight if stacked else "1fr")

    def _pane_of(self, widget: Widget | None) -> str | None:
        while widget is not None:
            if widget.id in PANES:
                return widget.id
            widget = widget.parent  # type: ignore[assignment]
        return None

    def action_focus_pane(self, name: str) -> None:
        if self.maximized is not None and self.maximized.id != name:
            self._unzoom()  # the pane asked for must be on screen to take the keys
        pane = self.query_one(f"#{name}")
        pane.display = True
        if name == "visualizer":
            self.query_one(Visualizer).focus_first_view()  # the lanes, unless the lesson's views hide them
            return
        target = {"slides": "#slide-view", "exercise": "#exercise-body"}[name]
        if name == "exercise" and self.exercise is not None and self.exercise.kind == "predict":
            self.query_one("#predict").focus(scroll_visible=False)  # the prompt and key line above it stay in view
            self.query_one("#exercise-body").scroll_home(animate=False)
            return
        self.query_one(target).focus()

    def action_toggle_pane(self, name: str) -> None:
        if self.maximized is not None:
            self._unzoom()
        pane = self.query_one(f"#{name}")
        shown = [p for p in PANES if self.query_one(f"#{p}").display]
        if pane.display and shown == [name]:
            self.notify("That is the last pane showing.", severity="warning")
            return
        pane.display = not pane.display
        if pane.display:
            self.action_focus_pane(name)
        elif self._pane_of(self.focused) == name or self.focused is None:
            self.action_focus_pane(next(p for p in PANES if self.query_one(f"#{p}").display))

    def action_resize(self, delta: int) -> None:
        name = self._pane_of(self.focused) or "visualizer"
        self.weights[name] = max(1, min(8, self.weights[name] + delta))
        self._apply_layout()

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self._unzoom()
            return
        name = self._pane_of(self.focused)
        if name is not None:
            pane = self.query_one(f"#{name}")
            pane.styles.width = pane.styles.height = "1fr"  # its share of the row would also apply when zoomed
            pane.remove_class("folded")
            self.maximize(pane, container=False)

    def _unzoom(self) -> None:
        self.minimize()
        self._apply_layout()

    def action_back(self) -> None:
        if self.maximized is not None:
            self._unzoom()
        else:
            self.app.pop_screen()

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

    # --- running -----------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Find Node and build the loop-marker addon off the UI thread, so the first run starts at once."""
        try:
            build_addon(self.session.node)
        except LooplabError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=12)

    def action_run(self) -> None:
        exercise = self.exercise
        if exercise is not None and not self._order_is_secret(exercise):
            self._reload_source()
            self.run_program(check=False)

    def _order_is_secret(self, exercise: Exercise) -> bool:
        """True (and says so) if running would show a predict exercise's real order before any prediction."""
        secret = order_is_secret(exercise, self.session.store.load().status(exercise.id))
        if secret:
            self.notify(PREDICT_FIRST, severity="warning")
        return secret

    def action_check(self) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        if exercise.kind == "predict":
            self.check_prediction()
        else:
            self._reload_source()
            self.run_program(check=True)

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

    @on(PredictList.Changed)
    def _prediction_changed(self, event: PredictList.Changed) -> None:
        """Keep prediction.txt in step with the list, a moment after the last move."""
        if self._saving_prediction is not None:
            self._saving_prediction.stop()
        exercise = self.exercise
        if exercise is not None and exercise.kind == "predict":
            self._unsaved_prediction = (exercise, list(event.lines))
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

    def _node_version(self) -> str:
        try:
            return self.session.node.version
        except LooplabError:
            return ""

    def action_cancel(self) -> None:
        if self.current_run is not None:
            self.current_run.cancel()
            self.query_one(ExercisePane).show_running("cancelling…")

    @work(exclusive=True, group="node", exit_on_error=False)
    async def run_program(self, check: bool, program: Path | None = None, replay: bool = False) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        pane = self.query_one(ExercisePane)
        visualizer = self.query_one(Visualizer)
        try:
            node = await asyncio.to_thread(lambda: self.session.node)
            program = program or self.session.ensure_copy(exercise)
        except LooplabError as exc:
            self.notify(str(exc), severity="error", timeout=12)
            return
        addon = await asyncio.to_thread(build_addon, node)  # compiled once and cached; never on the UI thread
        if addon.path is None and not self._addon_warned:
            self._addon_warned = True
            self.notify(f"Phases are inferred, not measured: {addon.reason}.", severity="warning", timeout=10)
        self._running_label = f"running {exercise.entry} on Node {node.version}"
        folded = self.query_one("#slides").has_class("folded") or self.query_one("#visualizer").has_class("folded")
        if folded and not check and not replay:
            self.action_focus_pane("visualizer")  # a short stacked screen opens the loop to watch the run
        token = visualizer.start_live(f"{exercise.entry} on Node {node.version}")
        if not replay:
            pane.show_verdict(None)
        self.run_started = time.monotonic()
        self._tick()
        if self._ticker is not None:
            self._ticker.stop()
        self._ticker = ticker = self.set_interval(0.1, self._tick)
        # Keeps raw bytes; a worker thread decodes them (see _stream_events). With the fds view, /proc samples too.
        views = visualizer.opening_views + visualizer.views
        collector = TraceCollector(sample_fds="fds" in views)
        streaming = asyncio.Event()
        streamer = asyncio.create_task(_stream_events(collector, visualizer, token, streaming))
        mine: list[NodeRun] = []

        def started(run: NodeRun) -> None:
            self.current_run = run
            mine.append(run)
            if run.pid is not None:
                collector.sample_process(run.pid)  # from the spawn on, not once the first trace bytes are in

        try:
            # strace slows every syscall: a check is graded on the program as it runs untraced by strace.
            syscalls = "syscalls" in views and not check
            result = await run_exercise(
                exercise, program, node, on_start=started, trace=collector, addon=addon, syscalls=syscalls
            )
        except LooplabError as exc:
            visualizer.abort(str(exc))
            pane.show_ended(str(exc), style="bold red")
            return
        finally:
            streaming.set()  # the streamer ends after its current batch
            # A run replaced by a newer one (r pressed again) is cancelled here: leave the new one's state alone.
            ticker.stop()
            if self._ticker is ticker:
                self._ticker = None
            if self.current_run is not None and self.current_run in mine:
                self.current_run = None
        await streamer
        visualizer.feed(await asyncio.to_thread(collector.decode_new), token)
        if await asyncio.to_thread(collector.run_over):  # strace's syscalls now sit among the events
            visualizer.refeed(list(collector.events), token)
        await visualizer.catch_up()
        if self.exercise is not exercise:
            return  # another exercise is shown by now
        verdict = None
        if not replay and not result.cancelled:
            verdict = await asyncio.to_thread(grade_run, exercise, node.major, result, collector)
        self.finish_run(exercise, result, verdict, check, node.version, replay)

    def _tick(self) -> None:
        elapsed = time.monotonic() - self.run_started
        exercise = self.exercise
        limit = f" of {exercise.timeout:g}" if exercise else ""
        self.query_one(ExercisePane).show_running(f"{self._running_label} · {elapsed:.1f}{limit} s · x cancels")

    def finish_run(
        self, exercise: Exercise, result: RunResult, verdict: Verdict | None, check: bool, version: str, replay: bool
    ) -> None:
        """Show how a run ended; `verdict` is None for a cancelled run and for the replay after a prediction."""
        self.finished_runs += 1
        if exercise is not self.exercise:
            return
        pane = self.query_one(ExercisePane)
        visualizer = self.query_one(Visualizer)
        ending = f"{result.describe_end()} after {result.duration:.2f} s"
        visualizer.finish(result, ending)
        style = "dim" if result.exit_code == 0 and not result.cancelled else "bold red"
        pane.show_ended(f"Node {version}: {ending}", style=style)
        if replay:
            predicted, self._unmarked_prediction = self._unmarked_prediction, None
            if predicted is not None and not result.cancelled and self.query_one(PredictList).lines == predicted:
                # The marks stay the verdict's; one run cannot show the other orders Node may print.
                moves = describe_moves(fewest_moves(exercise.expectation.for_node(_major(version)), predicted))
                pane.show_ended(f"Node {version}: {ending}. {moves or ''}".rstrip())
            visualizer.start_playing(from_start=True)
            return
        if result.cancelled or verdict is None:
            self.notify("Run cancelled; everything it started was stopped.")
            return
        if check:
            self.session.store.record(exercise.id, verdict.passed, version)
            pane.show_verdict(verdict, f"check on Node {version}")
            self._show_the_verdict()
            self._update_header()
            self._show_solution_if_earned()
            self.notify("✓ Passed!" if verdict.passed else "✗ Not yet: the verdict says which line and why.")
        else:
            self.session.store.record(exercise.id, run_counts_as_done(exercise.kind, result.clean), version)
            self._update_header()
            if exercise.kind == "predict":  # judging Node's own order says nothing about the learner's guess
                pane.show_ended(f"Node {version}: {ending}. That is Node's real order; c compares your prediction.")
            else:
                pane.show_verdict(verdict, f"run on Node {version}")
                pane.scroll_to_verdict()

    def _show_the_verdict(self) -> None:
        """A check's verdict goes on screen: a folded exercise pane opens, and its body scrolls to the verdict."""
        if self.query_one("#exercise").has_class("folded"):
            self.query_one("#exercise-body").focus(scroll_visible=False)
        self.query_one(ExercisePane).scroll_to_verdict()

    # --- watch mode --------------------------------------------------------------------------------------

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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly is reported, and the app carries on."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            if event.worker.group == "watch":
                self.watching = False
                self._update_header()
            self.notify(f"{event.worker.name} failed: {type(error).__name__}: {error}", severity="error", timeout=15)

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


async def _stream_events(collector: TraceCollector, visualizer: Visualizer, token: int, done: asyncio.Event) -> None:
    """Hand the run's trace to the visualizer as it arrives, decoded in a worker thread, until `done`."""
    while not done.is_set():
        visualizer.feed(await asyncio.to_thread(collector.decode_new), token)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), STREAM_EVERY)


def _major(version: str) -> int:
    return int(version.lstrip("v").split(".")[0])


def _changed(path: Path, known: bytes | None) -> bytes | None:
    """The file's bytes if they differ from `known`; None if they are the same or it cannot be read."""
    try:
        data = read_regular(path)
    except (OSError, LooplabError):
        return None
    return None if data == known else data


def _line_in(site: str | None, entry: str) -> int | None:
    """The line number in the exercise file, from a tracer site like /tmp/run/main.js:12:3."""
    parts = site_parts(site)
    return parts[1] if parts is not None and PurePath(parts[0]).name == entry else None


def _prediction_mark(status: str) -> str | None:
    return {"ok": "ok", "wrong": "wrong"}.get(status)


def _prediction_header(path: Path) -> list[str]:
    """The comment lines at the top of prediction.txt, kept when the app saves a new order."""
    try:
        lines = read_regular(path).decode("utf-8", "replace").splitlines()
    except (OSError, LooplabError):
        return []
    return [line for line in lines if line.startswith("#")]
