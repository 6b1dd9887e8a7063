"""The course as plain data: sections, lessons with their slides, and exercises."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.check.spec import Expectation
from app.course.slides import Slide
from app.errors import LooplabError, did_you_mean

KINDS = ("predict", "fix", "explore")
# the visualizer's views: the loop's phases and queues, the thread pool by slot, the open descriptors and
# sockets, and the syscalls each callback made (where strace is present)
VIEW_NAMES = ("loop", "pool", "fds", "syscalls", "wire", "tls", "agent", "lanes", "streams", "delay", "heap", "tiers")
DEFAULT_VIEWS = ("loop",)
# what an exercise may need besides Node (`requires` in exercise.toml): "cc", a C compiler (CC, cc, gcc or clang)
REQUIREMENTS = ("cc",)


@dataclass(frozen=True)
class Fixture:
    """A file created in the working directory before every run."""

    path: str  # relative, with forward slashes
    content: bytes


@dataclass(frozen=True)
class TlsFiles:
    """An exercise's `[tls]` table: looplab writes a fresh CA and server certificate beside the program.

    Never stored in the course: app.runner.certs makes them at run time (see TLS_FILE_NAMES there).
    """

    hosts: tuple[str, ...]  # the server certificate's subjectAltName entries; () makes a CN-only certificate
    common_name: str


TLS_FILE_NAMES = ("ca.pem", "cert.pem", "key.pem")  # the CA's certificate, the server's, the server's key


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    kind: str
    folder: Path
    entry: str  # the file name the program has in the workspace and the run directory
    starter: Path
    solution: Path | None
    prompt: str
    hints: tuple[str, ...]
    fixtures: tuple[Fixture, ...]
    env: dict[str, str]
    timeout: float
    expectation: Expectation
    lesson: str = ""
    tls: TlsFiles | None = None  # certificates made for every run (and the workspace), never committed
    node_args: tuple[str, ...] = ()  # Node options before the entry file (`node_args` in exercise.toml)
    requires: tuple[str, ...] = ()  # from REQUIREMENTS; without one the exercise is skipped, never failed

    @property
    def reference(self) -> Path:
        """The program that must meet the expectation: the solution of a fix, else the starter itself."""
        return self.solution or self.starter


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    section: str
    order: int
    summary: str
    exercises: tuple[str, ...]
    folder: Path
    slides: tuple[Slide, ...]
    views: tuple[str, ...] = DEFAULT_VIEWS  # the visualizer's views the lesson opens with, from VIEW_NAMES


@dataclass(frozen=True)
class Course:
    title: str
    root: Path
    sections: tuple[Section, ...]
    lessons: tuple[Lesson, ...]  # in teaching order
    exercises: dict[str, Exercise] = field(default_factory=dict)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def lesson(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise LooplabError(_unknown("lesson", lesson_id, [lesson.id for lesson in self.lessons]))

    def exercise(self, exercise_id: str) -> Exercise:
        if exercise_id in self.exercises:
            return self.exercises[exercise_id]
        raise LooplabError(_unknown("exercise", exercise_id, list(self.exercises)))

    def exercises_in_order(self) -> list[Exercise]:
        """Exercises in teaching order; one that failed to load (while verify reports it) is left out."""
        return [self.exercises[e] for lesson in self.lessons for e in lesson.exercises if e in self.exercises]


def _unknown(what: str, wanted: str, known: list[str]) -> str:
    hint = did_you_mean(wanted, known) or f"`looplab list` shows every {what}"
    return f"no {what} called {wanted!r} ({hint})"
