"""What an exercise needs besides Node (`requires` in exercise.toml), and the one line that skips it when absent."""

from __future__ import annotations

from app.course.model import Exercise
from app.trace.addon import find_compiler

NO_COMPILER = "no C compiler found (install gcc or clang); skipped"


def missing_requirement(exercise: Exercise) -> str | None:
    """Why this exercise cannot run on this machine, in one line; None when it can."""
    if "cc" in exercise.requires and find_compiler() is None:  # the compiler the tracer's add-on uses too
        return NO_COMPILER
    return None
