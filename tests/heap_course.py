"""The app tests' small course plus a lesson that opens with the loop and heap views (tests/test_heap_view.py): the
recorded program tests/traces/heap_gc.js, and one that asks for a GC with --expose-gc."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_files
from tests.tui_course import TRACES, write_tui_course

FORCED = """\
let kept = [];
for (let i = 0; i < 50000; i++) kept.push({ i });
setTimeout(() => {
  kept = null;
  gc();
  console.log('collected');
}, 1);
"""


def write_heap_course(root: Path) -> Path:
    """tests/tui_course.py's course with a lesson `heap` (views loop, heap): exercises churn (heap_gc.js) and
    forced (gc() under node_args --expose-gc)."""
    write_tui_course(root)
    exercise = 'title = "{0}"\nkind = "explore"\nprompt = "Run it and watch the heap."\ntimeout = 10\n{1}\n'
    files = {
        "lessons/heap/lesson.toml": (
            'title = "Heap"\nsection = "loop"\norder = 3\nsummary = "Spaces filling, collections emptying them."\n'
            'exercises = ["churn", "forced"]\nviews = ["loop", "heap"]\n'
        ),
        "lessons/heap/slides.md": "# Heap\n\nV8 collects garbage in pauses.\n",
        "exercises/churn/exercise.toml": exercise.format(
            "churn", '\n[expect]\nsequence = ["main: garbage true", "timer: kept 200000", "immediate: churned 4"]'
        ),
        "exercises/forced/exercise.toml": exercise.format(
            "forced", 'node_args = ["--expose-gc"]\n\n[expect]\nsequence = ["collected"]'
        ),
        "exercises/forced/starter.js": FORCED,
    }
    write_files(root, files)
    (root / "exercises/churn/starter.js").write_bytes((TRACES / "heap_gc.js").read_bytes())
    return root
