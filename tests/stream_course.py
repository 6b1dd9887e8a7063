"""The app tests' small course plus a lesson that opens with the streams view, on the recorded stream programs
(tests/test_stream_view.py)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_files
from tests.tui_course import TRACES, write_tui_course

EXERCISES = {
    "pipe": ("stream_pipe.js", ["source ended", "sink finished"]),
    "drain": ("stream_drain.js", ["finished"]),
}


def write_stream_course(root: Path) -> Path:
    """tests/tui_course.py's course with a lesson `streams` (views loop, streams): exercises pipe and drain."""
    write_tui_course(root)
    files = {
        "lessons/streams/lesson.toml": (
            'title = "Streams"\nsection = "loop"\norder = 3\nsummary = "A buffer you can watch fill."\n'
            'exercises = ["pipe", "drain"]\nviews = ["loop", "streams"]\n'
        ),
        "lessons/streams/slides.md": "# Streams\n\nA stream buffers up to its highWaterMark.\n",
    }
    for exercise, (_program, lines) in EXERCISES.items():
        quoted = ", ".join(f'"{line}"' for line in lines)
        files[f"exercises/{exercise}/exercise.toml"] = (
            f'title = "{exercise}"\nkind = "explore"\nprompt = "Run it and watch the buffers."\ntimeout = 10\n\n'
            f"[expect]\nsequence = [{quoted}]\n"
        )
    write_files(root, files)
    for exercise, (program, _lines) in EXERCISES.items():
        (root / f"exercises/{exercise}/starter.js").write_bytes((TRACES / program).read_bytes())
    return root
