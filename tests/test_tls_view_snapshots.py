"""Screenshots of the TLS view at 80×24 and 120×40, drawn from recorded traces (not live runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from app.trace.recording import load_recording
from app.trace.tls_model import replay_tls
from tests.test_tui_snapshots import SIZES, make_app, show_recorded_run
from tests.tls_course import write_tls_course
from tests.tui_course import TRACES


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_tls_course(tmp_path / "course")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_node_24_handshake_at_the_end_of_a_run(snap_compare, course: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "tls_handshake_node24")

    assert snap_compare(make_app(course, start="handshake"), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_node_20_beside_node_24(snap_compare, course: Path, size: tuple[int, int]) -> None:
    """The same program on both Nodes: the ML-KEM ClientHello's bar is the long one."""

    async def run_before(pilot: Pilot) -> None:
        await show_recorded_run(pilot, "tls_handshake_node20")
        events = list(load_recording(TRACES / "tls_handshake_node24.jsonl").events)
        other = replay_tls(events)
        pilot.app.screen.query_one("#tls-view").compare_with(other.at(len(other)))  # type: ignore[attr-defined]
        await pilot.pause(0.1)

    assert snap_compare(make_app(course, start="handshake"), terminal_size=size, run_before=run_before)
