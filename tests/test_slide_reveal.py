"""`<!-- pause -->`: a slide shown in steps, on the deck, in the notes window and in the handout."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console, RenderableType
from textual.widgets import Markdown, Static

from app.cli.main import main
from app.cli.notes import notes_view
from app.course.load import load_course, read_course
from app.course.slides import parse_slides
from app.errors import LooplabError
from app.handout.lesson_html import AFTER_PAUSE, slide_html
from app.learner.presenter import SlidePosition, publish, read_position
from app.tui.app import LooplabApp
from app.tui.widgets import slide_deck
from app.tui.widgets.slide_deck import SlideDeck, SlideView
from tests.conftest import tiny_course
from tests.tui_course import tui_session, write_tui_course

STEPPED = """# What prints?

```js
setTimeout(() => console.log('timeout'), 0);
process.nextTick(() => console.log('tick'));
```
<!-- speaker_note: let the room guess first -->
<!-- pause -->

It prints `tick`, then `timeout`.
<!-- pause -->
- the nextTick queue drains first
- the timers phase comes later
"""


def test_pauses_split_a_slide_into_steps_and_the_last_step_is_the_whole_slide(tmp_path: Path) -> None:
    problems: list = []
    (slide,) = parse_slides(STEPPED, tmp_path / "slides.md", problems)
    assert problems == []
    assert slide.steps == 3
    first, second, last = (slide.body_at(step) for step in range(3))
    assert first.startswith("```js") and first.rstrip().endswith("```") and "prints" not in first
    assert second.startswith(first.rstrip("\n")) and second.rstrip().endswith("then `timeout`.")
    assert "nextTick queue" not in second
    assert last == slide.body and "timers phase" in last
    assert "pause" not in slide.markdown and "# What prints?" in slide.markdown  # the whole slide, markers dropped
    assert [block.code.splitlines()[0] for block in slide.code] == ["setTimeout(() => console.log('timeout'), 0);"]
    assert slide.pause_lines == (8, 11) and [len(slide.code_at(step)) for step in range(3)] == [1, 1, 1]
    assert slide.notes == "let the room guess first"
    with pytest.raises(IndexError):
        slide.body_at(3)


def test_a_slide_without_pauses_has_one_step_its_body(tmp_path: Path) -> None:
    (slide,) = parse_slides("\n\n# A\n\nbody\n", tmp_path / "slides.md", [])
    assert slide.steps == 1 and slide.pauses == () and slide.body_at(0) == slide.body == "body\n"


def test_a_code_block_after_a_pause_is_shown_from_that_step_on(tmp_path: Path) -> None:
    (slide,) = parse_slides("# A\nx\n<!-- pause -->\n```sh\nls\n```\n", tmp_path / "slides.md", [])
    assert slide.code_at(0) == () and slide.code_at(1) == slide.code and len(slide.code) == 1


def test_blank_lines_above_the_title_do_not_shift_the_steps(tmp_path: Path) -> None:
    (slide,) = parse_slides("\n\n# A\none\n<!-- pause -->\ntwo\n", tmp_path / "slides.md", [])
    assert [slide.body_at(step) for step in range(slide.steps)] == ["one\n", "one\ntwo\n"]


def test_a_pause_inside_a_code_block_is_code(tmp_path: Path) -> None:
    problems: list = []
    (slide,) = parse_slides("# A\n```html\n<!-- pause -->\n```\n", tmp_path / "slides.md", problems)
    assert problems == [] and slide.steps == 1 and slide.code[0].code == "<!-- pause -->\n"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("# A\n<!-- pause -->\nx\n", "nothing before this <!-- pause --> but the title", 2),
        ("<!-- pause -->\nx\n", "nothing before this <!-- pause --> but the title", 1),
        ("# A\nx\n<!-- pause -->\n\n<!-- speaker_note: n -->\n", "nothing after this <!-- pause -->", 3),
        ("# A\nx\n<!-- pause -->\n<!-- end_slide -->\n# B\n", "nothing after this <!-- pause -->", 3),
        ("# A\nx\n<!-- pause -->\n\n<!-- pause -->\ny\n", "nothing between this <!-- pause --> and the one on", 5),
        ("# A\nx\n<!--pause-->\ny\n", "unknown slide marker '<!--pause-->'", 3),
    ],
)
def test_a_pause_that_would_show_an_empty_step_is_located(tmp_path: Path, text: str, message: str, line: int) -> None:
    problems: list = []
    parse_slides(text, tmp_path / "slides.md", problems)
    assert len(problems) == 1 and problems[0].message.startswith(message) and problems[0].line == line
    assert problems[0].hint  # what to do about it


def test_a_misspelt_pause_is_refused_with_the_right_spelling(tmp_path: Path) -> None:
    problems: list = []
    parse_slides("# A\nx\n<!-- pause: here -->\ny\n", tmp_path / "slides.md", problems)
    assert [p.hint for p in problems] == ["a pause is the line <!-- pause --> alone"]


def test_lesson_loading_reports_a_bad_pause_with_file_and_line(tmp_path: Path) -> None:
    root = tiny_course(tmp_path, {"lessons/intro/slides.md": "# Hello\n\nsay hello\n<!-- pause -->\n"})
    _, problems = read_course(root)
    assert [str(p) for p in problems] == [
        f"{root / 'lessons/intro/slides.md'}:4: nothing after this <!-- pause -->: the last step would reveal "
        "nothing (remove it, or put the part to reveal after it)"
    ]


DECK_SLIDES = """# Loops and queues

PART-ONE
<!-- pause -->
PART-TWO
<!-- pause -->
PART-THREE
<!-- speaker_note: reveal the queues one by one -->
<!-- end_slide -->
# Native code
<!-- deep_dive -->

DEEP-PART
<!-- end_slide -->
# Try it

QUESTION
<!-- pause -->
ANSWER
"""


def stepped_course(root: Path) -> Path:
    write_tui_course(root)
    (root / "lessons/queues/slides.md").write_text(DECK_SLIDES)
    return root


def where(deck: SlideDeck) -> tuple[int, int, str, str]:
    """The slide and step shown, the header, and the Markdown the pane holds."""
    header = str(deck.query_one("#slide-header", Static).render())
    return deck.current, deck.step, header, deck.query_one("#slide", Markdown).source


async def test_next_reveals_each_step_then_turns_and_previous_comes_back_fully_revealed(tmp_path: Path) -> None:
    app = LooplabApp(tui_session(stepped_course(tmp_path / "course")), start="queues", watch=False, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        deck = app.screen.query_one(SlideDeck)
        slide, step, header, shown = where(deck)
        assert (slide, step) == (0, 0) and "slide 1/3 · step 1/3 · Loops and queues" in header
        assert "PART-ONE" in shown and "PART-TWO" not in shown
        assert read_position() == SlidePosition("queues", 0, 0)
        await pilot.press("right")
        slide, step, header, shown = where(deck)
        assert (slide, step) == (0, 1) and "step 2/3" in header and "PART-TWO" in shown and "PART-THREE" not in shown
        assert read_position() == SlidePosition("queues", 0, 1)
        await pilot.press("space")
        assert where(deck)[:2] == (0, 2) and "PART-THREE" in where(deck)[3]
        await pilot.press("right")  # every step shown: on to the next slide, which has none
        slide, step, header, shown = where(deck)
        assert (slide, step) == (1, 0) and "step" not in header and "slide 2/3" in header and "DEEP-PART" in shown
        await pilot.press("right")
        slide, step, header, shown = where(deck)
        assert (slide, step) == (2, 0) and "step 1/2" in header and "QUESTION" in shown and "ANSWER" not in shown
        await pilot.press("right", "right")  # the last step of the last slide stays
        assert where(deck)[:2] == (2, 1) and "ANSWER" in where(deck)[3]
        assert read_position() == SlidePosition("queues", 2, 1)
        await pilot.press("left")  # hides the last step
        assert where(deck)[:2] == (2, 0) and "ANSWER" not in where(deck)[3]
        await pilot.press("left", "left")  # back past the deep dive: the first slide, every step revealed
        slide, step, header, shown = where(deck)
        assert (slide, step) == (0, 2) and "step 3/3" in header and "PART-THREE" in shown
        assert read_position() == SlidePosition("queues", 0, 2)
        await pilot.press("end")
        assert where(deck)[:2] == (2, 1)
        await pilot.press("home")
        assert where(deck)[:2] == (0, 0)
        await pilot.press("g", "3", "enter")  # a jump lands on the slide's first step
        await pilot.pause()
        assert where(deck)[:2] == (2, 0)
        await pilot.press("d")  # the core path: slide 3 is the core path's second
        assert where(deck)[:2] == (2, 0) and "core 2/2 · step 1/2" in where(deck)[2]
        await pilot.press("left")  # the deep dive is skipped; the first slide comes back whole
        assert where(deck)[:2] == (0, 2)


async def test_show_position_clamps_and_publishes_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = LooplabApp(tui_session(stepped_course(tmp_path / "course")), start="queues", watch=False, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        deck = app.screen.query_one(SlideDeck)
        published: list[tuple[str, int, int]] = []
        monkeypatch.setattr(slide_deck, "publish", lambda *position: published.append(position))
        deck.show_position(2, 9)  # another slide, a step past its last
        await pilot.pause()
        assert where(deck)[:2] == (2, 1) and "ANSWER" in where(deck)[3] and published == [("queues", 2, 1)]
        deck.show_position(2, 0)  # the same slide, another step
        assert where(deck)[:2] == (2, 0) and published[1:] == [("queues", 2, 0)]
        deck.show_position(2, 0)  # where it already is: nothing to say
        deck.show_position(-4, -1)
        assert where(deck)[:2] == (0, 0) and published[2:] == [("queues", 0, 0)]
        deck.show_position(99, 1)
        await pilot.pause()
        assert where(deck)[:2] == (2, 1) and "step 2/2" in where(deck)[2] and published[3:] == [("queues", 2, 1)]
        deck.current = 0  # set directly, from step 2 of a slide of 2 steps: still a step of this slide
        assert deck.step == 1 and "PART-TWO" in where(deck)[3] and "PART-THREE" not in where(deck)[3]
        deck.step = 7  # past the last step: the last
        assert deck.step == 2 and "PART-THREE" in where(deck)[3]


async def test_a_deep_dive_shown_off_the_core_path_pages_on_to_its_neighbours(tmp_path: Path) -> None:
    app = LooplabApp(tui_session(stepped_course(tmp_path / "course")), start="queues", watch=False, blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        deck = app.screen.query_one(SlideDeck)
        await pilot.press("d")  # the core path only; then the presenter's screen shows the deep dive
        deck.show_position(1, 0)
        assert where(deck)[:2] == (1, 0) and "deep dive" in where(deck)[2]
        await pilot.press("right")
        assert where(deck)[:2] == (2, 0)
        deck.show_position(1, 0)
        await pilot.press("left")
        assert where(deck)[:2] == (0, 2)


def test_the_notes_window_says_which_step_is_shown(tmp_path: Path) -> None:
    course = load_course(stepped_course(tmp_path / "course"))
    publish("queues", 0, 1)
    position = read_position()
    assert position == SlidePosition("queues", 0, 1)
    out = render_plain(notes_view(course, position))
    assert "slide 1/3 · step 2 of 3" in out and "reveal the queues one by one" in out
    assert "step" not in render_plain(notes_view(course, SlidePosition("queues", 1, 0)))  # a slide without pauses


def test_a_position_file_from_before_steps_reads_as_the_first_step(tmp_path: Path, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "presenting.json").write_text('{"lesson": "queues", "slide": 2}')
    assert read_position() == SlidePosition("queues", 2, 0)
    course = load_course(stepped_course(tmp_path / "course"))
    assert "slide 3/3 · step 1 of 2" in render_plain(notes_view(course, SlidePosition("queues", 2, 0)))


@pytest.mark.parametrize("step", ['"two"', "-1", "true", "null"])
def test_a_damaged_step_is_one_line_naming_the_file(isolated_home: Path, step: str) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "presenting.json").write_text(f'{{"lesson": "queues", "slide": 0, "step": {step}}}')
    with pytest.raises(LooplabError) as caught:
        read_position()
    assert "\n" not in str(caught.value) and "presenting.json: not a slide position" in str(caught.value)


def render_plain(view: RenderableType) -> str:
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(view)
    return console.export_text()


def test_the_handout_shows_the_whole_slide_with_a_faint_rule_where_it_paused(tmp_path: Path) -> None:
    text = STEPPED + "<!-- end_slide -->\n# B\n\nmid\n<!-- pause -->\nparagraph\n<!-- pause -->\n```sh\nls\n```\n"
    first, second = parse_slides(text, tmp_path / "slides.md", [])
    html = slide_html(first, 2)
    assert "pause --" not in html and "It prints" in html and "timers phase" in html
    assert f'<p class="{AFTER_PAUSE}">It prints' in html and f'<ul class="{AFTER_PAUSE}">' in html
    assert html.count(AFTER_PAUSE) == 2
    html = slide_html(second, 2)  # a pause inside a paragraph has no block to mark; one before a code block has
    assert "<p>mid\nparagraph</p>" in html and f'<figure class="code {AFTER_PAUSE}">' in html
    assert html.count(AFTER_PAUSE) == 1


def test_looplab_show_prints_whole_slides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    course = stepped_course(tmp_path / "course")
    assert main(["show", "queues", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert all(part in out for part in ("PART-ONE", "PART-TWO", "PART-THREE", "QUESTION", "ANSWER"))
    assert "pause" not in out


async def test_a_step_revealed_below_a_tall_slide_is_scrolled_into_view(tmp_path: Path) -> None:
    course = write_tui_course(tmp_path / "course")
    rows = "\n".join(f"row {n}" for n in range(40))
    (course / "lessons/later/slides.md").write_text(f"# Tall\n\n```text\n{rows}\n```\n<!-- pause -->\nTHE-ANSWER\n")
    app = LooplabApp(tui_session(course), start="later", watch=False, blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        deck = app.screen.query_one(SlideDeck)
        view = deck.query_one(SlideView)
        await pilot.pause()
        assert view.scroll_y == 0 and view.max_scroll_y > 0
        await pilot.press("right")
        for _ in range(100):
            await pilot.pause()
            if view.scroll_y and view.scroll_y == view.max_scroll_y:
                break
        assert "THE-ANSWER" in where(deck)[3] and 0 < view.scroll_y == view.max_scroll_y
