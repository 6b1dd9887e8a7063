"""The accuracy corpus: programs whose every output line has a known phase and queue.

Each program carries its expectations as comments:
    // expect <phase>/<queue> <text>      one per output line, in order (`poll|close` accepts either one, as
                                          Node itself varies; `any` accepts any; a trailing ` [worker]` means
                                          a worker thread printed it, ` [child]` a child process's main thread,
                                          ` [child-worker]` a worker thread of a child process)
    // expect[node <=20] <phase>/<queue> <text>
                                          a line for those Node majors only (Node 20 and 24 differ)
    // order: varies                      the lines may come in any order (Node's own order varies)
    // order[node <=21]: varies           ... on those Node majors only
    // exit_code: N                       the exit code (default 0)
A program is a file here, or a folder holding main.js / main.mjs / main.cjs and the modules it loads.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.check.spec import NodeRange
from app.trace.attribute import thread_kind

CORPUS = Path(__file__).resolve().parent
_EXPECT = re.compile(r"^// expect(?:\[node ([^\]]+)\])? ([\w|]+)/([\w|]+) (.*?)(?: \[(worker|child|child-worker)\])?$")


@dataclass(frozen=True)
class ExpectedLine:
    text: str
    phase: str  # one phase, several joined by "|", or "any"
    queue: str  # likewise
    who: str  # which thread printed it: main, worker, child or child-worker (app.trace.attribute.thread_kind)
    nodes: NodeRange | None = None  # only on these Node majors

    def matches(self, text: str, phase: str | None, queue: str | None, thread: int | None) -> bool:
        return (
            self.text == text
            and _accepts(self.phase, phase)
            and _accepts(self.queue, queue)
            and self.who == thread_kind(thread)
        )


def _accepts(expected: str, actual: str | None) -> bool:
    return expected == "any" or (actual is not None and actual in expected.split("|"))


@dataclass(frozen=True)
class CorpusProgram:
    name: str
    source: Path  # the file, or the folder
    entry: str  # the file name node runs
    lines: tuple[ExpectedLine, ...]
    order_varies_on: NodeRange | None  # the Node majors on which Node's own order varies
    exit_code: int

    def lines_for(self, major: int) -> tuple[ExpectedLine, ...]:
        return tuple(line for line in self.lines if line.nodes is None or line.nodes.contains(major))

    def copy_to(self, folder: Path) -> Path:
        """Lay the program out in `folder` and return the entry file."""
        if self.source.is_dir():
            shutil.copytree(self.source, folder, dirs_exist_ok=True)
        else:
            shutil.copy(self.source, folder / self.entry)
        return folder / self.entry


def load_corpus() -> list[CorpusProgram]:
    programs = []
    for path in sorted(CORPUS.iterdir()):
        if path.name.startswith(("_", ".")) or path.suffix == ".py":
            continue
        if path.is_dir():
            entry = next(p for p in sorted(path.iterdir()) if p.stem == "main")
            text, name = entry.read_text(), path.name
        elif path.suffix in (".js", ".mjs", ".cjs"):
            entry, text, name = path, path.read_text(), path.stem
        else:
            continue
        lines = []
        for row in text.splitlines():
            match = _EXPECT.match(row)
            if match:
                nodes = NodeRange.parse(match.group(1)) if match.group(1) else None
                who = match.group(5) or "main"
                lines.append(ExpectedLine(match.group(4), match.group(2), match.group(3), who, nodes))
        exit_match = re.search(r"^// exit_code: (\d+)$", text, re.M)
        varies = re.search(r"^// order(?:\[node ([^\]]+)\])?: varies$", text, re.M)
        programs.append(
            CorpusProgram(
                name=name,
                source=path,
                entry=entry.name,
                lines=tuple(lines),
                order_varies_on=NodeRange.parse(varies.group(1) or ">=0") if varies else None,
                exit_code=int(exit_match.group(1)) if exit_match else 0,
            )
        )
    return programs


def mismatches(
    program: CorpusProgram, got: list[tuple[str, str | None, str | None, int | None]], major: int
) -> list[str]:
    """What differs between the expected lines and the attributed lines (empty when they agree)."""
    problems = []
    lines = program.lines_for(major)
    if program.order_varies_on is not None and program.order_varies_on.contains(major):
        remaining = list(got)
        for expected in lines:
            hit = next((g for g in remaining if expected.matches(*g)), None)
            if hit is None:
                problems.append(f"expected {expected}, not found in {remaining}")
            else:
                remaining.remove(hit)
        problems += [f"unexpected line {g}" for g in remaining]
        return problems
    if len(got) != len(lines):
        problems.append(f"expected {len(lines)} lines, got {len(got)}: {got}")
    for position, (expected, actual) in enumerate(zip(lines, got, strict=False), start=1):
        if not expected.matches(*actual):
            problems.append(f"line {position}: expected {expected}, got {actual}")
    return problems
