"""TOML files that remember where each key and array element was written, for precise errors."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import LooplabError, Problem, read_text_file

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_DECODE_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_STRINGS = (  # (opener, the whole literal); multi-line kinds first. An unclosed one runs to the end of its line.
    ('"""', re.compile(r'"""(?:[^\\"]|\\.|"(?!""))*(?:"""|\Z)', re.DOTALL)),
    ("'''", re.compile(r"'''(?:[^']|'(?!''))*(?:'''|\Z)")),
    ('"', re.compile(r'"(?:[^"\\\n]|\\.)*"?')),
    ("'", re.compile(r"'[^'\n]*'?")),
)


def format_key(path: KeyPath) -> str:
    """Render ('expect', 'sequence', 2) as expect.sequence[2]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


@dataclass
class TomlSource:
    """A parsed TOML file plus the line on which each key path starts."""

    path: Path
    data: dict[str, Any]
    text: str = ""

    @functools.cached_property
    def lines(self) -> dict[KeyPath, int]:
        """Found when a problem first needs a line: loading a valid course (every app start) skips the scan."""
        return _KeyLocator(self.text).run()

    def line_of(self, key: KeyPath) -> int | None:
        """The line of the key, or of its nearest written ancestor."""
        for end in range(len(key), 0, -1):
            line = self.lines.get(tuple(key[:end]))
            if line is not None:
                return line
        return None

    def problem(self, key: KeyPath, message: str, hint: str | None = None) -> Problem:
        return Problem(message, file=self.path, line=self.line_of(key), key=format_key(key) or None, hint=hint)


def read_toml(path: Path) -> TomlSource:
    """Parse a TOML file; a syntax error becomes a one-line LooplabError with its line."""
    text = read_text_file(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _DECODE_LINE.search(str(exc))
        message = _DECODE_LINE.sub("", str(exc)).strip()
        line = int(match.group(1)) if match else None
        raise LooplabError(Problem(f"invalid TOML: {message}", file=path, line=line)) from None
    return TomlSource(path, data, text)


class _KeyLocator:
    """A lenient scanner over already-valid TOML that records the line of every key and array element."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.found: dict[KeyPath, int] = {}
        self.table: KeyPath = ()
        self.array_tables: dict[KeyPath, int] = {}

    def run(self) -> dict[KeyPath, int]:
        while self.pos < len(self.text):
            self._skip_space(newlines=True)
            if self.pos >= len(self.text):
                break
            if self._peek() == "[":
                self._header()
            else:
                self._keyval(self.table)
            self._skip_to_line_end()
        return self.found

    def _peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def _advance(self, n: int = 1) -> None:
        chunk = self.text[self.pos : self.pos + n]
        self.line += chunk.count("\n")
        self.pos += n

    def _skip_space(self, newlines: bool) -> None:
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self._advance()
            elif ch == "#":
                while self.pos < len(self.text) and self.text[self.pos] != "\n":
                    self._advance()
            else:
                break

    def _skip_to_line_end(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] != "\n":
            if self.text[self.pos] in "\"'":
                self._string()
            else:
                self._advance()

    def _with_array_indexes(self, key: KeyPath) -> KeyPath:
        """Insert the current element index after each array-of-tables prefix."""
        out: list[str | int] = []
        for part in key:
            out.append(part)
            index = self.array_tables.get(tuple(p for p in out if isinstance(p, str)))
            if index is not None:
                out.append(index)
        return tuple(out)

    def _header(self) -> None:
        line = self.line
        is_array = self._peek(2) == "[["
        self._advance(2 if is_array else 1)
        self._skip_space(newlines=False)
        key = self._key()
        if is_array:
            self.array_tables[key] = self.array_tables.get(key, -1) + 1
        self.table = self._with_array_indexes(key)
        self.found.setdefault(self.table, line)

    def _key(self) -> KeyPath:
        parts: list[str] = []
        while True:
            self._skip_space(newlines=False)
            if self._peek() in "\"'":
                start = self.pos
                self._string()
                parts.append(tomllib.loads(f"k = {self.text[start : self.pos]}")["k"])
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    break
                parts.append(match.group(0))
                self._advance(match.end() - self.pos)
            self._skip_space(newlines=False)
            if self._peek() != ".":
                break
            self._advance()
        return tuple(parts)

    def _keyval(self, table: KeyPath) -> None:
        line = self.line
        key = self._key()
        full = table + key
        self.found.setdefault(full, line)
        self._skip_space(newlines=False)
        if self._peek() == "=":
            self._advance()
            self._skip_space(newlines=False)
            self._value(full)

    def _value(self, path: KeyPath) -> None:
        ch = self._peek()
        if ch == "[":
            self._array(path)
        elif ch == "{":
            self._inline_table(path)
        elif ch in "\"'":
            self._string()
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self._advance()

    def _array(self, path: KeyPath) -> None:
        self._advance()
        index = 0
        while self.pos < len(self.text):
            self._skip_space(newlines=True)
            if self._peek() == "]":
                self._advance()
                return
            self.found.setdefault(path + (index,), self.line)
            self._value(path + (index,))
            self._skip_space(newlines=True)
            if self._peek() == ",":
                self._advance()
                index += 1

    def _inline_table(self, path: KeyPath) -> None:
        self._advance()
        while self.pos < len(self.text):
            self._skip_space(newlines=True)
            if self._peek() == "}":
                self._advance()
                return
            if self._peek() == ",":
                self._advance()
                continue
            before = self.pos
            self._keyval(path)
            if self.pos == before:
                self._advance()

    def _string(self) -> None:
        """Step over one string literal with one regex: stepping char by char cost 0.1 s per course load."""
        for opener, pattern in _STRINGS:
            if self.text.startswith(opener, self.pos):
                match = pattern.match(self.text, self.pos)
                self._advance(match.end() - self.pos if match else len(opener))
                if len(opener) == 3:
                    while self._peek() == opener[0]:  # up to two quotes may end a multi-line string
                        self._advance()
                return
