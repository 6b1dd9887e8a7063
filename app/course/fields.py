"""Typed reads from a TOML table that record a located Problem instead of raising."""

from __future__ import annotations

from typing import Any

from app.course.toml_source import KeyPath, TomlSource
from app.errors import Problem, did_you_mean

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "an array", dict: "a table"}


class TableReader:
    """Reads one TOML table; every bad key becomes a Problem naming the file, line and key."""

    def __init__(self, source: TomlSource, table: dict[str, Any], path: KeyPath, problems: list[Problem]):
        self.source = source
        self.table = table
        self.path = path
        self.problems = problems

    def problem(self, key: str | int | KeyPath, message: str, hint: str | None = None) -> None:
        full = self.path + (key if isinstance(key, tuple) else (key,))
        self.problems.append(self.source.problem(full, message, hint))

    def allow_only(self, *allowed: str) -> None:
        """Report every key of the table that the format does not know."""
        for key in self.table:
            if key not in allowed:
                self.problem(key, "unknown key", did_you_mean(key, allowed))

    def get(self, key: str, kind: type, *, required: bool = False, default: Any = None) -> Any:
        if key not in self.table:
            if required:
                self.problems.append(self.source.problem(self.path + (key,), f"missing required key {key!r}"))
            return default
        value = self.table[key]
        # bool is an int in Python; an integer key must not accept true/false.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problem(key, f"must be {_TYPE_NAMES[kind]}, not {describe_value(value)}")
            return default
        return value

    def text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self.get(key, str, required=required, default=default)
        if required and isinstance(value, str) and not value.strip():
            self.problem(key, "must not be empty")
        return value

    def integer(
        self, key: str, *, low: int, high: int, default: int | None = None, required: bool = False
    ) -> int | None:
        value = self.get(key, int, required=required, default=default)
        if isinstance(value, int) and not low <= value <= high:
            self.problem(key, f"must be between {low} and {high}, not {value}")
            return default
        return value

    def number(self, key: str, *, low: float, high: float, default: float) -> float:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"must be a number, not {describe_value(value)}")
            return default
        if not low <= value <= high:
            self.problem(key, f"must be between {low:g} and {high:g}, not {value:g}")
            return default
        return float(value)

    def text_list(self, key: str, *, required: bool = False) -> list[str]:
        values = self.get(key, list, required=required, default=[])
        out = []
        for i, item in enumerate(values):
            if isinstance(item, str) and item.strip():
                out.append(item)
            else:
                self.problem((key, i), f"must be a non-empty string, not {describe_value(item)}")
        return out

    def sub_table(self, key: str) -> TableReader | None:
        value = self.get(key, dict)
        return None if value is None else TableReader(self.source, value, self.path + (key,), self.problems)

    def tables(self, key: str) -> list[TableReader]:
        """An array of tables, written either as [[key]] sections or as an inline array."""
        readers = []
        for i, item in enumerate(self.get(key, list, default=[])):
            if isinstance(item, dict):
                readers.append(TableReader(self.source, item, self.path + (key, i), self.problems))
            else:
                self.problem((key, i), f"must be a table, not {describe_value(item)}")
        return readers


def describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return f"{name} ({value!r})" if kind in (str, int) else name
    if isinstance(value, float):
        return f"a number ({value!r})"
    return type(value).__name__
