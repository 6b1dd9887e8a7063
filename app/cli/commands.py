"""The learner's commands: list, show, run, check, hint, reset and init."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from rich.text import Text

from app import __version__
from app.check.moves import describe_moves, fewest_moves
from app.check.node_error import cut_run_folder, report_start
from app.check.verdict import Verdict
from app.cli import render
from app.cli.output import print_json
from app.cli.session import Session
from app.course.model import Exercise
from app.errors import LooplabError, did_you_mean
from app.learner.files import read_regular
from app.learner.progress import run_counts_as_done, where_to_continue
from app.learner.workspace import Workspace
from app.runner.exercise import RUN_FOLDER, grade_prediction, grade_run, needs_trace, order_is_secret, run_exercise
from app.runner.process import RunResult
from app.runner.requirements import missing_requirement
from app.trace.session import TraceCollector


def cmd_overview(session: Session) -> int:
    course, progress = session.course, session.store.load()
    exercises = course.exercises_in_order()
    passed = sum(progress.status(e.id) == "passed" for e in exercises)
    out = session.out
    out.print(Text(f"looplab {__version__} · {course.title}", style="bold"))
    out.print(f"{len(course.lessons)} lessons, {passed} of {len(exercises)} exercises passed.")
    upcoming = where_to_continue(course, progress)
    if upcoming:
        out.print(Text("next: ", style="bold") + Text(f"{upcoming.id}", style="cyan") + f" ({upcoming.title})")
        out.print(f"  looplab show {upcoming.lesson}   read the lesson")
        out.print(f"  looplab run {upcoming.id}    run it on Node")
        out.print(f"  looplab check {upcoming.id}  check your answer")
    out.print(Text("looplab list shows the whole course; looplab --help lists every command.", style="dim"))
    return 0


def cmd_list(session: Session) -> int:
    course, progress = session.course, session.store.load()
    if session.args.json:
        print_json(
            {
                "lessons": [
                    {
                        "id": lesson.id,
                        "title": lesson.title,
                        "section": course.section(lesson.section).title,
                        "exercises": [
                            {"id": e, "kind": course.exercises[e].kind, "status": progress.status(e)}
                            for e in lesson.exercises
                        ],
                    }
                    for lesson in course.lessons
                ]
            }
        )
        return 0
    session.out.print(render.course_map(course, progress))
    return 0


def cmd_show(session: Session) -> int:
    course, target = session.course, session.args.id
    if target in course.exercises:
        exercise = course.exercises[target]
        program = session.workspace.program(exercise)
        source, label = (program, str(program)) if program.exists() else (exercise.starter, "starter (not copied yet)")
        text = read_regular(source).decode("utf-8", "replace")  # refuses a named pipe, which would hang `show`
        session.out.print(render.exercise_view(exercise, text, label))
        return 0
    if target not in (lesson.id for lesson in course.lessons):
        hint = did_you_mean(target, [lesson.id for lesson in course.lessons] + list(course.exercises))
        raise LooplabError(f"no lesson or exercise called {target!r} ({hint or '`looplab list` shows them all'})")
    lesson = course.lesson(target)
    session.out.print(render.lesson_view(lesson, course, session.store.load(), session.args.notes))
    return 0


def _run(session: Session, exercise: Exercise, program: Path, live: bool) -> tuple[RunResult, Verdict]:
    """Run and grade; traced when the expectation says which phase a line comes from."""
    node = session.node
    trace = TraceCollector() if needs_trace(exercise, node.major) else None
    if not live:
        with session.err.status(f"running {exercise.entry} on Node {node.version}…"):
            result = asyncio.run(run_exercise(exercise, program, node, trace=trace))
    else:
        heading = Text(f"$ node {exercise.entry}", style="bold") + Text(f"   # {node.describe()}", style="dim")
        session.out.print(heading)
        result = asyncio.run(
            run_exercise(
                exercise, program, node, trace=trace, on_line=lambda line: session.out.print(render.live_line(line))
            )
        )
    return result, grade_run(exercise, node.major, result, trace)


def _verdict_json(exercise: Exercise, session: Session, verdict: Verdict, extra: dict[str, Any]) -> dict[str, Any]:
    node = session.node
    return {
        "exercise": exercise.id,
        "kind": exercise.kind,
        "node": {"version": node.version, "path": str(node.path), "source": node.source},
        **verdict.to_json(),
        **extra,
    }


def _program_for(session: Session, exercise: Exercise) -> Path:
    _ = session.node  # a missing Node is reported before any file is created
    if session.args.reference:
        return exercise.reference
    return session.ensure_copy(exercise)


def _skipped(session: Session, exercise: Exercise) -> bool:
    """True (and says why, in one line) when this machine lacks what the exercise needs, such as a C compiler."""
    reason = missing_requirement(exercise)
    if reason is None:
        return False
    if session.args.json:
        print_json({"exercise": exercise.id, "kind": exercise.kind, "skipped": reason})
    else:
        session.out.print(Text(f"{exercise.id}: ", style="cyan") + Text(reason, style="yellow"), soft_wrap=True)
    return True


def cmd_run(session: Session) -> int:
    exercise = session.exercise(session.args.id)
    if _skipped(session, exercise):
        return 0
    if not session.args.reference and order_is_secret(exercise, session.store.load().status(exercise.id)):
        raise LooplabError(
            f"{exercise.id} is a predict exercise: a run shows Node's real order, so it waits until you have "
            f"checked a prediction once (`looplab check {exercise.id}` shows the lines to put in order)"
        )
    program = _program_for(session, exercise)
    result, verdict = _run(session, exercise, program, live=not session.args.json)
    done = None if session.args.reference else run_counts_as_done(exercise.kind, result.clean)  # not an author's
    session.store.record(exercise.id, done, session.node.version)
    if session.args.json:
        print_json(_verdict_json(exercise, session, verdict, {"program": str(program), "run": result.to_json()}))
        return 0
    session.out.print(render.run_ending(result))
    session.out.print(render.verdict_summary(verdict, f"{exercise.id} on Node {session.node.version}"))
    if exercise.kind == "predict":
        hint = f"This judged Node's own output. Your prediction is checked by `looplab check {exercise.id}`."
        session.out.print(Text(hint, style="dim"))
    return 0


def cmd_check(session: Session) -> int:
    exercise = session.exercise(session.args.id)
    if _skipped(session, exercise):
        return 0  # neither passed nor failed, and not recorded
    if exercise.kind == "predict" and not session.args.reference:
        return _check_prediction(session, exercise)
    program = _program_for(session, exercise)
    result, verdict = _run(session, exercise, program, live=False)
    _remember(session, exercise, None if session.args.reference else verdict)  # an author's check is not progress
    if session.args.json:
        print_json(_verdict_json(exercise, session, verdict, {"program": str(program), "run": result.to_json()}))
    else:
        _show_checked(session, exercise, verdict, result)
    return 0 if verdict.passed else 1


def _show_checked(session: Session, exercise: Exercise, verdict: Verdict, result: RunResult) -> None:
    spec = exercise.expectation.for_node(session.node.major)
    session.out.print(render.marked_lines(verdict, f"{spec.stream} of node {exercise.entry}"))
    stderr = result.stderr if spec.stream == "stdout" else result.stdout
    if stderr and not verdict.passed:
        other = "stderr" if spec.stream == "stdout" else "stdout"
        start = report_start(stderr)  # Node's report of a crash: where, the code there and the error
        shown, which = (stderr[start : start + 5], "the error") if start is not None else (stderr[-5:], "last lines")
        session.out.print(Text(f"{other} ({which}):", style="dim"))
        for line in shown:
            session.out.print(Text(f"  {cut_run_folder(line, RUN_FOLDER)}", style="red"))
    session.out.print(render.run_ending(result))
    session.out.print(render.verdict_summary(verdict, f"{exercise.id} on Node {session.node.version}"))


def _check_prediction(session: Session, exercise: Exercise) -> int:
    workspace = session.workspace
    session.ensure_copy(exercise)
    path = workspace.prediction(exercise)
    if not path.exists():
        workspace.init([exercise], session.node.major)
    lines = workspace.read_prediction(exercise)
    verdict = grade_prediction(exercise, session.node.major, lines)
    _remember(session, exercise, verdict)
    moves = fewest_moves(exercise.expectation.for_node(session.node.major), lines)
    if session.args.json:
        extra = {"prediction": lines, "program": str(path), "fewest_moves": moves.count if moves else None}
        print_json(_verdict_json(exercise, session, verdict, extra))
        return 0 if verdict.passed else 1
    session.out.print(render.marked_lines(verdict, f"your prediction ({path})"))
    session.out.print(render.verdict_summary(verdict, f"{exercise.id}: your prediction"))
    if verdict.passed:
        session.out.print(Text("\nNode agrees? Here is a real run:", style="bold"))
        result, _ = _run(session, exercise, exercise.starter, live=True)
        session.out.print(render.run_ending(result))
    else:
        advice = describe_moves(moves)
        if advice:
            session.out.print(Text(advice, style="yellow"))
        session.out.print(Text(f"Reorder the lines in {path} and check again.", style="dim"))
    return 0 if verdict.passed else 1


def _remember(session: Session, exercise: Exercise, verdict: Verdict | None) -> None:
    session.store.record(exercise.id, None if verdict is None else verdict.passed, session.node.version)


def cmd_hint(session: Session) -> int:
    exercise = session.exercise(session.args.id)
    if not exercise.hints:
        session.out.print(f"{exercise.id} has no hints: it is there to run and watch.")
        return 0
    shown = session.store.take_hint(exercise.id, len(exercise.hints), session.args.all)
    for number, hint in enumerate(exercise.hints[:shown], start=1):
        style = "bold" if number == shown else "dim"
        session.out.print(Text(f"hint {number}/{len(exercise.hints)}: ", style="bold yellow") + Text(hint, style=style))
    if shown < len(exercise.hints):
        session.out.print(Text(f"run `looplab hint {exercise.id}` again for the next one", style="dim"))
    return 0


def cmd_reset(session: Session) -> int:
    exercise = session.course.exercise(session.args.id)
    workspace = session.workspace
    program = workspace.program(exercise)
    if not session.args.yes:
        if not sys.stdin.isatty():
            raise LooplabError(f"reset {exercise.id}: needs confirmation; run it in a terminal or add --yes")
        answer = input(f"Replace {program} with the starter? Your version is kept as {program.name}.bak [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            session.out.print("Nothing changed.")
            return 1
    backups = workspace.reset(exercise, session.node.major if exercise.kind == "predict" else None)
    session.out.print(f"Restored {program} from the starter.")
    for backup in backups:
        session.out.print(Text(f"Your previous version is in {backup}", style="dim"))
    return 0


def cmd_init(session: Session) -> int:
    target = Path(session.args.dir).expanduser().resolve() if session.args.dir else session.workspace.root
    workspace = Workspace(target)
    course = session.course
    major = session.node.major if any(e.kind == "predict" for e in course.exercises.values()) else None
    report = workspace.init(course.exercises_in_order(), major)
    with session.store.update() as progress:
        progress.workspace = str(target)
    session.out.print(Text(f"Workspace: {target}", style="bold"))
    session.out.print(f"created {len(report.created)} files, kept {len(report.kept)} that were already there")
    first = course.exercises_in_order()[0] if course.exercises else None
    if first:
        session.out.print(Text(f"Start with: looplab show {first.lesson}", style="dim"))
    return 0
