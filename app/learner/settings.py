"""The learner's settings (today: the app's theme), kept between runs in one small JSON file, written atomically."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import LooplabError, Problem
from app.learner.files import atomic_write, read_regular

SETTINGS_FILE = "settings.json"
THEMES = ("dark", "light")


@dataclass(frozen=True)
class Settings:
    theme: str = "dark"


class SettingsStore:
    """Reads settings.json (a broken one is one warning and the defaults) and saves changes atomically."""

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        self.path = path
        self.warn = warn

    def load(self) -> Settings:
        """The saved settings; the defaults when there are none, or (after one warning) when they are broken."""
        hint = "fix it or delete it; choosing a theme writes it again"
        try:
            data = json.loads(read_regular(self.path))  # refuses a named pipe, which would block the app
        except LooplabError as exc:
            return self._broken(exc.problems[0])
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            return self._broken(Problem(f"cannot read it ({exc.strerror or exc})", file=self.path, hint=hint))
        except json.JSONDecodeError as exc:
            return self._broken(Problem(f"not JSON: {exc.msg}", file=self.path, line=exc.lineno, hint=hint))
        except ValueError:  # not UTF-8
            return self._broken(Problem("not JSON: not UTF-8 text", file=self.path, hint=hint))
        if not isinstance(data, dict):
            return self._broken(Problem("not a JSON object", file=self.path, hint=hint))
        theme = data.get("theme", Settings.theme)
        if theme not in THEMES:
            choices = " or ".join(repr(name) for name in THEMES)
            problem = Problem(f"{theme!r} is not a theme", file=self.path, key="theme", hint=f"use {choices}")
            return self._broken(problem)
        return Settings(theme=theme)

    def _broken(self, problem: Problem) -> Settings:
        self.warn(f"{problem}; using the default settings")
        return Settings()

    def save(self, settings: Settings) -> None:
        """Write the settings atomically; a failure costs the learner only the memory of the choice."""
        data = json.dumps({"theme": settings.theme}, indent=2) + "\n"
        try:
            atomic_write(self.path, data.encode("utf-8"))
        except OSError as exc:
            self.warn(str(Problem(f"cannot save the settings ({exc.strerror or exc})", file=self.path)))
