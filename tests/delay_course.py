"""The app tests' small course plus a lesson that opens with the loop and the event-loop delay view
(tests/test_delay_view.py), on the recorded blocking program."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_files
from tests.tui_course import TRACES, write_tui_course

BLOCK = """
title = "A 50 ms block among 1 ms ticks"
kind = "explore"
prompt = "Run it and find the tick that kept the loop away from poll."
timeout = 10

[expect]
sequence = ["main: a tick every 1 ms", { re = "monitorEventLoopDelay: max [0-9.]+ ms" }]
"""


def write_delay_course(root: Path) -> Path:
    """tests/tui_course.py's course with a lesson `delay` (views loop and delay) and its exercise `block`."""
    write_tui_course(root)
    write_files(
        root,
        {
            "lessons/delay/lesson.toml": (
                'title = "Event-loop delay"\nsection = "loop"\norder = 3\nsummary = "A blocked loop, measured."\n'
                'exercises = ["block"]\nviews = ["loop", "delay"]\n'
            ),
            "lessons/delay/slides.md": "# Delay\n\nWhile a callback runs, the loop cannot poll.\n",
            "exercises/block/exercise.toml": BLOCK,
        },
    )
    (root / "exercises/block/starter.js").write_bytes((TRACES / "delay_block.js").read_bytes())
    return root
