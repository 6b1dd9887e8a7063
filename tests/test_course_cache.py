"""The app's start-up course cache: used only while nothing that shapes the course changed, never for a broken one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.course import load as load_module
from app.errors import LooplabError
from app.learner.progress import ExerciseProgress, Progress, where_to_continue
from app.tui.course_cache import CourseCache, CourseOutline, load_course_cached
from app.tui.screens.home import outline_options
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


def map_of(course: object, progress: Progress) -> list[tuple[str, str | None, bool]]:
    """What the course map lists: each option's text, id and whether it can be picked."""
    return [(str(option.prompt), option.id, option.disabled) for option in outline_options(course, progress)]


def test_the_outline_shows_the_same_map_as_the_course(tmp_path: Path) -> None:
    root, cache = write_tui_course(tmp_path / "course"), tmp_path / "cache"
    assert CourseCache(root, cache).outline() is None  # nothing cached yet: the course must load first
    course = load_course_cached(root, cache)
    outline = CourseCache(root, cache).outline()
    assert isinstance(outline, CourseOutline) and outline.title == course.title
    some = list(course.exercises)
    for progress in (
        Progress(),
        Progress(exercises={some[0]: ExerciseProgress(status="passed")}, last_exercise=some[-1]),
        Progress(exercises={e: ExerciseProgress(status="passed") for e in some}),
    ):
        assert map_of(outline, progress) == map_of(course, progress)
        expected = where_to_continue(course, progress)
        got = where_to_continue(outline, progress)  # type: ignore[arg-type]
        assert (got and got.id) == (expected and expected.id)
    assert [e.id for e in outline.exercises_in_order()] == [e.id for e in course.exercises_in_order()]


def test_an_outline_is_used_only_beside_its_course(tmp_path: Path) -> None:
    root, cache = write_tui_course(tmp_path / "course"), tmp_path / "cache"
    load_course_cached(root, cache)
    for pickled in cache.glob("course-*.pickle"):
        pickled.unlink()
    assert CourseCache(root, cache).outline() is None
    load_course_cached(root, cache)
    for outline in cache.glob("outline-*.pickle"):  # as a looplab without outlines left its cache
        outline.unlink()
    assert CourseCache(root, cache).outline() is None
    load_course_cached(root, cache)  # from the cached course, which writes the outline beside it
    assert CourseCache(root, cache).outline() is not None
