"""Split a lesson's slides.md into slides, pull out the speaker notes, and read the slide and code-block markers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import Problem, did_you_mean

SLIDE_BREAK = "<!-- end_slide -->"
DEEP_DIVE = "<!-- deep_dive -->"
PAUSE = "<!-- pause -->"  # alone on a line: the slide is shown in steps, one more part per press of next
SNIPPETS_FOLDER = "_snippets"  # lessons/_snippets/NAME.js: helpers a code block names with `needs=NAME`
JS_LANGUAGES = ("js", "javascript", "mjs", "cjs")
_NOTE_ONE_LINE = re.compile(r"^\s*<!--\s*speaker_note:(.*?)-->\s*$")
_NOTE_OPEN = re.compile(r"^\s*<!--\s*speaker_note:(.*)$")
# A comment that looks like a marker (one word, maybe with a colon or a value): checked, never silently ignored.
_MARKER_LIKE = re.compile(r"^\s*<!--\s*([A-Za-z][\w-]*)\s*(?::.*|[=\w\s-]*)?-->\s*$")
_KNOWN_MARKERS = ("end_slide", "deep_dive", "speaker_note", "pause")
_FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([^\s`]*)(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_SNIPPET_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class CodeBlock:
    """A fenced block of a slide; a JavaScript one runs as it stands unless it is marked a fragment."""

    language: str
    code: str
    line: int  # the line of its opening fence in slides.md
    fragment: bool = False  # an excerpt: not meant to run on its own
    needs: tuple[Path, ...] = ()  # shared snippets run before it (lessons/_snippets/NAME.js)
    exit_code: int = 0  # what it exits with when it runs as it should
    live: bool = False  # marked `run`: a live demo, run under the tracer from the lesson screen (R)

    @property
    def runnable(self) -> bool:
        return self.language in JS_LANGUAGES and not self.fragment


@dataclass(frozen=True)
class Slide:
    number: int  # 1-based
    markdown: str  # what the audience sees
    notes: str  # speaker notes, never shown on the slide
    line: int  # where the slide starts in slides.md
    deep: bool = False  # a deep dive: the core path skips it
    code: tuple[CodeBlock, ...] = ()
    pauses: tuple[int, ...] = ()  # for each <!-- pause -->, how many lines of `markdown` come before it
    pause_lines: tuple[int, ...] = ()  # and its line in slides.md

    @property
    def steps(self) -> int:
        """How many presses of next reveal the whole slide: one more than its pauses."""
        return len(self.pauses) + 1

    @property
    def title(self) -> str:
        for line in self.markdown.splitlines():
            match = _HEADING.match(line)
            if match:
                return match.group(1)
        return f"Slide {self.number}"

    @property
    def body(self) -> str:
        """The slide without its opening heading, for a view whose header already shows the title."""
        return _without_title(self.markdown.splitlines())

    def body_at(self, step: int) -> str:
        """`body` up to pause number `step` (from 0); the last step is the whole body."""
        if not 0 <= step < self.steps:
            raise IndexError(f"slide {self.number} has {self.steps} steps, not a step {step}")
        lines = self.markdown.splitlines()
        return _without_title(lines[: self.pauses[step]] if step < len(self.pauses) else lines)

    @property
    def live_block(self) -> CodeBlock | None:
        """The slide's first block marked `run`: what R runs (in a lesson and in the presenter view)."""
        return next((block for block in self.code if block.live), None)

    def code_at(self, step: int) -> tuple[CodeBlock, ...]:
        """The code blocks `body_at(step)` shows."""
        if step >= len(self.pause_lines):
            return self.code
        return tuple(block for block in self.code if block.line < self.pause_lines[step])


def _without_title(lines: list[str]) -> str:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and _HEADING.match(lines[first]) and lines[first].startswith("# "):
        lines = lines[first + 1 :]
    return "\n".join(lines).strip("\n") + "\n"


def parse_slides(text: str, path: Path, problems: list[Problem]) -> tuple[Slide, ...]:
    """Slides separated by a line `<!-- end_slide -->`; notes in `<!-- speaker_note: ... -->` comments."""
    slides: list[Slide] = []
    body: list[str] = []
    notes: list[str] = []
    code: list[CodeBlock] = []
    deep: int | None = None  # the line of this slide's deep-dive marker
    start = 1
    fence: _OpenFence | None = None
    note_open: int | None = None  # the line of an unterminated speaker note
    pauses: list[tuple[int, int]] = []  # each pause on this slide: (its line in slides.md, len(body) there)

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
        number = len(slides) + 1
        note_text = "\n".join(notes).strip()
        blank_top = next((i for i, text in enumerate(body) if text), len(body))  # the lines strip("\n") took off
        _check_pauses(body, pauses, path, problems)
        shown = tuple(max(0, at - blank_top) for _, at in pauses)
        lines = tuple(line for line, _ in pauses)
        slides.append(Slide(number, markdown + "\n", note_text, start, deep is not None, tuple(code), shown, lines))

    for number, line in enumerate(text.splitlines(), start=1):
        if note_open is not None:
            head, sep, _ = line.partition("-->")
            notes.append(head)
            if sep:
                note_open = None
            continue
        fence_match = _FENCE.match(line)
        if fence is not None:
            if fence_match and fence_match.group(2).startswith(fence.marker[0]) and not fence_match.group(3):
                code.append(fence.block())
                body.append(line)
                body.extend(_snippet_captions(fence.needs))
                fence = None
            else:
                fence.lines.append(line)
                body.append(line)
            continue
        if fence_match:
            indent, marker, language, rest = fence_match.groups()
            fence = _open_fence(marker, language, rest, number, path, problems)
            body.append(f"{indent}{marker}{language}")  # the attributes are for looplab, not the reader
            continue
        if line.strip() == SLIDE_BREAK:
            close_slide()
            body, notes, code, deep, start, pauses = [], [], [], None, number + 1, []
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
        if line.strip() == DEEP_DIVE:
            if deep is not None:
                problems.append(
                    Problem(
                        f"second {DEEP_DIVE} on one slide (the first is on line {deep})",
                        file=path,
                        line=number,
                        hint="keep one",
                    )
                )
            deep = number
            continue
        if line.strip() == PAUSE:
            pauses.append((number, len(body)))
            continue
        marker_like = _MARKER_LIKE.match(line)
        if marker_like:
            problems.append(_bad_marker(line.strip(), marker_like.group(1), path, number))
            continue
        body.append(line)

    if fence is not None:
        problems.append(Problem(f"code block opened with {fence.marker} is never closed", file=path, line=fence.line))
    if note_open is not None:
        problems.append(Problem("speaker note is never closed with -->", file=path, line=note_open))
    if body and any(line.strip() for line in body) or notes or not slides:
        close_slide()
    if slides and all(slide.deep for slide in slides):
        problems.append(
            Problem(
                "every slide is a deep dive, so the core path is empty",
                file=path,
                line=1,
                hint=f"remove {DEEP_DIVE} from the slides a newcomer needs",
            )
        )
    return tuple(slides)


def _check_pauses(body: list[str], pauses: list[tuple[int, int]], path: Path, problems: list[Problem]) -> None:
    """Each pause must reveal something and leave something shown: no empty step before, between or after."""
    heading = next((i for i, line in enumerate(body) if line.strip()), None)
    if heading is not None and not (_HEADING.match(body[heading]) and body[heading].startswith("# ")):
        heading = None  # the deck shows a slide's title in its header, so a title alone is an empty step
    shown_from = heading + 1 if heading is not None else 0
    for index, (line, at) in enumerate(pauses):
        if index == 0 and not any(text.strip() for text in body[shown_from:at]):
            problems.append(
                Problem(
                    f"nothing before this {PAUSE} but the title, so the first step would be empty",
                    file=path,
                    line=line,
                    hint="the deck shows the title in its header: put the first part of the slide before the pause",
                )
            )
        elif index and not any(text.strip() for text in body[shown_from:at]):
            problems.append(
                Problem(
                    f"nothing between this {PAUSE} and the one on line {pauses[index - 1][0]}, "
                    "so a step would show nothing new",
                    file=path,
                    line=line,
                    hint="remove one of the two pauses",
                )
            )
        shown_from = at
    if pauses and not any(text.strip() for text in body[pauses[-1][1] :]):
        problems.append(
            Problem(
                f"nothing after this {PAUSE}: the last step would reveal nothing",
                file=path,
                line=pauses[-1][0],
                hint="remove it, or put the part to reveal after it",
            )
        )


def _bad_marker(text: str, word: str, path: Path, line: int) -> Problem:
    hint = did_you_mean(word.replace("-", "_").lower(), _KNOWN_MARKERS)
    if word.lower().startswith("deep") or word == "deep_dive":
        hint = f"a deep-dive slide has the line {DEEP_DIVE} alone"
    if word.lower() == "pause":
        hint = f"a pause is the line {PAUSE} alone"
    return Problem(
        f"unknown slide marker {text!r}",
        file=path,
        line=line,
        hint=hint or f"markers are {SLIDE_BREAK}, {DEEP_DIVE}, {PAUSE} and <!-- speaker_note: ... -->",
    )


@dataclass
class _OpenFence:
    marker: str
    language: str
    line: int
    fragment: bool
    needs: tuple[Path, ...]
    exit_code: int
    live: bool
    lines: list[str]

    def block(self) -> CodeBlock:
        code = "\n".join(self.lines) + "\n"
        return CodeBlock(self.language, code, self.line, self.fragment, self.needs, self.exit_code, self.live)


def _open_fence(marker: str, language: str, rest: str, line: int, path: Path, problems: list[Problem]) -> _OpenFence:
    _check_language(language, path, line, problems)
    fragment, needs, exit_code, live = False, [], 0, False
    for word in rest.split():
        if language not in JS_LANGUAGES:
            problems.append(
                Problem(
                    f"{word!r} on a {language or 'plain'} block",
                    file=path,
                    line=line,
                    hint="only js blocks take `fragment`, `run`, `needs=NAME` or `exit=N`; they are the ones that run",
                )
            )
        elif word == "fragment":
            fragment = True
        elif word == "run":
            live = True
        elif word.startswith("needs="):
            needs += _snippets(word.removeprefix("needs="), path, line, problems)
        elif word.startswith("exit="):
            code = word.removeprefix("exit=")
            if not code.isdigit() or int(code) > 255:
                problems.append(Problem(f"exit= takes an exit code such as exit=1, not {code!r}", file=path, line=line))
            else:
                exit_code = int(code)
        else:
            hint = did_you_mean(word, ["fragment", "run", "needs=", "exit="]) or (
                "write `fragment`, `run`, `needs=NAME` or `exit=N`"
            )
            problems.append(Problem(f"unknown code block attribute {word!r}", file=path, line=line, hint=hint))
    if fragment and needs:
        problems.append(
            Problem(
                "a fragment never runs, so it needs no snippet",
                file=path,
                line=line,
                hint="keep `fragment` or `needs=`, not both",
            )
        )
    if fragment and live:
        problems.append(
            Problem(
                "a fragment never runs, so it cannot be a live demo",
                file=path,
                line=line,
                hint="keep `fragment` or `run`, not both",
            )
        )
    return _OpenFence(marker, language, line, fragment, tuple(needs), exit_code, live, [])


def _snippet_captions(needs: tuple[Path, ...]) -> list[str]:
    """A line under the block naming each snippet it runs with, so a reader can paste both."""
    lines = []
    for snippet in needs:
        first = snippet.read_text(encoding="utf-8").partition("\n")[0]
        what = first.removeprefix("//").strip() if first.startswith("//") else ""
        lines += ["", f"*with `{SNIPPETS_FOLDER}/{snippet.name}`{': ' + what if what else ''}*"]
    return lines


def _snippets(names: str, path: Path, line: int, problems: list[Problem]) -> list[Path]:
    folder = path.parent.parent / SNIPPETS_FOLDER
    found = []
    for name in names.split(","):
        snippet = folder / f"{name}.js"
        if not _SNIPPET_NAME.fullmatch(name) or not snippet.is_file():
            known = sorted(p.stem for p in folder.glob("*.js")) if folder.is_dir() else []
            hint = did_you_mean(name, known) or f"a snippet is a file lessons/{SNIPPETS_FOLDER}/NAME.js"
            problems.append(Problem(f"unknown snippet {name!r} in needs=", file=path, line=line, hint=hint))
            continue
        found.append(snippet)
    return found


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
