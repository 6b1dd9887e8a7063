"""Which slide the app shows, for a speaker-notes window in another terminal (`looplab notes --follow`).

The app rewrites one small JSON file whenever a slide turns; the notes window reads it. Nothing else is shared,
so the shared screen never shows the notes, and the notes window cannot disturb the app.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

from app.errors import LooplabError, Problem
from app.learner.files import atomic_write, read_regular
from app.paths import data_dir

POSITION_FILE = "presenting.json"


@dataclass(frozen=True)
class SlidePosition:
    lesson: str
    slide: int  # counted from 0
    step: int = 0  # how many of the slide's pauses are revealed (a file from before pauses has none: 0)


def position_path() -> Path:
    return data_dir() / POSITION_FILE


def publish(lesson: str, slide: int, step: int = 0) -> None:
    """Say which slide (and step of it) is on screen; a failure here never reaches the app (the notes are optional)."""
    position = {"lesson": lesson, "slide": slide, "step": step}
    with contextlib.suppress(OSError):  # written on every slide turn: atomic, but not worth an fsync
        atomic_write(position_path(), json.dumps(position).encode(), durable=False)


def read_position() -> SlidePosition | None:
    """The slide the app last showed, or None before any lesson was opened."""
    path = position_path()
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LooplabError(Problem(f"cannot read it ({exc.strerror or exc})", file=path)) from None
    try:
        data = json.loads(raw)
        lesson, slide, step = data["lesson"], data["slide"], data.get("step", 0)
        if not isinstance(lesson, str) or not _count(slide) or not _count(step):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise LooplabError(
            Problem("not a slide position", file=path, hint="it is written again when the app turns a slide")
        ) from None
    return SlidePosition(lesson, slide, step)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
