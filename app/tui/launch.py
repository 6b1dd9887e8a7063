"""Start the app from the command line: check what the first screen needs, then hand over to Textual."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING

from app.cli.session import Session
from app.errors import LooplabError, did_you_mean
from app.paths import cache_dir, course_root

if TYPE_CHECKING:
    from app.course.model import Course


def cmd_app(session: Session) -> int:
    # Importing Textual and building the first screen make hundreds of thousands of objects, and the collector
    # kept walking them: 40-60 ms of the first frame. It is off until then (LooplabApp.on_ready turns it on).
    gc.disable()
    from app.tui.course_cache import CourseCache

    cached = CourseCache(course_root(getattr(session.args, "course", None)), cache_dir())
    target = getattr(session.args, "id", None)
    # The map's first frame needs only the course's outline; the course itself then loads from the cache
    # (LooplabApp.on_ready). Without an outline, or to open a lesson at once, the course loads here: a broken
    # course is a one-line error before the screen is taken over.
    outline = None if target else cached.outline()
    if outline is None:
        session.course = cached.course()
    else:
        session.course_source = cached.course
    if target:
        check_target(session.course, target)
    if not has_screen():
        raise LooplabError("the app needs a terminal; `looplab overview` and the other commands work without one")
    from app.tui.app import LooplabApp  # Textual is imported only when the app really starts
    from app.tui.quitting import exit_now

    app = LooplabApp(session, start=target, watch=not getattr(session.args, "no_watch", False), outline=outline)
    exit_now(app.run() or 0)


def check_target(course: Course, target: str) -> None:
    """A lesson or exercise id the app can open, or a one-line error with a suggestion."""
    known = [lesson.id for lesson in course.lessons] + list(course.exercises)
    if target not in known:
        hint = did_you_mean(target, known) or "`looplab list` shows them all"
        raise LooplabError(f"no lesson or exercise called {target!r} ({hint})")


def has_screen() -> bool:
    """A terminal, or textual-serve's web driver (`looplab serve`), which talks over pipes and says so in
    TEXTUAL_DRIVER."""
    return (sys.stdin.isatty() and sys.stdout.isatty()) or bool(os.environ.get("TEXTUAL_DRIVER"))
