"""Every slide of the shipped course, rendered in the app's real layout: no code line is cut without a sign."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Label, Static

from app.cli.session import Session
from app.course.load import load_course
from app.course.model import Lesson
from app.course.slides import CodeBlock
from app.tui.app import LooplabApp
from app.tui.widgets.slide_deck import OTHER_PANES_WIDTH, PANE_CHROME, WRAP_MARK, SlideDeck, SlideView, WrappedFence
from tests.conftest import REPO
from tests.tui_course import tui_session, write_tui_course

pytestmark = pytest.mark.timeout(300)
LESSONS = load_course(REPO).lessons
SIZES = [(80, 24), (120, 40)]


def settled(deck: SlideDeck, blocks: tuple[CodeBlock, ...]) -> bool:
    """The Markdown widget holds these code blocks, each wrapped to the width it has now."""
    fences = list(deck.query(WrappedFence))
    if [fence.code.rstrip("\n") for fence in fences] != [block.code.rstrip("\n") for block in blocks]:
        return False
    return all(fence.wrapped_at == fence.content_region.width - 2 for fence in fences)


async def show(pilot: Pilot, deck: SlideDeck, index: int, step: int | None = None) -> tuple[CodeBlock, ...]:
    """Show a slide at a step (by default whole); the code blocks on screen."""
    slide = deck.lesson.slides[index]
    step = slide.steps - 1 if step is None else step
    blocks = slide.code_at(step)
    deck.show_position(index, step)
    deck.query_one(SlideView).scroll_home(animate=False)  # as a slide turned to is; a step hidden keeps the scroll
    for _ in range(300):
        await pilot.pause()
        if settled(deck, blocks):
            await pilot.app.workers.wait_for_complete([w for w in pilot.app.workers if w.node is deck])  # a scroll
            await pilot.pause()
            if settled(deck, blocks):
                return blocks
        await asyncio.sleep(0.01)
    raise AssertionError(f"slide {index + 1} step {step + 1} never settled with its {len(blocks)} code blocks")


async def rows_seen(pilot: Pilot, view: SlideView, fences: list[WrappedFence]) -> list[dict[int, str]]:
    """For each block, the text of each of its rows, read off the screen while paging down through the slide."""
    seen: list[dict[int, str]] = [{} for _ in fences]
    if not fences:
        return seen
    y = 0
    while True:
        view.scroll_to(y=y, animate=False, immediate=True)
        await pilot.pause()
        window = view.content_region
        screen = [strip.text for strip in pilot.app.screen._compositor.render_strips()]
        for rows, fence in zip(seen, fences, strict=True):
            region = fence.region
            for row in range(max(region.y, window.y), min(region.bottom, window.bottom)):
                rows[row - region.y] = screen[row][max(region.x, window.x) : min(region.right, window.right)]
        complete = all(len(rows) == fence.region.height for rows, fence in zip(seen, fences, strict=True))
        if complete or view.scroll_y >= view.max_scroll_y:
            return seen
        y = round(view.scroll_y) + max(1, window.height - 1)


def code_lines(fence: WrappedFence, rows: dict[int, str]) -> list[str]:
    """The lines a reader gets back by joining each row that starts with the wrap mark to the one above."""
    height = fence.region.height
    assert sorted(rows) == list(range(height)), f"rows {sorted(set(range(height)) - set(rows))} never on screen"
    width = fence.wrapped_at  # the code's columns, inside the block's padding
    lines: list[str] = []
    for index in range(height):
        text = rows[index][1 : 1 + width]
        if text.startswith(WRAP_MARK) and lines:
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return [line.rstrip() for line in lines]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
async def test_every_code_line_of_every_slide_is_on_screen_or_wrapped_with_a_mark(
    lesson: Lesson, size: tuple[int, int]
) -> None:
    app = LooplabApp(Session(argparse.Namespace(node=None, course=None)), start=lesson.id, watch=False, blink=False)
    cut: list[str] = []
    async with app.run_test(size=size) as pilot:
        deck = app.screen.query_one(SlideDeck)
        view = deck.query_one(SlideView)
        for index, slide in enumerate(lesson.slides):
            for step in reversed(range(slide.steps)):  # whole first; hiding a step scrolls nothing by itself
                blocks = await show(pilot, deck, index, step)
                if view.max_scroll_y > 0:  # the pane's bottom edge, as on screen, says the slide goes on
                    bottom = deck.region.bottom - 1
                    edge = [strip.text for strip in app.screen._compositor.render_strips()][bottom]
                    edge = edge[deck.region.x : deck.region.right]
                    assert "more" in edge, f"slide {index + 1} runs on below the pane but its edge is {edge!r}"
                assert not deck.query("MarkdownH1"), f"slide {index + 1} shows its title twice"
                if step < slide.steps - 1 and len(blocks) == len(slide.code_at(step + 1)):
                    continue  # the same code blocks as the step after, already read at this width
                fences = list(deck.query(WrappedFence))
                for block, fence, rows in zip(blocks, fences, await rows_seen(pilot, view, fences), strict=True):
                    wanted = [line.rstrip() for line in block.code.rstrip("\n").split("\n")]
                    seen = code_lines(fence, rows)
                    for number, (want, got) in enumerate(zip(wanted, seen, strict=False)):
                        if want != got:
                            where = f"slides.md:{block.line + 1 + number} (slide {index + 1})"
                            cut.append(f"{where}: {want!r} shows as {got!r}")
                    if len(wanted) != len(seen):
                        cut.append(f"slides.md:{block.line} (slide {index + 1}): {len(wanted)} lines, {len(seen)} seen")
    assert not cut, f"{lesson.id} at {size[0]}x{size[1]}:\n" + "\n".join(cut)


async def test_d_skips_the_deep_dives_and_the_counter_counts_the_core_path(tmp_path: Path) -> None:
    app = LooplabApp(tui_session(write_tui_course(tmp_path / "course")), start="queues", watch=False, blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        deck = app.screen.query_one(SlideDeck)
        header = deck.query_one("#slide-header", Static)
        await pilot.press("right")
        assert deck.current == 1 and "slide 2/3" in str(header.render()) and "deep dive" in str(header.render())
        await pilot.press("d")  # on a deep dive: the core path goes on to the next core slide
        assert deck.current == 2 and "core 2/2 · Try it" in str(header.render())
        await pilot.press("left")
        assert deck.current == 0 and "core 1/2" in str(header.render())
        await pilot.press("d", "right")
        assert deck.current == 1 and "slide 2/3" in str(header.render())
        await pilot.press("d", "escape")  # the core path again, then back to the course map
        await pilot.pause()
        app.screen.query_one("#outline").focus()
        await pilot.press("enter")  # the first entry: the same lesson, opened afresh
        await pilot.pause()
        first, deck = deck, app.screen.query_one(SlideDeck)
        assert deck is not first and deck.core_only
        assert "core 1/2" in str(deck.query_one("#slide-header", Static).render())


async def test_on_a_wide_screen_the_slides_widen_for_their_code_and_leave_the_other_panes_110_columns() -> None:
    lesson = next(lesson for lesson in LESSONS if lesson.id == "timers")
    app = LooplabApp(Session(argparse.Namespace(node=None, course=None)), start=lesson.id, watch=False, blink=False)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        screen = app.screen
        slides, others = screen.query_one(SlideDeck), ("#visualizer", "#exercise")
        assert slides.outer_size.width >= slides.code_width + PANE_CHROME > 60  # 60: its share by weight alone
        assert sum(screen.query_one(other).outer_size.width for other in others) >= OTHER_PANES_WIDTH
        for index in range(len(lesson.slides)):
            await show(pilot, slides, index)
            assert not any(WRAP_MARK in str(fence.query_one(Label).content) for fence in slides.query(WrappedFence))


def test_a_code_line_wider_than_the_block_goes_on_after_the_wrap_mark() -> None:
    from textual.content import Content

    from app.tui.widgets.slide_deck import wrap_code

    wrapped = wrap_code(Content("short\n" + "x" * 8 + "0123456789abc"), 8)
    assert wrapped.plain.split("\n") == ["short", "xxxxxxxx", "↪0123456", "↪789abc"]
