"""The app's start-up course cache: used only while nothing that shapes the course changed, never for a broken one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.course import load as load_module
from app.errors import LooplabError
from app.tui.course_cache import load_course_cached
from tests.tui_course import write_tui_course


def refuse_to_load(root: Path) -> None:
    raise AssertionError("the course was parsed again although nothing changed")


def test_an_unchanged_course_comes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = write_tui_course(tmp_path / "course"), tmp_path / "cache"
    first = load_course_cached(root, cache)
    assert list(cache.glob("course-*.pickle"))
    monkeypatch.setattr(load_module, "load_course", refuse_to_load)
    again = load_course_cached(root, cache)
    assert again == first and again is not first


def test_an_edited_lesson_is_loaded_again(tmp_path: Path) -> None:
    root, cache = write_tui_course(tmp_path / "course"), tmp_path / "cache"
    assert load_course_cached(root, cache).lesson("queues").title == "Loops and queues"
    toml = root / "lessons/queues/lesson.toml"
    stat = toml.stat()
    toml.write_text(toml.read_text().replace("Loops and queues", "Loops and queue"))  # one byte shorter
    os.utime(toml, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old time, the size differs
    assert load_course_cached(root, cache).lesson("queues").title == "Loops and queue"
    toml.write_text(toml.read_text().replace("Loops and queue", "Loops und queue"))  # same size, new time
    assert load_course_cached(root, cache).lesson("queues").title == "Loops und queue"


def test_a_garbled_cache_file_means_a_normal_load(tmp_path: Path) -> None:
    root, cache = write_tui_course(tmp_path / "course"), tmp_path / "cache"
    first = load_course_cached(root, cache)
    for pickled in cache.glob("course-*.pickle"):
        pickled.write_bytes(b"not a pickle")
    assert load_course_cached(root, cache) == first


def test_a_broken_course_raises_its_error_and_is_never_cached(tmp_path: Path) -> None:
    root, cache = write_tui_course(tmp_path / "course"), tmp_path / "cache"
    toml = root / "exercises/hello-order/exercise.toml"
    toml.write_text(toml.read_text().replace('kind = "fix"', 'kind = "fixx"'))
    with pytest.raises(LooplabError, match="kind"):
        load_course_cached(root, cache)
    assert not list(cache.glob("course-*.pickle"))
