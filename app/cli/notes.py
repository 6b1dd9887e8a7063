"""`looplab notes`: the speaker notes of the slide the app shows, for the instructor's own screen."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.rule import Rule
from rich.text import Text

from app.cli.session import Session
from app.course.model import Course
from app.errors import LooplabError
from app.learner.presenter import SlidePosition, position_path, read_position

WAITING = "No slide is open in looplab yet: open a lesson in the app (another terminal, same user)."


def notes_view(course: Course, position: SlidePosition) -> RenderableType:
    try:
        lesson = course.lesson(position.lesson)
    except LooplabError:
        lesson = None
    if lesson is None or position.slide >= len(lesson.slides):
        return Text(f"The app shows {position.lesson} slide {position.slide + 1}, which this course does not have.")
    slide = lesson.slides[position.slide]
    where = f"{lesson.title} · slide {slide.number}/{len(lesson.slides)}"
    if slide.steps > 1:  # the audience sees only part of it so far
        where += f" · step {min(position.step, slide.steps - 1) + 1} of {slide.steps}"
    parts: list[RenderableType] = [
        Rule(Text(where, style="bold")),
        Text(slide.title, style="bold cyan"),
        Markdown(slide.notes) if slide.notes else Text("(no speaker notes on this slide)", style="dim"),
    ]
    if position.slide + 1 < len(lesson.slides):
        parts.append(Text(f"next: {lesson.slides[position.slide + 1].title}", style="dim"))
    else:
        parts.append(Text("last slide of the lesson", style="dim"))
    return Group(*parts)


def cmd_notes(session: Session) -> int:
    course, out = session.course, session.out
    if not session.args.follow:
        position = read_position()
        if position is None:
            raise LooplabError(WAITING)
        out.print(notes_view(course, position))
        return 0

    from watchfiles import watch  # only the follower needs it

    def show() -> None:
        try:
            position = read_position()
        except LooplabError as exc:
            view: RenderableType = Text(str(exc), style="red")
        else:
            view = Text(WAITING, style="dim") if position is None else notes_view(course, position)
        if out.is_terminal:
            out.clear()
        out.print(view)

    folder = position_path().parent
    folder.mkdir(parents=True, exist_ok=True)
    show()
    try:
        for changes in watch(folder, debounce=50, step=20):
            if any(path.endswith(position_path().name) for _, path in changes):
                show()
    except KeyboardInterrupt:
        pass
    return 0
