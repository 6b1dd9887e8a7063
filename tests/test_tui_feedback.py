"""What the learner can see after acting: the verdict on screen at every size, the prompt and key lines in view."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import OptionList

from app.learner.settings import Settings, SettingsStore
from app.tui.app import LooplabApp
from app.tui.screens.help import HelpScreen
from app.tui.screens.home import HomeScreen
from app.tui.screens.lesson import LessonScreen
from app.tui.widgets.exercise_pane import ExercisePane
from app.tui.widgets.marks import PHASE_STYLES
from tests.test_tui_app import make_app, run_and_wait, text_of, wait_for
from tests.tui_course import tui_session, write_tui_course

pytestmark = pytest.mark.timeout(120)
SIZES = [(80, 24), (120, 40), (200, 60)]
LONG_TAIL = "".join(f"// a note the learner keeps, line {n}\n" for n in range(1, 91))


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return write_tui_course(tmp_path / "course")


def screen_text(app: App[object]) -> str:
    """The characters really painted on the terminal, row by row: what a learner sees, not what a widget holds."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def first_problem(screen: LessonScreen) -> str:
    """The first words of the verdict's explanation of the first wrong line."""
    verdict = screen.query_one(ExercisePane).verdict
    assert verdict is not None and verdict.violation is not None
    return " ".join(verdict.violation.explanation.split()[:3])


def visible(app: App[object], words: str, pane: str = "#exercise") -> bool:
    """`words` are painted inside the pane's borders (wrapped lines are read as one text)."""
    region = app.screen.query_one(pane).region
    rows = screen_text(app).splitlines()[region.y + 1 : region.bottom - 1]
    inside = " ".join(row[region.x + 1 : region.right - 2] for row in rows)  # the last column is the scrollbar
    return " ".join(words.split()) in " ".join(inside.split())


def lengthen_the_program(course: Path) -> None:
    """Give the learner's copy of hello-order (still in the wrong order) more lines than any pane can show."""
    session = tui_session(course)
    program = session.ensure_copy(session.course.exercises["hello-order"])
    program.write_text(program.read_text() + LONG_TAIL)


async def lesson_open(pilot: Pilot, app: LooplabApp) -> LessonScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
    return app.screen


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_after_a_check_the_first_problem_is_on_screen(course: Path, size: tuple[int, int]) -> None:
    lengthen_the_program(course)
    app = make_app(course, start="hello-order")
    async with app.run_test(size=size) as pilot:
        screen = await lesson_open(pilot, app)
        await pilot.press("3", "end")  # reading the end of the program, far below where the verdict goes
        await pilot.pause(0.2)
        await run_and_wait(pilot, screen, "c")
        await pilot.pause(0.2)
        assert visible(app, "not yet"), screen_text(app)
        assert visible(app, first_problem(screen)), screen_text(app)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_after_a_watch_recheck_the_first_problem_is_on_screen(course: Path, size: tuple[int, int]) -> None:
    lengthen_the_program(course)
    app = make_app(course, start="hello-order", watch=True)
    async with app.run_test(size=size) as pilot:
        screen = await lesson_open(pilot, app)
        await pilot.press("3", "end")  # reading the end of the program while saving it from an editor
        program = screen.session.workspace.program(screen.exercise)
        for attempt in range(10):  # the watcher may still be starting: a later save must still be seen
            done = screen.finished_runs
            program.write_text(program.read_text() + f"// save {attempt}\n")
            try:
                await wait_for(pilot, lambda: screen.finished_runs > done, 3)  # noqa: B023
                break
            except AssertionError:
                continue
        await pilot.pause(0.3)
        assert visible(app, first_problem(screen)), screen_text(app)


async def test_focusing_a_predict_exercise_keeps_its_prompt_and_key_line_in_view(course: Path) -> None:
    app = make_app(course, start="guess")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("3")
        await pilot.pause(0.2)
        assert visible(app, "In what order do these"), screen_text(app)
        assert visible(app, "Your prediction:"), screen_text(app)


async def test_the_next_exercise_starts_at_its_prompt_not_the_last_scroll_offset(course: Path) -> None:
    lengthen_the_program(course)
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lesson_open(pilot, app)
        await pilot.press("3", "end")
        await pilot.pause(0.2)
        assert screen.query_one("#exercise-body", VerticalScroll).scroll_y > 0
        await pilot.press("n")  # the predict exercise
        await pilot.pause(0.3)
        assert visible(app, "In what order do these"), screen_text(app)
        assert visible(app, "Your prediction:"), screen_text(app)


async def test_a_checked_prediction_shows_its_verdict_on_a_short_screen(course: Path) -> None:
    app = make_app(course, start="guess")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lesson_open(pilot, app)
        await pilot.press("1")  # reading the slides: the exercise pane is folded
        await run_and_wait(pilot, screen, "c")  # the shuffled starter order is wrong: a verdict, then Node's replay
        await pilot.pause(0.2)
        assert visible(app, "your prediction: not yet"), screen_text(app)
        assert visible(app, first_problem(screen)), screen_text(app)


async def test_hints_render_markdown_and_h_past_the_last_one_says_so(course: Path) -> None:
    toml = course / "exercises/hello-order/exercise.toml"
    toml.write_text(toml.read_text().replace("Print first straight away.", "Print `first` **straight** away."))
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await lesson_open(pilot, app)
        await pilot.press("h")
        shown = text_of(screen, "#hints")
        assert "hint 1/2: Print first straight away." in shown and "`" not in shown and "**" not in shown
        await pilot.press("h")
        assert not any("No more hints" in str(n.message) for n in app._notifications)
        await pilot.press("h")
        assert any("No more hints" in str(n.message) for n in app._notifications)
        assert "every hint" in text_of(screen, "#hints")


def help_rows(app: App[object]) -> dict[str, str]:
    """Help's table as {binding id: its keys}, and its group titles under the key "groups"."""
    assert isinstance(app.screen, HelpScreen)
    table = app.screen.table
    keys, ids = list(table.columns[0].cells), list(table.columns[2].cells)
    rows = {str(ident): str(key) for key, ident in zip(keys, ids, strict=True) if str(ident)}
    rows["groups"] = " | ".join(str(key) for key, ident in zip(keys, ids, strict=True) if str(key) and not str(ident))
    return rows


async def test_help_lists_every_key_of_an_action_under_readable_group_names(course: Path) -> None:
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await lesson_open(pilot, app)
        await pilot.press("1", "f1")
        rows = help_rows(app)
        assert rows["slides.next"].split(", ") == ["→", "space", "pgdn"], rows
        assert rows["slides.previous"].split(", ") == ["←", "pgup"], rows
        assert rows["app.help"].split(", ") == ["f1", "?"], rows
        assert rows["lesson.grow"].split(", ") == ["=", "+"], rows
        assert rows["groups"] == "Slides | Lesson | Everywhere", rows
        await pilot.press("escape", "escape")  # back to the course map
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("f1")
        rows = help_rows(app)
        assert rows["home.search"].split(", ") == ["/", "^f"], rows
        assert "LooplabApp" not in rows["groups"] and "Everywhere" in rows["groups"], rows


async def test_the_command_palette_finds_an_exercise_by_its_id(course: Path) -> None:
    app = make_app(course)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"forever")  # the id: its title is "A server that never stops"
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), 5)
        assert app.screen.exercise is not None and app.screen.exercise.id == "forever"


async def test_down_from_the_search_box_moves_into_the_list(course: Path) -> None:
    app = make_app(course)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"threads")
        assert app.screen.focused is app.screen.query_one("#search")
        await pilot.press("down")
        outline = app.screen.query_one("#outline", OptionList)
        assert app.screen.focused is outline
        assert outline.highlighted_option is not None and outline.highlighted_option.id == "lesson:later"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen), 5)


async def test_the_theme_chosen_is_kept_for_the_next_run(course: Path, isolated_home: Path) -> None:
    app = make_app(course)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark
    saved = json.loads((isolated_home / "settings.json").read_text())
    assert saved == {"theme": "light"}
    again = make_app(course)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not again.current_theme.dark
        await pilot.press("ctrl+t")
    assert json.loads((isolated_home / "settings.json").read_text()) == {"theme": "dark"}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{ nope", "settings.json:1: not JSON: Expecting property name enclosed in double quotes"),
        ('{"theme": "pink"}', "settings.json: theme: 'pink' is not a theme (use 'dark' or 'light')"),
        ("[1]", "settings.json: not a JSON object"),
    ],
)
async def test_a_broken_settings_file_is_one_clear_line_and_the_app_starts(
    course: Path, isolated_home: Path, content: str, says: str
) -> None:
    (isolated_home / "settings.json").parent.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.json").write_text(content)
    app = make_app(course)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.current_theme.dark and isinstance(app.screen, HomeScreen)
        warnings = [str(n.message) for n in app._notifications if "settings.json" in str(n.message)]
        assert len(warnings) == 1 and "\n" not in warnings[0], warnings
        assert says in warnings[0] and "using the default settings" in warnings[0], warnings


def test_a_named_pipe_for_settings_is_refused_not_waited_on(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    os.mkfifo(isolated_home / "settings.json")
    said: list[str] = []
    assert SettingsStore(isolated_home / "settings.json", said.append).load() == Settings()
    assert len(said) == 1 and "not a regular file" in said[0]


def contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        linear = [(c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_the_light_theme_shows_every_phase_colour_at_aa_contrast(course: Path) -> None:
    app = make_app(course)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+t")
        theme = app.current_theme
        assert not theme.dark
        palette = app.ansi_theme  # what the terminal really gets for an ANSI colour name on this theme
        backgrounds = {name: Color.parse(getattr(theme, name)) for name in ("background", "surface", "panel")}
        for phase, style in PHASE_STYLES.items():
            colour = Style.parse(style).color
            assert colour is not None and colour.number is not None, phase
            rgb = tuple(palette.ansi_colors[colour.number])
            for name, background in backgrounds.items():
                ratio = contrast(rgb, background.rgb)  # type: ignore[arg-type]
                assert ratio >= 4.5, f"{phase} ({style}, {rgb}) on the {name} {background.hex}: {ratio:.2f}:1"


async def test_a_hint_on_a_short_screen_is_shown_where_the_learner_looks(course: Path) -> None:
    app = make_app(course, start="guess")
    async with app.run_test(size=(80, 24)) as pilot:
        await lesson_open(pilot, app)
        await pilot.press("h")
        await pilot.pause(0.2)
        assert visible(app, "The nextTick queue drains before the loop starts."), screen_text(app)


async def test_a_named_pipe_in_place_of_the_program_is_refused_not_waited_on(course: Path) -> None:
    """Opening the exercise read the learner's copy with a plain read: a named pipe there froze the app."""
    session = tui_session(course)
    program = session.ensure_copy(session.course.exercises["hello-order"])
    program.unlink()
    os.mkfifo(program)
    app = make_app(course, start="hello-order")
    async with app.run_test(size=(120, 40)) as pilot:
        await lesson_open(pilot, app)
        await wait_for(pilot, lambda: any("not a regular file" in str(n.message) for n in app._notifications))
        await pilot.press("n")  # the app still answers keys
        await pilot.pause(0.2)
