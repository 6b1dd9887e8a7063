"""The learner's progress: one versioned JSON file, written atomically, recovered when corrupt."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.learner.files import atomic_write, open_regular, read_regular

if TYPE_CHECKING:
    from app.course.model import Course, Exercise

SCHEMA_VERSION = 1
STATUSES = ("pending", "failed", "passed")


@dataclass
class ExerciseProgress:
    status: str = "pending"
    attempts: int = 0
    hints_shown: int = 0
    last_checked: str | None = None  # ISO time of the last check
    passed_on: str | None = None  # the Node version of the first pass


@dataclass
class Progress:
    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)
    workspace: str | None = None
    last_exercise: str | None = None

    def of(self, exercise_id: str) -> ExerciseProgress:
        return self.exercises.setdefault(exercise_id, ExerciseProgress())

    def status(self, exercise_id: str) -> str:
        entry = self.exercises.get(exercise_id)
        return entry.status if entry else "pending"

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, **asdict(self)}


class CorruptProgress(ValueError):
    pass


def parse_progress(text: str) -> Progress:
    """Progress from JSON text, or CorruptProgress saying what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorruptProgress(f"line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise CorruptProgress("not a JSON object")
    schema = data.get("schema")
    if schema != SCHEMA_VERSION:
        newer = isinstance(schema, int) and schema > SCHEMA_VERSION
        raise CorruptProgress(
            f"key 'schema': {schema!r} is from a newer looplab"
            if newer
            else f"key 'schema': expected {SCHEMA_VERSION}, found {schema!r}"
        )
    exercises = data.get("exercises", {})
    if not isinstance(exercises, dict):
        raise CorruptProgress("key 'exercises': not an object")
    progress = Progress(workspace=_optional_str(data, "workspace"), last_exercise=_optional_str(data, "last_exercise"))
    for exercise_id, entry in exercises.items():
        if not isinstance(entry, dict):
            raise CorruptProgress(f"key 'exercises.{exercise_id}': not an object")
        try:
            item = ExerciseProgress(**entry)
        except TypeError as exc:
            raise CorruptProgress(f"key 'exercises.{exercise_id}': {exc}") from None
        if item.status not in STATUSES or not isinstance(item.attempts, int) or not isinstance(item.hints_shown, int):
            raise CorruptProgress(f"key 'exercises.{exercise_id}': bad status or counter")
        progress.exercises[exercise_id] = item
    return progress


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise CorruptProgress(f"key {key!r}: not a string")
    return value


class ProgressStore:
    """Reads and updates progress.json under a lock, so the app and the CLI never lose each other's work."""

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        self.path = path
        self.warn = warn

    def load(self) -> Progress:
        try:
            text = read_regular(self.path).decode("utf-8")
        except FileNotFoundError:
            return Progress()
        except (OSError, UnicodeDecodeError) as exc:
            return self._recover(f"cannot read it ({exc})")
        try:
            return parse_progress(text)
        except CorruptProgress as exc:
            return self._recover(str(exc))

    def _recover(self, reason: str) -> Progress:
        backup = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        with contextlib.suppress(OSError):
            self.path.replace(backup)
        self.warn(f"{self.path}: {reason}; kept it as {backup.name} and started new progress")
        self.save(Progress())
        return Progress()

    def save(self, progress: Progress) -> None:
        data = json.dumps(progress.to_json(), indent=2, sort_keys=True) + "\n"
        atomic_write(self.path, data.encode("utf-8"))

    @contextlib.contextmanager
    def update(self) -> Iterator[Progress]:
        """Load, let the caller change, and save, all under an exclusive lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with os.fdopen(open_regular(lock_path, os.O_RDWR | os.O_CREAT), "r+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            progress = self.load()
            yield progress
            self.save(progress)

    def record(self, exercise_id: str, passed: bool | None, node_version: str) -> Progress:
        """Remember the exercise as the last one worked on and, if it was checked, the attempt and its result."""
        with self.update() as progress:
            progress.last_exercise = exercise_id
            if passed is not None:
                entry = progress.of(exercise_id)
                entry.attempts += 1
                entry.last_checked = time.strftime("%Y-%m-%dT%H:%M:%S%z")
                if passed and entry.status != "passed":
                    entry.status, entry.passed_on = "passed", node_version
                elif not passed and entry.status != "passed":
                    entry.status = "failed"
        return progress

    def take_hint(self, exercise_id: str, available: int, all_of_them: bool = False) -> int:
        """Reveal one more hint (or all); returns how many the learner has now seen."""
        with self.update() as progress:
            entry = progress.of(exercise_id)
            shown = available if all_of_them else min(entry.hints_shown + 1, available)
            entry.hints_shown = max(entry.hints_shown, shown)
        return shown


def where_to_continue(course: Course, progress: Progress) -> Exercise | None:
    """The exercise the learner left unfinished, else the first one not passed; None when all pass."""
    last = course.exercises.get(progress.last_exercise or "")
    if last is not None and progress.status(last.id) != "passed":
        return last
    return next((e for e in course.exercises_in_order() if progress.status(e.id) != "passed"), None)


def run_counts_as_done(kind: str, clean: bool) -> bool | None:
    """What a plain run (not a check) records: an explore exercise is done once it runs cleanly; None records
    only that it was worked on, since running a fix or predict program proves nothing about the learner."""
    return True if kind == "explore" and clean else None
