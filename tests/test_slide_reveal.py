"""`<!-- pause -->`: a slide shown in steps, on the deck, in the notes window and in the handout."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.course.load import read_course
from app.course.slides import parse_slides
from tests.conftest import tiny_course

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
    assert slide.notes == "let the room guess first"
    with pytest.raises(IndexError):
        slide.body_at(3)


def test_a_slide_without_pauses_has_one_step_its_body(tmp_path: Path) -> None:
    (slide,) = parse_slides("\n\n# A\n\nbody\n", tmp_path / "slides.md", [])
    assert slide.steps == 1 and slide.pauses == () and slide.body_at(0) == slide.body == "body\n"


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
