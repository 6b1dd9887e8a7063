"""The app's start loads the course from a pickle when no course or looplab file changed since it was made.

Parsing and checking the course (60 TOML files, 13 slide decks, every expectation) took about 0.1 s of the
0.6 s before the first frame; the pickle loads in a third of that. Anything unexpected means a normal load.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from app import __version__
from app.course.model import Course
from app.learner.files import atomic_write

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


def load_course_cached(root: Path, cache: Path) -> Course:
    """The course in `root`, from `cache` when it is up to date, else loaded (and then cached if it is valid)."""
    key = course_key(root)
    path = cache / f"course-{key[:32]}.pickle"
    with contextlib.suppress(Exception):  # a stale, truncated or foreign pickle is only a missed shortcut
        course = pickle.loads(path.read_bytes())
        if isinstance(course, Course):
            return course
    from app.course.load import load_course

    course = load_course(root)  # a broken course raises its one-line errors here, and is never cached
    with contextlib.suppress(OSError, pickle.PicklingError):
        for old in cache.glob("course-*.pickle"):  # one course per root is plenty; old keys are never read again
            old.unlink(missing_ok=True)
        atomic_write(path, pickle.dumps(course, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
    return course
