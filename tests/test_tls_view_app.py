"""The app with the TLS view, on real Node: a TLS exchange runs with fresh certificates and draws its ladder."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.trace.tls_model import replay_tls
from app.tui.widgets.tls_view import TlsView, tls_rows
from tests.test_tui_app import lesson_with_view, make_app, run_and_wait, wait_for
from tests.tls_course import write_tls_course

pytestmark = pytest.mark.timeout(120)
GROUPS = {"v20": "X25519", "v24": "X25519MLKEM768"}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_tls_course(tmp_path / "course")


async def test_a_tls_run_draws_its_handshake_ladder_and_steps_with_the_loop(course: Path) -> None:
    app = make_app(course, start="handshake")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, visualizer, view = await lesson_with_view(pilot, TlsView)
        assert visualizer.views == ("loop", "tls") and view.display  # the lesson's views = ["loop", "tls"]

        await run_and_wait(pilot, screen, "r")
        end = view.snapshot
        assert end is not None and len(end.ladders) == 1
        ladder = end.ladders[0]
        assert ladder.client_traced and ladder.server_traced and ladder.secure
        assert ladder.group == GROUPS[end.node_version.split(".")[0]]
        drawn = "\n".join(line.plain for line in tls_rows(end, 80, 40))
        assert "ClientHello" in drawn and "ServerHello…Finished" in drawn and ladder.group in drawn

        await pilot.press("2", "g")  # back to the start: no connection yet, then step until the ClientHello
        assert view.snapshot is not None and view.snapshot.ladders == ()
        while not (view.snapshot.ladders and view.snapshot.ladders[0].flight("client", 1)):
            assert visualizer.position < len(visualizer.timeline)  # type: ignore[arg-type]
            await pilot.press("right")
        assert view.snapshot.ladders[0].flight("server", 1) is None  # the server has not answered yet

        other = replay_tls(list(visualizer.timeline.events))  # type: ignore[union-attr]
        view.compare_with(other.at(len(other)))
        await pilot.pause(0.1)
        assert view.border_title == "TLS handshakes, two runs"
        view.compare_with(None)

        await pilot.press("o")  # the same exercise, traced on the other Node, beside this run
        await wait_for(pilot, lambda: view.other is not None, timeout=60)
        majors = {end.node_version.split(".")[0], view.other.node_version.split(".")[0]}  # type: ignore[union-attr]
        assert majors == {"v20", "v24"}
        groups = {ladder.group for ladder in view.other.ladders}  # type: ignore[union-attr]
        assert groups == {GROUPS[view.other.node_version.split(".")[0]]}  # type: ignore[union-attr]
        drawn = "\n".join(line.plain for line in view._rows(120, 60))
        assert "v20.20.2" in drawn and "v24.19.0" in drawn
