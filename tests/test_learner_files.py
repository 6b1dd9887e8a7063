"""Progress and the workspace: atomic writes, corrupt-file recovery, no lost updates, no clobbered files."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.check.match import check_output
from app.check.verdict import ProgramOutput
from app.course.load import load_course
from app.learner.files import atomic_write
from app.learner.progress import SCHEMA_VERSION, Progress, ProgressStore
from app.learner.workspace import Workspace
from tests.conftest import REPO, course_with_predict, tiny_course


def store_at(path: Path) -> tuple[ProgressStore, list[str]]:
    warnings: list[str] = []
    return ProgressStore(path, warnings.append), warnings


def test_progress_round_trips_with_a_schema_version(tmp_path: Path) -> None:
    store, warnings = store_at(tmp_path / "progress.json")
    progress = Progress(workspace="/w")
    progress.of("ex").status = "passed"
    store.save(progress)
    data = json.loads((tmp_path / "progress.json").read_text())
    assert data["schema"] == SCHEMA_VERSION
    loaded = store.load()
    assert loaded.status("ex") == "passed" and loaded.workspace == "/w"
    assert warnings == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json"]  # no temporary files left


def test_a_corrupt_progress_file_is_kept_aside_and_replaced_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"schema": 1,\n "exercises": {\n')
    store, warnings = store_at(path)
    assert store.load().exercises == {}
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert warnings[0].startswith(f"{path}: line 3:")
    backups = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text().startswith('{"schema": 1')
    assert json.loads(path.read_text())["schema"] == SCHEMA_VERSION


def test_progress_from_a_newer_looplab_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"schema": 99, "exercises": {}}')
    store, warnings = store_at(path)
    store.load()
    assert "key 'schema': 99 is from a newer looplab" in warnings[0]


def test_a_bad_entry_inside_valid_json_is_corrupt_too(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"schema": 1, "exercises": {"ex": {"status": "done"}}}')
    store, warnings = store_at(path)
    store.load()
    assert "key 'exercises.ex'" in warnings[0]


def _bump(path: str, times: int) -> None:
    store = ProgressStore(Path(path), lambda message: None)
    for _ in range(times):
        with store.update() as progress:
            progress.of("ex").attempts += 1


def test_concurrent_updates_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    workers = [multiprocessing.Process(target=_bump, args=(str(path), 40)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert ProgressStore(path, print).load().of("ex").attempts == 120


def test_atomic_write_without_overwrite_never_clobbers(tmp_path: Path) -> None:
    path = tmp_path / "mine.js"
    path.write_text("learner's work")
    assert atomic_write(path, b"starter", overwrite=False) is False
    assert path.read_text() == "learner's work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.js"]


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_init_copies_starters_fixtures_and_predictions_and_keeps_learner_edits(tmp_path: Path) -> None:
    root = course_with_predict(tmp_path / "course")
    shipped = tree_digest(root)
    course = load_course(root)
    workspace = Workspace(tmp_path / "ws")
    report = workspace.init(course.exercises_in_order(), node_major=24)
    names = sorted(str(p.relative_to(workspace.root)) for p in report.created)
    assert names == [
        "guess/data/input.txt",
        "guess/guess.js",
        "guess/prediction.txt",
        "hello-order/hello-order.js",
    ]

    program = workspace.program(course.exercise("hello-order"))
    program.write_text("my edit\n")
    again = workspace.init(course.exercises_in_order(), node_major=24)
    assert again.created == [] and len(again.kept) == 4
    assert program.read_text() == "my edit\n"
    assert tree_digest(root) == shipped


def test_the_starting_prediction_is_scrambled_so_it_fails(tmp_path: Path) -> None:
    root = course_with_predict(tmp_path / "course")
    exercise = load_course(root).exercise("guess")
    workspace = Workspace(tmp_path / "ws")
    workspace.init([exercise], node_major=24)
    lines = workspace.read_prediction(exercise)
    assert sorted(lines) == ["alpha", "beta", "gamma"]
    assert not check_output(exercise.expectation.base, ProgramOutput.prediction(lines)).passed


def test_reset_restores_the_starter_and_keeps_the_learner_version(tmp_path: Path) -> None:
    course = load_course(tiny_course(tmp_path / "course"))
    exercise = course.exercise("hello-order")
    workspace = Workspace(tmp_path / "ws")
    workspace.init([exercise], None)
    program = workspace.program(exercise)
    assert workspace.reset(exercise, None) == []  # unchanged: nothing to back up
    program.write_text("attempt 1\n")
    backups = workspace.reset(exercise, None)
    assert program.read_bytes() == exercise.starter.read_bytes()
    assert [b.read_text() for b in backups] == ["attempt 1\n"]


SPECIAL_FILES = [
    # (the learner file replaced by a named pipe, the commands that read it)
    ("progress.json", [["list"], ["hint", "hello-order"], ["doctor"]]),
    ("progress.json.lock", [["hint", "hello-order"]]),
    ("workspace/guess/prediction.txt", [["check", "guess"], ["reset", "guess", "--yes"]]),
    ("workspace/hello-order/hello-order.js", [["run", "hello-order"], ["show", "hello-order"]]),
    ("presenting.json", [["notes"]]),
]


@pytest.mark.parametrize(("name", "commands"), SPECIAL_FILES, ids=[name for name, _ in SPECIAL_FILES])
def test_a_named_pipe_in_place_of_a_learner_file_is_refused_in_one_line(
    tmp_path: Path, name: str, commands: list[list[str]]
) -> None:
    """Opening a pipe for reading waits for a writer that never comes: every command must refuse it at once."""
    home, course = tmp_path / "home", course_with_predict(tmp_path / "course")
    env = {**os.environ, "LOOPLAB_HOME": str(home), "COLUMNS": "200"}
    for exercise in ("guess", "hello-order"):  # a workspace with the files in it, made the ordinary way
        subprocess.run(
            [sys.executable, "-m", "app", "hint", exercise, "--course", str(course)],
            env=env,
            check=True,
            capture_output=True,
            cwd=REPO,
            timeout=60,
        )
    subprocess.run(
        [sys.executable, "-m", "app", "init", "--course", str(course)],
        env=env,
        check=True,
        capture_output=True,
        cwd=REPO,
        timeout=60,
    )
    (home / "presenting.json").write_text('{"lesson": "intro", "slide": 0}')  # as the app writes it
    special = home / name
    special.unlink()  # it was there: the file a command reads
    os.mkfifo(special)
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "app", *command, "--course", str(course)],
            env=env,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=30,  # without the check, this waits forever
        )
        problem = [line for line in done.stderr.splitlines() + done.stdout.splitlines() if str(special) in line]
        assert done.returncode != 0, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert len(problem) == 1 and "not a regular file" in problem[0], (command, done.stdout, done.stderr)
