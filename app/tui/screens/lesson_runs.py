"""Running and checking the exercise from the lesson screen: Node in a worker, its trace streamed to the visualizer."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from textual import work

from app.check.moves import describe_moves, fewest_moves
from app.check.verdict import Verdict
from app.course.model import Exercise
from app.errors import LooplabError
from app.learner.progress import run_counts_as_done
from app.nodejs.locate import NodeBinary
from app.runner.exercise import grade_run, order_is_secret, run_exercise
from app.runner.process import NodeRun, RunResult
from app.runner.requirements import missing_requirement
from app.trace.addon import AddonBuild, build_addon
from app.trace.live import feed_the_rest, run_ending, stream_events
from app.trace.session import TraceCollector
from app.tui.widgets.exercise_pane import ExercisePane
from app.tui.widgets.predict_list import PredictList
from app.tui.widgets.visualizer import Visualizer

PREDICT_FIRST = "Put the lines in order and press c first: a run would show Node's real order."


class ExerciseRuns:
    """Mixed into LessonScreen: r, c (for a program) and x, and how a run's end is shown."""

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Find Node and build the loop-marker addon off the UI thread, so the first run starts at once."""
        try:
            build_addon(self.session.node)
        except LooplabError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=12)

    def action_run(self) -> None:
        exercise = self.exercise
        # Without what it needs (a C compiler) a run only says so, so it shows no predict exercise's order.
        if exercise is not None and (missing_requirement(exercise) or not self._order_is_secret(exercise)):
            self._reload_source()
            self.run_program(check=False)

    def _order_is_secret(self, exercise: Exercise) -> bool:
        """True (and says so) if running would show a predict exercise's real order before any prediction."""
        secret = order_is_secret(exercise, self.session.store.load().status(exercise.id))
        if secret:
            self.notify(PREDICT_FIRST, severity="warning")
        return secret

    def _skipped(self, exercise: Exercise) -> bool:
        """True (and says why, in one line) when this machine lacks what the exercise needs, such as a C compiler."""
        reason = missing_requirement(exercise)
        if reason is not None:
            self.query_one(ExercisePane).show_ended(reason, style="bold yellow")
            self.notify(reason, severity="warning")
        return reason is not None

    def action_check(self) -> None:
        exercise = self.exercise
        if exercise is None:
            return
        if exercise.kind == "predict":
            if not self._skipped(exercise):  # a program is checked by its run, which says it is skipped
                self.check_prediction()
        else:
            self._reload_source()
            self.run_program(check=True)

    def action_cancel(self) -> None:
        if self.current_run is not None:
            self.current_run.cancel()
            if self.current_run is not self.slide_run:  # a slide's run ends in the visualizer alone
                self.query_one(ExercisePane).show_running("cancelling…")

    @work(exclusive=True, group="node", exit_on_error=False)
    async def run_program(self, check: bool, program: Path | None = None, replay: bool = False) -> None:
        exercise = self.exercise
        if exercise is None or self._skipped(exercise):
            return
        pane = self.query_one(ExercisePane)
        visualizer = self.query_one(Visualizer)
        try:
            node = await asyncio.to_thread(lambda: self.session.node)
            program = program or self.session.ensure_copy(exercise)
        except LooplabError as exc:
            self.notify(str(exc), severity="error", timeout=12)
            return
        addon = await self._addon(node)
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
        # Keeps raw bytes; a worker thread decodes them (see trace/live.py). With the fds view, /proc samples too.
        views = visualizer.opening_views + visualizer.views
        collector = TraceCollector(sample_fds="fds" in views)
        streaming = asyncio.Event()
        streamer = asyncio.create_task(stream_events(collector, visualizer, token, streaming))
        mine: list[NodeRun] = []

        def started(run: NodeRun) -> None:
            self.current_run = run
            mine.append(run)
            if run.pid is not None:
                collector.sample_process(run.pid)  # from the spawn on, not once the first trace bytes are in

        try:
            # strace slows every syscall: a check is graded on the program as it runs untraced by strace.
            syscalls = "syscalls" in views and not check
            tiers = "tiers" in views and not check  # V8's code log costs ~40 ms a run: only for the tiers view
            result = await run_exercise(
                exercise,
                program,
                node,
                on_start=started,
                trace=collector,
                addon=addon,
                syscalls=syscalls,
                tiers=tiers,
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
        await feed_the_rest(collector, visualizer, token)  # with strace's syscalls and V8's tier changes, if any
        await visualizer.catch_up()
        if self.exercise is not exercise:
            return  # another exercise is shown by now
        verdict = None
        if not replay and not result.cancelled:
            verdict = await asyncio.to_thread(grade_run, exercise, node.major, result, collector)
        self.finish_run(exercise, result, verdict, check, node.version, replay)

    async def _addon(self, node: NodeBinary) -> AddonBuild:
        """The loop-marker addon (compiled once and cached; never on the UI thread); without it, says so once."""
        addon = await asyncio.to_thread(build_addon, node)
        if addon.path is None and not self._addon_warned:
            self._addon_warned = True
            self.notify(f"Phases are inferred, not measured: {addon.reason}.", severity="warning", timeout=10)
        return addon

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
        ending = run_ending(result)
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


def _major(version: str) -> int:
    return int(version.lstrip("v").split(".")[0])
