"""Rich renderings of verdicts, runs, lessons and the course map for the command line."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from app.check.verdict import Verdict
from app.course.model import Course, Exercise, Lesson
from app.learner.progress import Progress
from app.runner.certs import fixture_names
from app.runner.process import OutputLine, RunResult

STATUS_MARK = {"passed": ("✔", "green"), "failed": ("✘", "red"), "pending": ("·", "dim")}
LINE_MARK = {
    "ok": ("✔", "green"),
    "wrong": ("✘", "bold red"),
    "ignored": ("–", "dim"),
    "extra": ("+", "yellow"),
    "unchecked": ("?", "dim"),
}
CODE_THEME = "monokai"


def status_text(status: str) -> Text:
    mark, style = STATUS_MARK[status]
    return Text(f"{mark} {status}", style=style)


def course_map(course: Course, progress: Progress) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
    table.add_column("lesson / exercise")
    table.add_column("kind")
    table.add_column("status")
    for section in course.sections:
        lessons = [lesson for lesson in course.lessons if lesson.section == section.id]
        if not lessons:
            continue
        table.add_row(Text(section.title, style="bold magenta"), "", "")
        for lesson in lessons:
            # Padded, not prefixed with spaces: a title that wraps at 80 columns keeps its indent.
            title = Text(f"{lesson.title}  ", style="bold") + Text(f"({lesson.id})", style="dim")
            table.add_row(Padding(title, (0, 0, 0, 2)), "", "")
            for exercise_id in lesson.exercises:
                exercise = course.exercises[exercise_id]
                table.add_row(
                    Padding(Text(exercise.id, style="cyan"), (0, 0, 0, 4)),
                    exercise.kind,
                    status_text(progress.status(exercise.id)),
                )
    return table


def live_line(line: OutputLine) -> Text:
    """One output line as it arrives: its time since start, and stderr in red."""
    stamp = Text(f"{line.elapsed * 1000:7.0f} ms │ ", style="dim")
    if line.stream == "stderr":
        return stamp + Text(line.text, style="red")
    return stamp + Text(line.text)


def run_ending(result: RunResult) -> Text:
    style = "green" if result.exit_code == 0 and not (result.timed_out or result.truncated) else "yellow"
    note = f" after {len(result.lines)} lines; later output was not kept" if result.truncated else ""
    return Text(f"{result.describe_end()}{note} · {result.duration * 1000:.0f} ms", style=style)


def marked_lines(verdict: Verdict, title: str) -> Table:
    traced = any(mark.phase for mark in verdict.lines)
    table = Table(title=title, title_justify="left", show_header=False, box=None, pad_edge=False)
    table.add_column(justify="right", style="dim")
    table.add_column()
    table.add_column()
    if traced:
        table.add_column()  # where the line came from
    if not verdict.lines:
        table.add_row("", "", Text("(no lines)", style="dim"))
    for mark in verdict.lines:
        symbol, style = LINE_MARK[mark.status]
        row = [
            str(mark.position),
            Text(symbol, style=style),
            Text(mark.text, style="bold red" if mark.status == "wrong" else ""),
        ]
        if traced:
            row.append(Text(f"{mark.phase or '?'} · {mark.queue or '?'}", style="dim"))
        table.add_row(*row)
    return table


def verdict_summary(verdict: Verdict, heading: str) -> RenderableType:
    parts: list[RenderableType] = []
    if verdict.passed:
        parts.append(Text(f"✔ {heading}: passed", style="bold green"))
        if verdict.ordering:
            parts.append(Text(f"  matched accepted order {verdict.ordering}", style="dim"))
    else:
        parts.append(Text(f"✘ {heading}: not yet", style="bold red"))
        if verdict.violation:
            parts.append(
                Panel(
                    Text(verdict.violation.explanation),
                    title="first problem",
                    title_align="left",
                    border_style="red",
                )
            )
    checks = Table(show_header=False, box=None, pad_edge=False)
    checks.add_column()
    checks.add_column()
    for constraint in verdict.constraints:
        symbol, style = ("✔", "green") if constraint.passed else ("✘", "red")
        checks.add_row(Text(symbol, style=style), constraint.description)
    parts.append(checks)
    # Notes explain a passing order; shown before a pass they would give the answer away.
    for note in verdict.notes if verdict.passed else ():
        parts.append(Text("note: ", style="bold blue") + Text(note))
    return Group(*parts)


def lesson_view(lesson: Lesson, course: Course, progress: Progress, notes: bool) -> RenderableType:
    siblings = [other.id for other in course.lessons if other.section == lesson.section]
    place = siblings.index(lesson.id) + 1
    parts: list[RenderableType] = [
        Rule(Text(f"{lesson.title}", style="bold")),
        Text(
            f"{course.section(lesson.section).title} · lesson {place} of {len(siblings)} · {len(lesson.slides)} slides"
            + (f", {deep} of them deep dives" if (deep := sum(s.deep for s in lesson.slides)) else ""),
            style="dim",
        ),
    ]
    if lesson.summary:
        parts.append(Text(lesson.summary, style="italic"))
    for slide in lesson.slides:
        where = f"{slide.number}/{len(lesson.slides)}"
        parts.append(
            Rule(f"deep dive (the core path skips it) · {where}" if slide.deep else where, style="dim", align="right")
        )
        parts.append(Markdown(slide.markdown, code_theme=CODE_THEME))
        if notes and slide.notes:
            parts.append(Panel(Markdown(slide.notes), title="speaker notes", title_align="left", border_style="blue"))
    parts.append(Rule("exercises", style="dim"))
    table = Table(show_header=False, box=None)
    for exercise_id in lesson.exercises:
        exercise = course.exercises[exercise_id]
        table.add_row(
            Text(exercise.id, style="cyan"),
            exercise.kind,
            exercise.title,
            status_text(progress.status(exercise.id)),
        )
    parts.append(table)
    return Group(*parts)


def exercise_view(exercise: Exercise, program_text: str, program_label: str) -> RenderableType:
    lexer = "javascript"
    parts: list[RenderableType] = [
        Rule(Text(exercise.title, style="bold")),
        Text(
            f"{exercise.kind} exercise · lesson {exercise.lesson} · timeout {exercise.timeout:g} s",
            style="dim",
        ),
        Markdown(exercise.prompt),
        Panel(
            Syntax(program_text, lexer, theme=CODE_THEME, line_numbers=True, word_wrap=True),
            title=program_label,
            title_align="left",
        ),
    ]
    if fixture_names(exercise):
        parts.append(
            Text(
                "files created beside it for every run: " + ", ".join(fixture_names(exercise)),
                style="dim",
            )
        )
    return Group(*parts)
