"""The fds view in the app: pictures from a recorded loopback TCP run, and a live run on real Node."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.trace.schema import FdSample
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.fd_view import FdView, fd_rows
from app.tui.widgets.visualizer import Visualizer
from tests.conftest import write_files
from tests.test_tui_app import run_and_wait, wait_for
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tui_course import TRACES, write_tui_course

SOCKETS = """
title = "A loopback client and server"
kind = "explore"
prompt = "Run it and watch the descriptors: the listening socket, then one fd for each end of the connection."
timeout = 10

[expect]
sequence = ["client got: pong to ping", "server closed"]
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = write_tui_course(tmp_path / "course")
    write_files(
        root,
        {
            "lessons/sockets/lesson.toml": (
                'title = "Sockets"\nsection = "loop"\norder = 3\nsummary = "Descriptors."\n'
                'exercises = ["tcp-fds"]\nviews = ["loop", "fds"]\n'
            ),
            "lessons/sockets/slides.md": "# Sockets\n\nEach connection has an fd.\n",
            "exercises/tcp-fds/exercise.toml": SOCKETS,
        },
    )
    # Held open longer than in the recording: a loaded test machine may start sampling late.
    starter = (TRACES / "tcp_fds.js").read_text().replace("client.end(), 80)", "client.end(), 600)")
    (root / "exercises/tcp-fds/starter.js").write_text(starter)
    return root


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_fds_view_lights_the_socket_that_woke_the_loop(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def at_the_servers_read(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "tcp_fds")
        view = pilot.app.screen.query_one(FdView)
        assert view.fds is not None
        pilot.app.screen.query_one(Visualizer)._go(view.fds.wake_positions[2])
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="tcp-fds"), terminal_size=size, run_before=at_the_servers_read)


def test_a_short_table_keeps_the_programs_own_rows_and_says_how_many_more() -> None:
    from app.trace.fd_model import replay_fds
    from app.trace.recording import load_recording

    timeline = replay_fds(list(load_recording(TRACES / "tcp_fds.jsonl").events))
    text = fd_rows(timeline.at(timeline.wake_positions[2]), 60, 4).plain.splitlines()
    assert len(text) == 4 and "tcp server" in text[0] and "more rows" in text[-1]


async def test_a_live_run_fills_the_table_from_the_tracer_and_from_proc(course: Path) -> None:
    app = make_app(course, start="tcp-fds")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        view = screen.query_one(FdView)
        assert view.display  # the lesson opens with the loop and the fds view
        await run_and_wait(pilot, screen, "r")
        visualizer = screen.query_one(Visualizer)
        assert visualizer.timeline is not None and view.fds is not None
        assert any(isinstance(event, FdSample) for event in visualizer.timeline.events)  # /proc was sampled
        first_wake = view.fds.wake_positions[0]
        await pilot.press("2", "g")
        visualizer._go(first_wake)
        await pilot.pause(0.05)
        assert view.snapshot is not None
        lit = [row for row in view.snapshot.rows if row.lit]
        assert [row.kind for row in lit] == ["tcp server"] and lit[0].local.startswith("127.0.0.1:")
        assert "woke the loop" in str(view.border_subtitle)
        await pilot.press("G")
        assert not [row for row in view.snapshot.rows if row.kind.startswith("tcp")]  # all closed at the end
