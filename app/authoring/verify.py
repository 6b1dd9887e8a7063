"""The authors' check: every reference program meets its expectation in every run, on every Node."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from app.course.model import Exercise
from app.nodejs.locate import NodeBinary
from app.runner.exercise import grade_run, needs_trace, run_exercise
from app.runner.requirements import missing_requirement
from app.trace.session import TraceCollector


@dataclass
class VerifyOutcome:
    """What N runs of one exercise on one Node showed."""

    exercise: Exercise
    node: NodeBinary
    runs: int
    reference_passes: int = 0
    starter_passes: int = 0  # only counted for fix exercises, where it must stay 0
    orders: Counter[tuple[str, ...]] = field(default_factory=Counter)  # distinct orders seen
    failures: list[str] = field(default_factory=list)  # one line each, the first few only
    skipped: str | None = None  # why nothing ran (a requirement missing here): neither passed nor failed

    @property
    def ok(self) -> bool:
        return self.skipped is not None or (self.reference_passes == self.runs and self.starter_passes == 0)

    @property
    def checks_starter(self) -> bool:
        return self.exercise.kind == "fix"


MAX_REPORTED = 3


async def verify_exercise(exercise: Exercise, node: NodeBinary, runs: int, jobs: asyncio.Semaphore) -> VerifyOutcome:
    outcome = VerifyOutcome(exercise, node, runs)
    outcome.skipped = missing_requirement(exercise)
    if outcome.skipped is not None:
        return outcome

    async def one(index: int, program_kind: str) -> None:
        program = exercise.reference if program_kind == "reference" else exercise.starter
        trace = TraceCollector() if needs_trace(exercise, node.major) else None
        async with jobs:
            result = await run_exercise(exercise, program, node, trace=trace)
        verdict = grade_run(exercise, node.major, result, trace)
        if program_kind == "reference":
            spec = exercise.expectation.for_node(node.major)
            outcome.orders[spec.order_of(result.stream(spec.stream))] += 1
            if verdict.passed:
                outcome.reference_passes += 1
            elif len(outcome.failures) < MAX_REPORTED and verdict.violation:
                outcome.failures.append(f"run {index + 1}: {verdict.violation.explanation}")
        elif verdict.passed:
            outcome.starter_passes += 1
            if len(outcome.failures) < MAX_REPORTED:
                outcome.failures.append(f"run {index + 1}: the starter already passes, so there is nothing to fix")

    tasks = [one(i, "reference") for i in range(runs)]
    if exercise.kind == "fix":
        tasks += [one(i, "starter") for i in range(runs)]
    await asyncio.gather(*tasks)
    return outcome


async def verify_all(
    exercises: list[Exercise],
    nodes: list[NodeBinary],
    runs: int,
    jobs: int,
    on_outcome: Callable[[VerifyOutcome], None] | None = None,
) -> list[VerifyOutcome]:
    """Verify every exercise on every Node, `jobs` programs at a time, reporting each as it finishes."""
    limit = asyncio.Semaphore(jobs)
    outcomes: list[VerifyOutcome] = []

    async def one(exercise: Exercise, node: NodeBinary) -> None:
        outcome = await verify_exercise(exercise, node, runs, limit)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    # One exercise at a time keeps the report in course order; its runs still go `jobs` wide.
    for exercise in exercises:
        await asyncio.gather(*(one(exercise, node) for node in nodes))
    return outcomes
