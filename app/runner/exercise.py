"""Run an exercise's program on real Node in a fresh directory with its fixtures, and grade the run."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from app.check.match import check_output
from app.check.node_error import last_error_line, raised_error
from app.check.verdict import ProgramOutput, Verdict
from app.course.model import Exercise, Fixture
from app.errors import LooplabError
from app.nodejs.locate import NodeBinary
from app.runner import watcher
from app.runner.certs import fixtures_for
from app.runner.process import NodeRun, OutputLine, RunRequest, RunResult
from app.runner.requirements import requirement_env
from app.trace.addon import AddonBuild
from app.trace.attribute import attribute_lines
from app.trace.session import TraceCollector, traced

RUN_FOLDER = watcher.RUN_FOLDER_PREFIX  # name prefix of each run's temporary folder, cut from paths a verdict quotes
LineHandler = Callable[[OutputLine], Awaitable[None] | None]


@contextmanager
def fresh_run_folder() -> Iterator[Path]:
    """A new private (0700) temporary directory for one run; removed afterwards, even if looplab dies."""
    # The owner's pid in the name lets a later looplab remove it if its owner died with no watcher left.
    folder = Path(tempfile.mkdtemp(prefix=f"{watcher.RUN_FOLDER_PREFIX}{os.getpid()}-"))
    watcher.register(str(folder), dir=str(folder))  # removed by the watcher if looplab dies from here on
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        watcher.release(str(folder))


@contextmanager
def run_directory(program: Path, entry: str, fixtures: tuple[Fixture, ...]) -> Iterator[Path]:
    """A new temporary directory holding the fixtures and a copy of the program; removed afterwards."""
    if not program.exists():
        raise LooplabError(f"{program}: file not found")
    if not program.is_file():  # a named pipe would block the copy below forever
        raise LooplabError(f"{program}: not a regular file, so looplab does not run it (move it away)")
    with fresh_run_folder() as folder:
        for fixture in fixtures:
            target = folder / fixture.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(fixture.content)
        shutil.copyfile(program, folder / entry)
        yield folder


def exercise_request(exercise: Exercise, node: NodeBinary, folder: Path, node_args: tuple[str, ...] = ()) -> RunRequest:
    return RunRequest(
        argv=(str(node.path), *node_args, *exercise.node_args, exercise.entry),
        cwd=folder,
        timeout=exercise.timeout,
        env={**requirement_env(exercise, node), **exercise.env},
    )


def order_is_secret(exercise: Exercise, status: str) -> bool:
    """A predict exercise's real order is not shown (no run) until the learner has checked a prediction once."""
    return exercise.kind == "predict" and status == "pending"


def needs_trace(exercise: Exercise, node_major: int | None) -> bool:
    """True if the expectation says which phase or queue some line comes from."""
    return bool(exercise.expectation.for_node(node_major).placed_patterns)


async def run_exercise(
    exercise: Exercise,
    program: Path,
    node: NodeBinary,
    on_line: LineHandler | None = None,
    on_start: Callable[[NodeRun], None] | None = None,
    trace: TraceCollector | None = None,
    addon: AddonBuild | None = None,
    syscalls: bool = False,
    tiers: bool = False,
) -> RunResult:
    """Run `program` (a learner's copy, a starter or a solution) as this exercise's entry file.

    With a `trace` collector the tracer is preloaded and its events land there as they happen; with
    `syscalls` too, it runs under strace where strace is installed (see trace/syscalls.py); with `tiers`, V8
    logs its compiles and deopts (trace/v8_log.py).
    """
    with run_directory(program, exercise.entry, fixtures_for(exercise)) as folder:
        request = exercise_request(exercise, node, folder)
        if trace is not None:
            request = traced(request, node, trace, addon=addon, syscalls=syscalls, tiers=tiers)
        async with await NodeRun.start(request) as run:
            if on_start is not None:
                on_start(run)
            async for line in run:
                if on_line is not None:
                    maybe = on_line(line)
                    if maybe is not None:
                        await maybe
            return await run.result()


def grade_run(
    exercise: Exercise, node_major: int | None, result: RunResult, trace: TraceCollector | None = None
) -> Verdict:
    spec = exercise.expectation.for_node(node_major)
    places = threads = None
    if trace is not None:
        attributed = attribute_lines(trace.events, result.stream(spec.stream), spec.stream)
        places = tuple((line.phase, line.queue) for line in attributed)
        threads = tuple(line.who for line in attributed)
    output = ProgramOutput(
        lines=tuple(result.stream(spec.stream)),
        exit_code=result.exit_code,
        signal=result.signal,
        timed_out=result.timed_out,
        timeout_s=result.timeout,
        cancelled=result.cancelled,
        truncated=result.truncated,
        stderr_tail=last_error_line(result.stderr),
        error=raised_error(result.stderr, RUN_FOLDER),
        places=places,
        threads=threads,
    )
    verdict = check_output(spec, output)
    if trace is not None and trace.cut_note:
        verdict = replace(verdict, notes=(*verdict.notes, trace.cut_note))
    return verdict


def grade_prediction(exercise: Exercise, node_major: int | None, lines: list[str]) -> Verdict:
    return check_output(exercise.expectation.for_node(node_major), ProgramOutput.prediction(lines))
