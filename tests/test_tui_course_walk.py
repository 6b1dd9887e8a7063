"""Every lesson of the shipped course opens in the app, and every exercise runs there with its phases shown."""

from __future__ import annotations

import argparse
import asyncio

import pytest

from app.check.spec import PHASE_NAMES
from app.cli.session import Session
from app.course.load import load_course
from app.paths import course_root
from app.tui.app import LooplabApp
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.slide_deck import SlideDeck
from app.tui.widgets.visualizer import Visualizer

COURSE = load_course(course_root(None))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("lesson", COURSE.lessons, ids=lambda lesson: lesson.id)
async def test_the_lesson_opens_and_each_exercise_runs_with_its_phases_shown(lesson) -> None:  # noqa: ANN001
    app = LooplabApp(Session(argparse.Namespace(node=None, course=None)), start=lesson.id, watch=False, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        loop = asyncio.get_running_loop()
        while not isinstance(app.screen, LessonScreen):
            await pilot.pause(0.05)
        screen = app.screen
        deck = screen.query_one(SlideDeck)
        await pilot.press("1", "end")  # paging through every slide is test_tui_slides.py's job
        assert deck.current == len(lesson.slides) - 1
        for index, exercise_id in enumerate(lesson.exercises):
            assert screen.exercise is not None and screen.exercise.id == exercise_id, (index, exercise_id)
            done, deadline = screen.finished_runs, loop.time() + COURSE.exercises[exercise_id].timeout + 30
            kind = COURSE.exercises[exercise_id].kind
            await pilot.press("c" if kind == "predict" else "r")  # a predict exercise runs after a first guess
            while screen.finished_runs == done:
                assert loop.time() < deadline, f"{exercise_id} never finished in the app"
                await pilot.pause(0.05)
            visualizer = screen.query_one(Visualizer)
            visualizer.action_jump(-1)  # the end of the run (after a prediction its replay starts from the start)
            snapshot = visualizer.snapshot
            assert visualizer.timeline is not None and len(visualizer.timeline) > 0, exercise_id
            assert snapshot.phase in (*PHASE_NAMES, "exit"), (exercise_id, snapshot.phase)
            placed = [line.phase for line in snapshot.output]
            if not placed:  # only a fix starter may stop before it prints (pkg-exports-subpath throws on import)
                assert COURSE.exercises[exercise_id].kind == "fix", f"{exercise_id} printed nothing"
            assert all(phase in PHASE_NAMES for phase in placed), (exercise_id, placed)
            await pilot.press("n")
