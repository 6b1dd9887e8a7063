"""Split a lesson's slides.md into slides and pull out the speaker notes the slides don't show."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import Problem

SLIDE_BREAK = "<!-- end_slide -->"
_NOTE_ONE_LINE = re.compile(r"^\s*<!--\s*speaker_note:(.*?)-->\s*$")
_NOTE_OPEN = re.compile(r"^\s*<!--\s*speaker_note:(.*)$")
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([^\s`]*)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Slide:
    number: int  # 1-based
    markdown: str  # what the audience sees
    notes: str  # speaker notes, never shown on the slide
    line: int  # where the slide starts in slides.md

    @property
    def title(self) -> str:
        for line in self.markdown.splitlines():
            match = _HEADING.match(line)
            if match:
                return match.group(1)
        return f"Slide {self.number}"


def parse_slides(text: str, path: Path, problems: list[Problem]) -> tuple[Slide, ...]:
    """Slides separated by a line `<!-- end_slide -->`; notes in `<!-- speaker_note: ... -->` comments."""
    slides: list[Slide] = []
    body: list[str] = []
    notes: list[str] = []
    start = 1
    fence: tuple[str, int] | None = None  # the open fence marker and its line
    note_open: int | None = None  # the line of an unterminated speaker note

    def close_slide() -> None:
        markdown = "\n".join(body).strip("\n")
        if not markdown.strip():
            problems.append(
                Problem(
                    "empty slide",
                    file=path,
                    line=start,
                    hint=f"remove the extra {SLIDE_BREAK!r} or give the slide content",
                )
            )
        slides.append(Slide(len(slides) + 1, markdown + "\n", "\n".join(notes).strip(), start))

    for number, line in enumerate(text.splitlines(), start=1):
        if note_open is not None:
            head, sep, _ = line.partition("-->")
            notes.append(head)
            if sep:
                note_open = None
            continue
        fence_match = _FENCE.match(line)
        if fence is not None:
            body.append(line)
            if fence_match and fence_match.group(1).startswith(fence[0][0]) and not fence_match.group(2):
                fence = None
            continue
        if fence_match:
            fence = (fence_match.group(1), number)
            _check_language(fence_match.group(2), path, number, problems)
            body.append(line)
            continue
        if line.strip() == SLIDE_BREAK:
            close_slide()
            body, notes, start = [], [], number + 1
            continue
        one_line = _NOTE_ONE_LINE.match(line)
        if one_line:
            notes.append(one_line.group(1).strip())
            continue
        opened = _NOTE_OPEN.match(line)
        if opened:
            notes.append(opened.group(1))
            note_open = number
            continue
        body.append(line)

    if fence is not None:
        problems.append(Problem(f"code block opened with {fence[0]} is never closed", file=path, line=fence[1]))
    if note_open is not None:
        problems.append(Problem("speaker note is never closed with -->", file=path, line=note_open))
    if body and any(line.strip() for line in body) or notes or not slides:
        close_slide()
    return tuple(slides)


def _check_language(language: str, path: Path, line: int, problems: list[Problem]) -> None:
    if not language:
        problems.append(
            Problem(
                "code block has no language",
                file=path,
                line=line,
                hint="write ```js, ```c, ```sh or ```text so it can be highlighted",
            )
        )
        return
    if not _known_language(language):
        problems.append(
            Problem(
                f"unknown code language {language!r}",
                file=path,
                line=line,
                hint="use a Pygments name such as js, c, cpp, sh, console, json or text",
            )
        )


@functools.cache
def _pygments_aliases() -> frozenset[str]:
    from pygments.lexers._mapping import LEXERS

    return frozenset(alias for _, _, aliases, _, _ in LEXERS.values() for alias in aliases)


def _known_language(language: str) -> bool:
    """Pygments knows the name: looked up in its alias table, so loading a course imports no lexer (~0.1 s)."""
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound

    if language.lower() in _pygments_aliases():
        return True
    try:  # a lexer from a Pygments plugin is not in the table
        find_lexer_class_by_name(language)
    except ClassNotFound:
        return False
    return True
