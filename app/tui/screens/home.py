"""The course map: sections and lessons with progress marks, where to continue, and a search filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from app.learner.progress import Progress, where_to_continue
from app.tui.widgets.marks import status_mark

if TYPE_CHECKING:
    from app.course.model import Course, Lesson
    from app.tui.course_cache import CourseOutline

CONTINUE_ID = "continue"


def outline_options(course: Course | CourseOutline, progress: Progress, search: str = "") -> list[Option]:
    """One option per lesson (with its exercises' marks), under section headings; `search` filters them (only
    a full `Course` has the slides that searching reads)."""
    needle = search.strip().lower()
    options: list[Option] = []
    upcoming = where_to_continue(course, progress)
    if upcoming is not None and not needle:
        lesson = course.lesson(upcoming.lesson)
        where = f"  in {lesson.title}"
        prompt = Text.assemble(("▶ Continue  ", "bold green"), (upcoming.title, "bold"), (where, "dim"))
        options.append(Option(prompt, id=CONTINUE_ID))
    elif upcoming is None and not needle:
        done = Text("✓ Every exercise passes. Pick any lesson to run it again.", "green")
        options.append(Option(done, disabled=True))
    number = 0
    for section in course.sections:
        lessons = [lesson for lesson in course.lessons if lesson.section == section.id]
        shown = []
        for lesson in lessons:
            number += 1
            if not needle or _matches(course, lesson, needle):
                shown.append(Option(_lesson_prompt(course, progress, lesson, number), id=f"lesson:{lesson.id}"))
        if shown:
            options.append(Option(Text(section.title.upper(), style="bold"), disabled=True))
            options.extend(shown)
    if needle and len(options) == 0:
        options.append(Option(Text(f"Nothing matches {search!r}. Esc clears the search.", "dim"), disabled=True))
    return options


def _matches(course: Course, lesson: Lesson, needle: str) -> bool:
    words = [lesson.id, lesson.title, lesson.summary]
    for exercise_id in lesson.exercises:
        exercise = course.exercises.get(exercise_id)
        words += [exercise_id, exercise.title if exercise else ""]
    words += [slide.markdown for slide in lesson.slides]
    return any(needle in word.lower() for word in words)


def _lesson_prompt(course: Course | CourseOutline, progress: Progress, lesson: Lesson, number: int) -> Text:
    """`1. Title  ✓✗··  1/4 passed`, then the summary."""
    passed = sum(progress.status(e) == "passed" for e in lesson.exercises)
    total = len(lesson.exercises)
    done = total and passed == total
    text = Text.assemble((f"{number:>2}. ", "dim"), (lesson.title, "bold green" if done else "bold"), "  ")
    for exercise_id in lesson.exercises:
        text.append_text(status_mark(progress.status(exercise_id)))
    if total:
        text.append(f"  {passed}/{total} passed", style="green" if done else "dim")
    else:
        text.append("slides only", style="dim")
    text.append(f"\n    {lesson.summary}", style="italic")
    return text


class HomeScreen(Screen[None]):
    HELP_GROUP = "Course map"
    BINDINGS = [
        Binding("slash,ctrl+f", "search", "Search", id="home.search", tooltip="Filter lessons and exercises"),
        Binding("enter", "open", "Open", id="home.open", show=False, tooltip="Open the selected lesson"),
        Binding("escape", "clear_search", "Clear search", id="home.clear", show=False),
        # The list takes ↓ itself when it has focus; from the search box, ↓ goes into it.
        Binding("down", "to_list", "To the list", id="home.to_list", show=False, tooltip="From the search box"),
        Binding("q", "app.quit", "Quit", id="home.quit", show=False),
    ]

    def __init__(self, outline: CourseOutline | None = None) -> None:
        super().__init__()
        self.outline = outline  # the first frame's course, while the course itself loads; used once

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(id="home-summary")
            yield Input(placeholder="search lessons and exercises  ( / )", id="search")
            yield OptionList(id="outline")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search", Input).cursor_blink = getattr(self.app, "blink", True)
        self.query_one("#outline", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_outline()  # on the push, and again after a lesson: progress may have changed

    @property
    def course(self) -> Course:
        return self.app.session.course  # type: ignore[attr-defined]

    def refresh_outline(self) -> None:
        course, self.outline = self.outline or self.course, None
        progress = self.app.session.store.load()  # type: ignore[attr-defined]
        outline = self.query_one("#outline", OptionList)
        highlighted = outline.highlighted_option.id if outline.highlighted_option is not None else None
        outline.clear_options()
        outline.add_options(outline_options(course, progress, self.query_one("#search", Input).value))
        ids = [outline.get_option_at_index(i).id for i in range(outline.option_count)]
        if highlighted is not None and highlighted in ids:
            outline.highlighted = ids.index(highlighted)
        else:
            outline.highlighted = next((i for i, o in enumerate(ids) if o), None)
        exercises = course.exercises_in_order()
        passed = sum(progress.status(e.id) == "passed" for e in exercises)
        summary = Text.assemble(
            (course.title, "bold"),
            f"   {len(course.lessons)} lessons · {passed} of {len(exercises)} exercises passed",
        )
        self.query_one("#home-summary", Static).update(summary)

    @on(Input.Changed, "#search")
    def _filter(self) -> None:
        self.refresh_outline()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one("#outline", OptionList).focus()

    @on(OptionList.OptionSelected, "#outline")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def action_open(self) -> None:
        option = self.query_one("#outline", OptionList).highlighted_option
        if option is not None:
            self._open(option.id)

    def _open(self, option_id: str | None) -> None:
        if option_id == CONTINUE_ID:
            upcoming = where_to_continue(self.course, self.app.session.store.load())  # type: ignore[attr-defined]
            if upcoming is not None:
                self.app.open(upcoming.id)  # type: ignore[attr-defined]
        elif option_id and option_id.startswith("lesson:"):
            self.app.open(option_id.removeprefix("lesson:"))  # type: ignore[attr-defined]

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_to_list(self) -> None:
        self.query_one("#outline", OptionList).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        self.query_one("#outline", OptionList).focus()
