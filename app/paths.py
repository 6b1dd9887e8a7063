"""Where looplab keeps things: the course it teaches and the learner's own data."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.errors import LooplabError

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """Progress and the default workspace live here; LOOPLAB_HOME moves it (tests, shared machines)."""
    override = os.environ.get("LOOPLAB_HOME")
    return Path(override).expanduser() if override else Path(platformdirs.user_data_dir("looplab", appauthor=False))


def cache_dir() -> Path:
    """Rebuildable things, like the compiled loop-marker addon; LOOPLAB_CACHE moves it."""
    override = os.environ.get("LOOPLAB_CACHE")
    return Path(override).expanduser() if override else Path(platformdirs.user_cache_dir("looplab", appauthor=False))


def course_root(override: str | None = None) -> Path:
    """The folder holding lessons/ and exercises/: --course, LOOPLAB_COURSE, the wheel's copy, or the checkout."""
    chosen = override or os.environ.get("LOOPLAB_COURSE")
    if chosen:
        root = Path(chosen).expanduser()
        if not (root / "lessons").is_dir():
            name = "--course" if override else "LOOPLAB_COURSE"
            raise LooplabError(
                f"{name} {root}: no lessons/ folder there (point it at a folder holding lessons/ and exercises/)"
            )
        return root
    for root in (PACKAGE_DIR / "_course", PACKAGE_DIR.parent):
        if (root / "lessons").is_dir() and (root / "exercises").is_dir():
            return root
    raise LooplabError("the course data is missing from this installation (reinstall looplab, or pass --course DIR)")
