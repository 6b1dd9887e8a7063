"""The app tests' small course plus two lessons on one recorded HTTP run: one opens with the wire view, one with
the agent view (tests/test_wire_view.py)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_files
from tests.tui_course import TRACES, write_tui_course

KEEPALIVE = """
title = "Two requests, one socket"
kind = "explore"
prompt = "Run it and watch the second request reuse the first one's socket; the third says Connection: close."
timeout = 10

[expect]
sequence = ["200 GET /one", "200 POST /two got hello", "200 GET /three", "server closed"]
"""


def write_http_course(root: Path) -> Path:
    """tests/tui_course.py's course with lessons `wire` (views loop, wire) and `agents` (loop, agent)."""
    write_tui_course(root)
    files = {}
    for order, (lesson, view, exercise) in enumerate((("wire", "wire", "keepalive"), ("agents", "agent", "queued")), 3):
        files[f"lessons/{lesson}/lesson.toml"] = (
            f'title = "HTTP {lesson}"\nsection = "loop"\norder = {order}\nsummary = "Bytes and sockets."\n'
            f'exercises = ["{exercise}"]\nviews = ["loop", "{view}"]\n'
        )
        files[f"lessons/{lesson}/slides.md"] = "# HTTP\n\nA request is bytes on a socket.\n"
        files[f"exercises/{exercise}/exercise.toml"] = KEEPALIVE
    write_files(root, files)
    for exercise in ("keepalive", "queued"):
        (root / f"exercises/{exercise}/starter.js").write_bytes((TRACES / "http_keepalive.js").read_bytes())
    return root
