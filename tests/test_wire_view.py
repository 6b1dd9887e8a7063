"""The wire and agent views in the app: pictures at 80×24 and 120×40 from the recorded keep-alive run, the text
they draw, and a live run on real Node."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.trace.agent_model import replay_agents
from app.trace.recording import load_recording
from app.trace.wire_model import replay_wire
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.agent_view import AgentView, agent_rows
from app.tui.widgets.visualizer import Visualizer
from app.tui.widgets.wire_view import WireView, wire_rows
from tests.http_course import write_http_course
from tests.test_tui_app import run_and_wait, wait_for
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tui_course import TRACES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_http_course(tmp_path / "course")


def recorded() -> list:
    return list(load_recording(TRACES / "http_keepalive.jsonl").events)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_second_request_on_the_kept_alive_socket(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def at_the_post(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "http_keepalive")
        view = pilot.app.screen.query_one(WireView)
        assert view.wire is not None
        position = next(p for p in view.wire.change_positions if len(view.wire.at(p).connections[0].requests) == 2)
        pilot.app.screen.query_one(Visualizer)._go(position)
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="keepalive"), terminal_size=size, run_before=at_the_post)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_agents_sockets_at_the_end_of_the_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def at_the_end(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "http_keepalive")

    assert snap_compare(make_app(course, start="queued"), terminal_size=size, run_before=at_the_end)


def test_a_short_wire_view_keeps_the_newest_message_in_sight() -> None:
    wire = replay_wire(recorded())
    lines = [line.plain for line in wire_rows(wire.at(len(wire)), 78, 6)]
    assert len(lines) == 6 and lines[-1].startswith("… ") and "more lines" in lines[-1]
    assert "1 request on this socket" in lines[0]  # the connection of the newest message
    assert lines[1].lstrip().startswith("→ GET /three") and lines[2].startswith("● ← HTTP/1.1 200 OK")
    assert lines[3].strip().startswith("Date:")  # its headers, as many as fit


def test_a_short_agent_view_draws_one_strip_per_host() -> None:
    agents = replay_agents(recorded())
    full = [line.plain for line in agent_rows(agents.at(len(agents)), 80, 40)]
    short = [line.plain for line in agent_rows(agents.at(len(agents)), 80, 8)]
    assert sum(line.strip().startswith("queued") for line in full) == 2  # busy, free, queued strips per host
    assert len(short) <= 8 and not any(line.strip().startswith("queued") for line in short)
    assert short[0].startswith("agent 1  keepAlive · maxSockets 1")


async def test_a_live_run_shows_both_sockets_and_the_queued_request(course: Path) -> None:
    app = make_app(course, start="keepalive")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        view = screen.query_one(WireView)
        assert view.display
        await run_and_wait(pilot, screen, "r")
        assert view.snapshot is not None
        kept, closing = view.snapshot.connections
        assert (len(kept.requests), len(closing.requests)) == (2, 1)
        assert "1 reused (keep-alive)" in str(view.border_subtitle)
        agents = screen.query_one(AgentView)
        agents.show_run(screen.query_one(Visualizer).timeline, 10**9)  # drawn only when shown; the model is there
        assert agents.snapshot is not None and agents.snapshot.agents[0].hosts[0].history[0].queued == 1
