"""The app's start loads the course from a pickle when no course or looplab file changed since it was made.

Parsing and checking the course (60 TOML files, 13 slide decks, every expectation) took about 0.1 s of the
0.6 s before the first frame; the pickle loads in a third of that. Anything unexpected means a normal load.
The course map's first frame needs only titles, summaries and exercise ids, so a second pickle of built-in types
holds just those (`CourseOutline`): the full course, whose classes took 20 ms to import (the code that
`dataclass` generates for them), loads from its pickle just after that frame.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from app import __version__

if TYPE_CHECKING:
    from app.course.model import Course

PACKAGE = Path(__file__).resolve().parent.parent
CODE = ("course", "check")  # the packages whose classes and rules make up a loaded Course


def course_key(root: Path) -> str:
    """A digest of every file that shapes the loaded course: its lessons and exercises, and looplab's code."""
    digest = hashlib.sha256(f"{__version__}\0{root.resolve()}".encode())
    folders = [root / "lessons", root / "exercises", *(PACKAGE / name for name in CODE)]
    for folder in folders:
        for path, stat in sorted(_files(folder)):
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _files(folder: Path) -> list[tuple[str, os.stat_result]]:
    """Every file below `folder` with its stat, by scandir (os.walk plus a stat per path took twice as long)."""
    found = []
    pending = [os.fspath(folder)]
    while pending:
        with contextlib.suppress(OSError), os.scandir(pending.pop()) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    if not entry.is_dir():
                        found.append((entry.path, entry.stat()))
                    elif entry.name != "__pycache__":
                        pending.append(entry.path)
    return found


class CourseOutline:
    """What the course map shows of a course: its title, sections, lessons and exercise titles, nothing else.

    It answers what `outline_options`, `where_to_continue` and the map's summary ask of a `Course` (no slides, so no
    search), and loads without importing the course model."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.title: str = data["title"]
        self.sections = tuple(SimpleNamespace(**section) for section in data["sections"])
        self.lessons = tuple(SimpleNamespace(**lesson) for lesson in data["lessons"])
        self.exercises = {exercise["id"]: SimpleNamespace(**exercise) for exercise in data["exercises"]}

    @staticmethod
    def data_of(course: Course) -> dict[str, Any]:
        lesson_keys, exercise_keys = ("id", "title", "section", "summary", "exercises"), ("id", "title", "lesson")
        return {
            "title": course.title,
            "sections": [{"id": section.id, "title": section.title} for section in course.sections],
            "lessons": [{key: getattr(lesson, key) for key in lesson_keys} for lesson in course.lessons],
            "exercises": [{key: getattr(e, key) for key in exercise_keys} for e in course.exercises.values()],
        }

    def lesson(self, lesson_id: str) -> SimpleNamespace:
        return next(lesson for lesson in self.lessons if lesson.id == lesson_id)

    def exercises_in_order(self) -> list[SimpleNamespace]:
        return [self.exercises[e] for lesson in self.lessons for e in lesson.exercises if e in self.exercises]


class CourseCache:
    """The cached course of `root` as its files are now (the key is taken once, when this is made)."""

    def __init__(self, root: Path, cache: Path) -> None:
        self.root, self.cache = root, cache
        key = course_key(root)[:32]
        self.course_path, self.outline_path = cache / f"course-{key}.pickle", cache / f"outline-{key}.pickle"

    def outline(self) -> CourseOutline | None:
        """The course's outline, if both it and the course are cached; else None (then load `course()`)."""
        with contextlib.suppress(Exception):  # a stale, truncated or foreign pickle is only a missed shortcut
            if self.course_path.exists():
                return CourseOutline(pickle.loads(self.outline_path.read_bytes()))
        return None

    def course(self) -> Course:
        """The course, from the cache when it is up to date, else loaded (and then cached if it is valid)."""
        from app.course.model import Course

        with contextlib.suppress(Exception):
            course = pickle.loads(self.course_path.read_bytes())
            if isinstance(course, Course):
                if not self.outline_path.exists():  # cached by a looplab that had no outline yet
                    self._write(self.outline_path, CourseOutline.data_of(course))
                return course
        from app.course.load import load_course

        course = load_course(self.root)  # a broken course raises its one-line errors here, and is never cached
        with contextlib.suppress(OSError):
            for pattern in ("course-*.pickle", "outline-*.pickle"):  # old keys are never read again
                for old in self.cache.glob(pattern):
                    old.unlink(missing_ok=True)
        self._write(self.course_path, course)
        self._write(self.outline_path, CourseOutline.data_of(course))
        return course

    @staticmethod
    def _write(path: Path, value: object) -> None:
        from app.learner.files import atomic_write

        with contextlib.suppress(OSError, pickle.PicklingError):
            atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def load_course_cached(root: Path, cache: Path) -> Course:
    """The course in `root`, from `cache` when it is up to date, else loaded (and then cached if it is valid)."""
    return CourseCache(root, cache).course()
