"""Issue 15's handout acceptance, in a real browser: every lesson's `looplab export --html` page opens in headless
Chromium without an error, fetches nothing, and shows every code block of the lesson highlighted; a recorded run's
SVG is drawn with a size; printed, no code line runs past the paper's edge.

One Chromium for all the pages, opened one after another from file:// URLs (the handout is a file people open).
What is checked is read from the page itself: its load event, the DevTools events of its errors and requests, the
DOM and the computed styles Chromium laid out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.util import ClassNotFound

from app.cli.main import main
from app.course.model import Lesson
from app.course.slides import CodeBlock
from app.handout.lesson_html import CODE_STYLE
from tests.browser import CHROMIUM, Browser, Page
from tests.test_export import TRACES, shipped_course

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

SCREEN_WIDTH = 1000  # CSS pixels: a laptop's browser window
PRINT_WIDTH = 680  # CSS pixels between the margins of an A4 page printed with handout.css (21 cm - 2 x 1.5 cm)
COLUMNS = 100  # a code line this long keeps to one line, on a 1000-pixel screen and on paper

READ_PAGE = """(() => {
  const rgb = (colour) => colour.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const light = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [light(a), light(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);  // WCAG's contrast ratio
  };
  const slides = [...document.querySelectorAll("section.slide")].map((section) => ({
    id: section.id,
    notes: section.querySelectorAll("aside.notes").length,
    blocks: [...section.querySelectorAll("div.ll-code > pre")].map((pre) => {
      const plain = getComputedStyle(pre).color;
      const background = rgb(getComputedStyle(pre.parentElement).backgroundColor);
      const tokens = [...pre.querySelectorAll("span[class]")].filter((span) => span.textContent.trim());
      const coloured = tokens.filter((span) => getComputedStyle(span).color !== plain);
      const faint = coloured
        .map((span) => [span.textContent, contrast(rgb(getComputedStyle(span).color), background)])
        .filter(([, ratio]) => ratio < 3);
      const box = pre.getBoundingClientRect();
      return {text: pre.textContent, tokens: tokens.length, coloured: coloured.length, faint,
              width: box.width, height: box.height};
    }),
  }));
  const svgs = [...document.querySelectorAll("section.run svg")].map((svg) => {
    const box = svg.getBoundingClientRect();
    return [box.width, box.height];
  });
  return {ready: document.readyState, slides, svgs,
          resources: performance.getEntriesByType("resource").map((entry) => entry.name)};
})()"""

CODE_LAYOUT = """[...document.querySelectorAll("section.slide div.ll-code > pre")].map((pre) => {
  const style = getComputedStyle(pre);
  const inside = pre.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return {cut: pre.scrollWidth > pre.clientWidth + 1, rows: Math.round(inside / parseFloat(style.lineHeight))};
})"""


def colours_something(block: CodeBlock) -> bool:
    """Whether the handout's Pygments style gives some visible token of the block a colour of its own (`node
    app.js` in sh, or `a.destroy();` in js, has only names and punctuation, which the style leaves plain)."""
    try:
        lexer = get_lexer_by_name(block.language)
    except ClassNotFound:
        return False
    style = get_style_by_name(CODE_STYLE)
    return any(value.strip() and style.style_for_token(kind)["color"] for kind, value in lexer.get_tokens(block.code))


def export(lesson: Lesson, out: Path, *extra: str) -> Path:
    assert main(["export", lesson.id, "--html", "--notes", *extra, "--out", str(out)]) == 0
    return out


async def problems_of(page: Page, lesson: Lesson, url: str, *, run: bool = False) -> list[str]:
    """Everything wrong with one opened handout page, each as a line naming the lesson and where."""
    await page.wait_for_load()
    seen: dict[str, Any] = await page.evaluate(READ_PAGE)
    found = [f"{lesson.id}: {error}" for error in page.errors]
    if seen["ready"] != "complete":
        found.append(f"{lesson.id}: document.readyState is {seen['ready']!r} after the load event")
    found += [f"{lesson.id}: requested {other}" for other in page.requests if other != url]
    found += [f"{lesson.id}: fetched {name}" for name in seen["resources"]]
    if len(seen["slides"]) != len(lesson.slides):
        return [*found, f"{lesson.id}: {len(seen['slides'])} slides on the page, {len(lesson.slides)} in the lesson"]
    for slide, shown in zip(lesson.slides, seen["slides"], strict=True):
        where = f"{lesson.id} slide {slide.number}"
        if shown["notes"] != (1 if slide.notes else 0):
            has = "has notes" if slide.notes else "has none"
            found.append(f"{where}: {shown['notes']} speaker-note boxes, the slide {has}")
        if [block["text"] for block in shown["blocks"]] != [block.code for block in slide.code]:
            found.append(f"{where}: {len(shown['blocks'])} code blocks on the page, {len(slide.code)} in the slide")
            continue
        for block, drawn in zip(slide.code, shown["blocks"], strict=True):
            at = f"{where}, the {block.language} block at line {block.line}"
            if drawn["width"] <= 0 or drawn["height"] <= 0:
                found.append(f"{at}: not drawn ({drawn['width']} x {drawn['height']})")
            if colours_something(block) and not drawn["coloured"]:
                found.append(f"{at}: no token in a colour of its own ({drawn['tokens']} tokens)")
            found += [f"{at}: {text!r} is faint, contrast {ratio:.1f}:1" for text, ratio in drawn["faint"]]
    if run and not (seen["svgs"] and all(width > 0 and height > 0 for width, height in seen["svgs"])):
        found.append(f"{lesson.id}: the recorded run's SVG is not drawn: {seen['svgs']}")
    found += await code_layout_problems(page, lesson, "on screen")
    await page.call("Emulation.setEmulatedMedia", {"media": "print"})
    await page.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": PRINT_WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    return found + await code_layout_problems(page, lesson, "printed")


async def code_layout_problems(page: Page, lesson: Lesson, how: str) -> list[str]:
    """Code lines of up to COLUMNS columns stay whole lines: no scrolling on screen, no wrapping on paper;
    longer ones may scroll on screen, and are never cut on paper."""
    found = []
    laid_out = await page.evaluate(CODE_LAYOUT)
    blocks = [(slide, block) for slide in lesson.slides for block in slide.code]
    for (slide, block), drawn in zip(blocks, laid_out, strict=True):
        at = f"{lesson.id} slide {slide.number}, the {block.language} block at line {block.line}, {how}"
        lines = block.code.rstrip("\n").split("\n")
        short = max(map(len, lines)) <= COLUMNS
        if drawn["cut"] and (short or how == "printed"):
            found.append(f"{at}: runs past the {'page' if how == 'on screen' else 'paper'}'s edge")
        elif short and drawn["rows"] != len(lines):
            found.append(f"{at}: {len(lines)} lines of at most {COLUMNS} columns take {drawn['rows']} rows")
    return found


async def test_every_lesson_handout_opens_clean_with_its_code_highlighted(tmp_path: Path) -> None:
    lessons = shipped_course().lessons
    pages = [(lesson, export(lesson, tmp_path / f"{lesson.id}.html"), False) for lesson in lessons]
    timers = next(lesson for lesson in lessons if lesson.id == "timers")
    traced = ("--run", str(TRACES / "loop_tour.jsonl"))
    pages.append((timers, export(timers, tmp_path / "timers-run.html", *traced), True))
    found: list[str] = []
    async with Browser.start() as browser:
        for lesson, path, run in pages:
            url = path.as_uri()
            page = await browser.open(url, width=SCREEN_WIDTH, height=700, network=True)
            found += await problems_of(page, lesson, url, run=run)
            await page.close()
    assert not found, f"{len(found)} problems:\n" + "\n".join(found)
