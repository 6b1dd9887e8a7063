"""A lesson as one self-contained HTML page: its slides in order, code highlighted by Pygments, notes if asked."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from app.course.model import Course, Lesson
from app.course.slides import CodeBlock, Slide

CODE_CLASS = "ll-code"  # the wrapper of every highlighted block; its token spans carry the "ll-" prefix
CODE_STYLE = "default"  # a light Pygments style: handouts are printed
AFTER_PAUSE = "after-pause"  # the class of the first block a <!-- pause --> reveals: a faint dashed rule above it
_CSS = Path(__file__).with_name("handout.css")


def lesson_html(lesson: Lesson, course: Course, *, notes: bool = False, run_figure: str = "") -> str:
    """The whole page; `run_figure` is a recorded run's section (run_svg.run_section), placed after the slides."""
    section = course.section(lesson.section).title
    deep = sum(slide.deep for slide in lesson.slides)
    where = f"{course.title} · {section} · {len(lesson.slides)} slides" + (
        f", {deep} deep dive{'s' if deep > 1 else ''}" if deep else ""
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(lesson.title)}</title>",
        f"<style>\n{_CSS.read_text(encoding='utf-8')}\n{_pygments_css()}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        '<header class="lesson">',
        f"<h1>{escape(lesson.title)}</h1>",
        f'<p class="where">{escape(where)}</p>',
    ]
    if lesson.summary:
        parts.append(f'<p class="summary">{escape(lesson.summary)}</p>')
    parts.append("</header>")
    parts += [slide_html(slide, len(lesson.slides), notes=notes) for slide in lesson.slides]
    if run_figure:
        parts.append(run_figure)
    if lesson.exercises:
        items = "".join(f"<li><code>{escape(e)}</code>{_exercise_title(course, e)}</li>" for e in lesson.exercises)
        parts.append(
            f'<section class="exercises"><h2>Exercises</h2><p>Run them with <code>looplab open ID</code>.</p>'
            f"<ul>{items}</ul></section>"
        )
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _exercise_title(course: Course, exercise_id: str) -> str:
    exercise = course.exercises.get(exercise_id)
    return f" ({escape(exercise.kind)}): {escape(exercise.title)}" if exercise else ""


def slide_html(slide: Slide, total: int, *, notes: bool = False) -> str:
    kind = "slide deep" if slide.deep else "slide"
    body = _markdown().render(slide.markdown, {"code": list(slide.code), "pauses": slide.pauses})
    html = [
        f'<section class="{kind}" id="slide-{slide.number}" data-title="{escape(slide.title)}">',
        f'<p class="slide-number">{slide.number}/{total}</p>',
        body,
    ]
    if notes and slide.notes:
        html.append(
            f'<aside class="notes"><h2>Speaker notes</h2>\n{_markdown().render(slide.notes, {"code": []})}</aside>'
        )
    html.append("</section>")
    return "\n".join(html)


@functools.cache
def _markdown() -> MarkdownIt:
    # Raw HTML in a slide is shown as text: the page loads nothing an author did not write as Markdown.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.add_render_rule("fence", _render_fence)
    md.core.ruler.push("pauses", _mark_pauses)
    return md


def _mark_pauses(state: StateCore) -> None:
    """The handout shows the whole slide; the block that starts right after each pause gets AFTER_PAUSE.

    A pause inside a paragraph (no block starts there) leaves no mark.
    """
    lines = state.src.split("\n")
    for shown in state.env.get("pauses", ()):
        start = next((i for i in range(shown, len(lines)) if lines[i].strip()), None)
        block = next((t for t in state.tokens if t.map and t.nesting >= 0 and t.map[0] == start), None)
        if block is not None:
            block.attrJoin("class", AFTER_PAUSE)


def _render_fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """A fenced block, highlighted; the slide's CodeBlocks come in the same order, with `fragment` and `needs=`."""
    token = tokens[idx]
    language = token.info.split()[0] if token.info.strip() else ""
    waiting: list[CodeBlock] = env.get("code", [])
    block = waiting.pop(0) if waiting and waiting[0].language == language else None
    return code_html(token.content, language, block, after_pause=AFTER_PAUSE in (token.attrGet("class") or ""))


def code_html(code: str, language: str, block: CodeBlock | None = None, *, after_pause: bool = False) -> str:
    labels = [escape(language or "text")]
    if block is not None and block.fragment:
        labels.append('<span class="fragment">fragment: an excerpt, not meant to run alone</span>')
    if block is not None and block.exit_code:
        labels.append(f"exits with code {block.exit_code}")
    kind = "code fragment" if block is not None and block.fragment else "code"
    kind += f" {AFTER_PAUSE}" if after_pause else ""
    highlighted = highlight(code, _lexer(language), _formatter())
    return f'<figure class="{kind}"><figcaption>{" · ".join(labels)}</figcaption>\n{highlighted}</figure>\n'


def _lexer(language: str) -> Lexer:
    # Pygments would drop the block's leading and trailing blank lines; the handout keeps the code as written.
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=True)


@functools.cache
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(style=CODE_STYLE, cssclass=CODE_CLASS, classprefix="ll-")


def _pygments_css() -> str:
    return _formatter().get_style_defs(f".{CODE_CLASS}")
