"""An add-on's async work (napi_create_async_work) is traced as a thread-pool job, and its callback runs in poll."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from app.course.load import load_course
from app.nodejs.locate import NodeBinary
from app.paths import course_root
from app.runner.exercise import grade_run, run_exercise
from app.trace.pool_model import replay_pool
from app.trace.schema import Init
from app.trace.session import TraceCollector

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")


@pytest.mark.parametrize("which", ["bundled_node", "system_node"])
def test_the_pool_exercise_shows_one_add_on_job_of_400_ms_and_the_starter_none(
    which: str, request: pytest.FixtureRequest
) -> None:
    node: NodeBinary = request.getfixturevalue(which)
    exercise = load_course(course_root(None)).exercise("addon-work-on-pool")
    jobs = {}
    for program in (exercise.reference, exercise.starter):
        trace = TraceCollector()
        result = asyncio.run(run_exercise(exercise, program, node, trace=trace))
        if program == exercise.reference:
            assert grade_run(exercise, node.major, result, trace).passed
            assert any(isinstance(e, Init) and e.addon_work and e.type == "slowSum" for e in trace.events)
        pool = replay_pool(list(trace.events))
        jobs[program.name] = pool.at(len(pool)).jobs
    (job,) = jobs["solution.js"]
    assert job.label == "add-on slowSum" and job.site.endswith("slow-sum.js:70:1")
    assert 390_000 <= job.done - job.queued < 5_000_000  # its 400 ms usleep, on a pool thread
    assert jobs["starter.js"] == ()  # done inside the call, on the main thread: nothing reached the pool
