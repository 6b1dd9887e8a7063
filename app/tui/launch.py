"""Start the app from the command line: load what the first screen needs, then hand over to Textual."""

from __future__ import annotations

from app.cli.session import Session


def cmd_app(session: Session) -> int:
    from app.tui.app import LooplabApp  # Textual is imported only when the app really starts

    course = session.course  # a broken course is a one-line error before the screen is taken over
    target = getattr(session.args, "id", None)
    if target and target not in course.exercises and target not in {lesson.id for lesson in course.lessons}:
        course.lesson(target)  # raises the one-line "no lesson called ..." with a suggestion
    app = LooplabApp(session, start=target, watch=not getattr(session.args, "no_watch", False))
    return app.run() or 0
