"""The learner's own copies of the exercises. Shipped files are only ever read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.check.prediction import scrambled_prediction
from app.course.model import Exercise
from app.learner.files import atomic_write, read_regular
from app.runner.certs import fixtures_for

PREDICTION_FILE = "prediction.txt"
_PREDICTION_HEADER = """\
# Put these lines in the order you expect `node {entry}` to print them, one per line.
# Lines starting with # are ignored. When you are done: looplab check {id}
"""


@dataclass
class InitReport:
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Workspace:
    root: Path

    def folder(self, exercise: Exercise) -> Path:
        return self.root / exercise.id

    def program(self, exercise: Exercise) -> Path:
        return self.folder(exercise) / exercise.entry

    def prediction(self, exercise: Exercise) -> Path:
        return self.folder(exercise) / PREDICTION_FILE

    def starter_files(self, exercise: Exercise, node_major: int | None) -> dict[Path, bytes]:
        """What a fresh copy of the exercise holds: the starter, its fixtures and, to predict, the lines."""
        files = {self.program(exercise): exercise.starter.read_bytes()}
        for fixture in fixtures_for(exercise):
            files[self.folder(exercise) / fixture.path] = fixture.content
        if exercise.kind == "predict":
            lines = scrambled_prediction(exercise.expectation.for_node(node_major)) or []
            header = _PREDICTION_HEADER.format(entry=exercise.entry, id=exercise.id)
            files[self.prediction(exercise)] = (header + "\n".join(lines) + "\n").encode("utf-8")
        return files

    def init(self, exercises: list[Exercise], node_major: int | None) -> InitReport:
        """Copy in whatever is missing; a file that exists is the learner's and is left alone."""
        report = InitReport()
        for exercise in exercises:
            for path, data in self.starter_files(exercise, node_major).items():
                written = atomic_write(path, data, overwrite=False)
                (report.created if written else report.kept).append(path)
        return report

    def reset(self, exercise: Exercise, node_major: int | None) -> list[Path]:
        """Restore the starter and prediction, keeping the learner's old version beside it as .bak."""
        backups = []
        files = self.starter_files(exercise, node_major)
        for path in (self.program(exercise), self.prediction(exercise)):
            if path not in files:
                continue
            if path.exists() and read_regular(path) != files[path]:
                backup = _backup_for(path)
                atomic_write(backup, read_regular(path))
                backups.append(backup)
            atomic_write(path, files[path])
        return backups

    def read_prediction(self, exercise: Exercise) -> list[str]:
        text = read_regular(self.prediction(exercise)).decode("utf-8", "replace")  # a stray byte is not fatal
        return [line.rstrip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _backup_for(path: Path) -> Path:
    """NAME.bak, or NAME.bak.2, .3... if an earlier reset's backup holds something else: none is overwritten."""
    data = read_regular(path)
    candidate, number = path.with_name(path.name + ".bak"), 1
    while candidate.exists() and read_regular(candidate) != data:
        number += 1
        candidate = path.with_name(f"{path.name}.bak.{number}")
    return candidate
