"""What an exercise needs besides Node (`requires` in exercise.toml), and the one line that skips it when absent."""

from __future__ import annotations

from app.course.model import Exercise
from app.nodejs.locate import NodeBinary
from app.trace.addon import find_compiler, node_headers

NO_COMPILER = "no C compiler found (install gcc or clang); skipped"


def missing_requirement(exercise: Exercise) -> str | None:
    """Why this exercise cannot run on this machine, in one line; None when it can."""
    if "cc" in exercise.requires and find_compiler() is None:  # the compiler the tracer's add-on uses too
        return NO_COMPILER
    return None


def requirement_env(exercise: Exercise, node: NodeBinary) -> dict[str, str]:
    """Where a program that compiles an add-on finds the compiler and the headers: where looplab found them."""
    if "cc" not in exercise.requires:
        return {}
    env = {}
    compiler, headers = find_compiler(), node_headers(node)  # headers: this Node's, else the bundled Node's
    if compiler is not None:
        env["LOOPLAB_CC"] = compiler
    if headers is not None:
        env["LOOPLAB_NODE_HEADERS"] = str(headers)
    return env
