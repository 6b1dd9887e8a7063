"""The app tests' small course plus a lesson that opens with the thread-pool view and a starvation exercise."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_files
from tests.tui_course import TRACES, write_tui_course

STARVE = """
title = "One thread, three jobs"
kind = "explore"
prompt = "The pool has one thread. Run it and watch the file read wait behind pbkdf2."
timeout = 10

[expect]
sequence = ["main: all three queued", "pbkdf2 done", "lookup done", "readFile done"]
"""


def write_pool_course(root: Path) -> Path:
    """tests/tui_course.py's course, with a third lesson `pool` (views loop and pool) and its exercise `starve`."""
    write_tui_course(root)
    write_files(
        root,
        {
            "lessons/pool/lesson.toml": (
                'title = "The thread pool"\nsection = "loop"\norder = 3\nsummary = "Jobs waiting for a thread."\n'
                'exercises = ["starve"]\nviews = ["loop", "pool"]\n'
            ),
            "lessons/pool/slides.md": "# The pool\n\nFour threads, unless UV_THREADPOOL_SIZE says otherwise.\n",
            "exercises/starve/exercise.toml": STARVE,
        },
    )
    (root / "exercises/starve/starter.js").write_bytes((TRACES / "pool_starvation.js").read_bytes())
    return root
