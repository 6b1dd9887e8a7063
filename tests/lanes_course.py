"""The app tests' small course plus a lesson that opens with the lanes view and a ring of two workers to run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, write_files
from tests.tui_course import TRACES, write_tui_course

RING = r"""
title = "A ring of two workers"
kind = "explore"
prompt = "The main thread passes a count to each worker in turn. Run it and watch the three lanes."
timeout = 10

[expect]
sequence = [
  "worker 1 passes 1",
  "main got 1 from worker 1",
  "worker 2 passes 2",
  "main got 2 from worker 2",
  "worker 1 passes 3",
  "main got 3 from worker 1",
  "worker 2 passes 4",
  "main got 4 from worker 2",
]
"""


def write_lanes_course(root: Path, exercise: str = "ring") -> Path:
    """tests/tui_course.py's course, with a third lesson `lanes` (views loop and lanes) and its one exercise: `ring`,
    or `thread-to-thread` (the course's worker-thread-to-thread, its program as tests/traces/thread_to_thread.js)."""
    write_tui_course(root)
    write_files(
        root,
        {
            "lessons/lanes/lesson.toml": (
                'title = "Threads side by side"\nsection = "loop"\norder = 3\nsummary = "Two workers and a ring."\n'
                f'exercises = ["{exercise}"]\nviews = ["loop", "lanes"]\n'
            ),
            "lessons/lanes/slides.md": "# Lanes\n\nOne loop per thread, and the messages between them.\n",
        },
    )
    folder = root / "exercises" / exercise
    folder.mkdir(parents=True, exist_ok=True)
    if exercise == "ring":
        (folder / "exercise.toml").write_text(RING.lstrip("\n"), encoding="utf-8")
        (folder / "starter.js").write_bytes((TRACES / "lanes_workers.js").read_bytes())
    else:
        (folder / "exercise.toml").write_bytes((REPO / "exercises/worker-thread-to-thread/exercise.toml").read_bytes())
        (folder / "starter.js").write_bytes((TRACES / "thread_to_thread.js").read_bytes())
    return root
