"""The exercise: prompt, prediction or code, run state, verdict, hints, and the solution once passed."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markdown import Markdown as RichMarkdown
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from app.check.verdict import Verdict
from app.course.model import Exercise
from app.learner.progress import ExerciseProgress
from app.tui.widgets.marks import place_tag, status_mark
from app.tui.widgets.predict_list import PredictList

PREDICT_HELP = Text.assemble(
    ("Your prediction: ", "bold"),
    (
        "↑↓ choose a line · Shift+↑↓ or K/J move it · Enter (or a click) picks it up and puts it down · c compares",
        "dim",
    ),
)
LEXERS = {".js": "javascript", ".cjs": "javascript", ".mjs": "javascript", ".c": "c", ".cc": "cpp", ".sh": "bash"}


def code_view(source: str, filename: str, highlight: int | None, dark: bool, background: str) -> Syntax:
    lexer = LEXERS.get("." + filename.rpartition(".")[2], "text")
    return Syntax(
        source,
        lexer,
        theme="ansi_dark" if dark else "ansi_light",  # ANSI colours suit any terminal palette
        line_numbers=True,
        highlight_lines={highlight} if highlight else None,
        word_wrap=True,
        background_color=background,  # the pane's own, so wrapped lines leave no blocks behind
    )


def verdict_view(verdict: Verdict, what: str) -> RenderableType:
    """The checker's answer in phase terms: the first wrong line and why, then every line with its place."""
    parts: list[RenderableType] = []
    if verdict.passed:
        parts.append(Text(f"✓ {what}: passed", style="bold green"))
    else:
        parts.append(Text(f"✗ {what}: not yet", style="bold red"))
        if verdict.violation is not None:
            parts.append(Text(verdict.violation.explanation))
    rows = Text()
    width = max((len(place_tag(m.phase, m.queue)) for m in verdict.lines if m.phase is not None), default=0)
    symbols = {"ok": ("✓", "green"), "wrong": ("✗", "bold red"), "extra": ("+", "yellow")}
    for mark in verdict.lines:
        # In a pass, lines the expectation leaves free are just shown, not flagged.
        flagged = not verdict.passed or mark.status == "ok"
        symbol, style = symbols.get(mark.status, ("·", "dim")) if flagged else ("·", "dim")
        rows.append(f"{symbol} {mark.position:>2} ", style=style)
        if mark.phase is not None:
            label = place_tag(mark.phase, mark.queue)
            label.truncate(width, pad=True)
            rows.append_text(label)
            rows.append(" ")
        rows.append(mark.text + "\n", style="bold red" if mark.status == "wrong" else "")
    if verdict.lines:
        parts.append(rows)
    for note in verdict.notes:
        parts.append(Text(note, style="dim italic"))
    return Group(*parts)


class ExercisePane(Vertical):
    HELP_GROUP = "Exercise"
    ALLOW_MAXIMIZE = True

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.exercise: Exercise | None = None
        self.source = ""
        self.highlight: int | None = None
        self.verdict: Verdict | None = None  # the one on show

    def compose(self) -> ComposeResult:
        yield Static(id="exercise-header", classes="pane-header")
        with VerticalScroll(id="exercise-body", can_focus=True):
            yield Static(id="prompt")
            yield Static(PREDICT_HELP, id="predict-help")
            yield PredictList([], id="predict")
            yield Static(id="run-state")
            yield Static(id="verdict")
            yield Static(id="hints")
            yield Static(id="code")
            yield Static(id="solution")

    def show_exercise(self, exercise: Exercise, number: str, progress: ExerciseProgress, source: str) -> None:
        self.exercise = exercise
        self.highlight = None
        self.show_header(number, progress.status, watching=False)
        prompt = RichMarkdown(exercise.prompt) if exercise.prompt else Text("")
        self.query_one("#prompt", Static).update(prompt)
        predict = self.query_one("#predict", PredictList)
        predict.display = exercise.kind == "predict"
        self.query_one("#predict-help").display = exercise.kind == "predict"
        for name in ("#run-state", "#verdict", "#solution"):
            self._set(name, "")
        self.show_hints(progress.hints_shown)
        self.show_source(source)
        self.query_one("#exercise-body", VerticalScroll).scroll_home(animate=False)  # a new exercise: its prompt

    def show_header(self, number: str, status: str, watching: bool) -> None:
        if self.exercise is None:
            return
        kind = f"  {number} · {self.exercise.kind}"
        header = Text.assemble(status_mark(status), f" {self.exercise.title}", (kind, "dim"))
        if watching:
            header.append(f"  · watching {self.exercise.entry}", style="green")
        self.query_one("#exercise-header", Static).update(header)

    def show_source(self, source: str) -> None:
        self.source = source
        self._draw_code()

    def point_at(self, line: int | None) -> None:
        """Light up a line of the program (the one that scheduled what the learner picked)."""
        self.highlight = line
        self._draw_code()
        if line:
            code = self.query_one("#code", Static)
            self.query_one("#exercise-body", VerticalScroll).scroll_to(
                y=code.virtual_region.y + max(0, line - 3), animate=False
            )

    def _draw_code(self) -> None:
        if self.exercise is None:
            return
        label = Text(f"{self.exercise.entry}", style="bold")
        if self.exercise.kind == "predict":
            label.append("  (read it; your answer is the order above)", style="dim")
        syntax = code_view(self.source, self.exercise.entry, self.highlight, *self._colours())
        self.query_one("#code", Static).update(Group(label, syntax))

    def on_mount(self) -> None:
        self.watch(self.app, "theme", lambda _: self.call_after_refresh(self._redraw_code), init=False)

    def _redraw_code(self) -> None:
        """After a theme switch the pane has its new background: draw the code and solution on it."""
        self._draw_code()
        if self.query_one("#solution", Static).display and self.exercise and self.exercise.solution:
            self.show_solution(self.exercise.solution.read_text(encoding="utf-8"))

    def _colours(self) -> tuple[bool, str]:
        return self.app.current_theme.dark, self.background_colors[1].hex

    def _set(self, selector: str, content: RenderableType) -> None:
        """Update a part of the pane; an empty part takes no room."""
        static = self.query_one(selector, Static)
        static.update(content)
        static.display = content != ""

    def show_running(self, text: str) -> None:
        self._set("#run-state", Text(text, style="bold yellow"))

    def show_ended(self, text: str, style: str = "dim") -> None:
        self._set("#run-state", Text(text, style=style))

    def show_verdict(self, verdict: Verdict | None, what: str = "") -> None:
        self.verdict = verdict
        self._set("#verdict", verdict_view(verdict, what) if verdict is not None else "")

    def scroll_to_verdict(self) -> None:
        """Bring how the run ended and the verdict's first lines to the top of the pane, once laid out."""
        body = self.query_one("#exercise-body", VerticalScroll)
        ending, verdict = self.query_one("#run-state", Static), self.query_one("#verdict", Static)
        target = ending if ending.display else verdict
        self.call_after_refresh(lambda: body.scroll_to_widget(target, top=True, animate=False))

    def show_hints(self, shown: int) -> None:
        if self.exercise is None:
            return
        hints = self.exercise.hints
        if not hints:
            self.query_one("#hints", Static).update(Text("No hints: this one is there to run and watch.", "dim"))
            return
        parts: list[RenderableType] = [
            RichMarkdown(f"**hint {number}/{len(hints)}:** {hint}") for number, hint in enumerate(hints[:shown], 1)
        ]  # hints are Markdown, like the prompt: `code` and *emphasis* show as such
        if shown < len(hints):
            parts.append(Text(f"h shows hint {shown + 1} of {len(hints)}", style="dim"))
        else:
            parts.append(Text(f"That is every hint ({len(hints)} of {len(hints)}).", style="dim"))
        self.query_one("#hints", Static).update(Group(*parts))

    def show_solution(self, source: str | None) -> None:
        if self.exercise is None or source is None:
            self._set("#solution", "")
            return
        syntax = code_view(source, self.exercise.entry, None, *self._colours())
        self._set("#solution", Group(Text("The reference solution", style="bold green"), syntax))
