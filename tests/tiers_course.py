"""The app tests' small course plus a lesson that opens with the tiers view, on tests/traces/tiers_deopt.js."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_files
from tests.tui_course import TRACES, write_tui_course


def write_tiers_course(root: Path) -> Path:
    """tests/tui_course.py's course with a lesson `tiers` (views loop, tiers) and its exercise `deopt`."""
    write_tui_course(root)
    write_files(
        root,
        {
            "lessons/tiers/lesson.toml": (
                'title = "Tiers"\nsection = "loop"\norder = 3\nsummary = "Hot code climbs V8\'s tiers."\n'
                'exercises = ["deopt"]\nviews = ["loop", "tiers"]\n'
            ),
            "lessons/tiers/slides.md": "# Tiers\n\nIgnition, Sparkplug, Maglev, TurboFan.\n",
            "exercises/deopt/exercise.toml": (
                'title = "A fraction"\nkind = "explore"\nprompt = "Run it and watch scale fall."\ntimeout = 10\n\n'
                '[expect]\nsequence = ["integers true", "a fraction true", "again true"]\n'
            ),
        },
    )
    (root / "exercises/deopt/starter.js").write_bytes((TRACES / "tiers_deopt.js").read_bytes())
    return root
