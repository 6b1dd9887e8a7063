"""Build the loop-marker addon (C, N-API) and the heap hooks (C++, V8's API) with the local compilers, once per Node
version, and cache them."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.nodejs.locate import NodeBinary, bundled_node_path
from app.paths import cache_dir

SOURCE = Path(__file__).with_name("loop_markers.c")
HEAP_SOURCE = Path(__file__).with_name("heap_hooks.cc")
TRACER = Path(__file__).with_name("tracer.js")


@dataclass(frozen=True)
class AddonBuild:
    path: Path | None  # None: phases will be inferred from resource types
    reason: str  # how it was obtained, or why there is none
    heap: Path | None = None  # the heap hooks (GC pauses, heap spaces); None: the heap view stays empty
    heap_reason: str = ""


def node_headers(node: NodeBinary) -> Path | None:
    """The include/node folder of this Node, else the bundled Node's (N-API and libuv 1.x keep their ABI)."""
    candidates = [node.path.resolve().parent.parent / "include" / "node"]
    bundled = bundled_node_path()
    if bundled is not None:
        candidates.append(bundled.resolve().parent.parent / "include" / "node")
    return next((c for c in candidates if (c / "node_api.h").is_file() and (c / "uv.h").is_file()), None)


def find_compiler() -> str | None:
    return _first_on_path(os.environ.get("CC"), "cc", "gcc", "clang")


def find_cxx_compiler() -> str | None:
    return _first_on_path(os.environ.get("CXX"), "c++", "g++", "clang++")


def _first_on_path(*names: str | None) -> str | None:
    return next((found for name in names if name and (found := shutil.which(name))), None)


def build_addon(node: NodeBinary, cache: Path | None = None) -> AddonBuild:
    """The compiled addons for this Node: from the cache, or compiled now (a quarter of a second; the heap hooks,
    C++ against V8's headers, two seconds)."""
    if os.environ.get("LOOPLAB_NO_ADDON"):
        return AddonBuild(None, "LOOPLAB_NO_ADDON is set")
    folder = cache or cache_dir() / "addons"
    markers = _build(SOURCE, node, folder, find_compiler(), node_headers(node), ["-O2"])
    if markers.path is None:
        return markers
    heap = _build(HEAP_SOURCE, node, folder, find_cxx_compiler(), own_headers(node), ["-O2", "-std=c++20"])
    return AddonBuild(markers.path, markers.reason, heap.path, heap.reason)


def own_headers(node: NodeBinary) -> Path | None:
    """This Node's own include/node: V8's C++ API, unlike N-API, changes between versions."""
    folder = node.path.resolve().parent.parent / "include" / "node"
    try:
        text = (folder / "node_version.h").read_text()
    except OSError:
        return None
    numbers = [re.search(rf"#define NODE_{part}_VERSION (\d+)", text) for part in ("MAJOR", "MINOR", "PATCH")]
    found = "v" + ".".join(m.group(1) if m else "?" for m in numbers)
    return folder if found == node.version and (folder / "v8.h").is_file() else None


def _build(
    source: Path, node: NodeBinary, folder: Path, compiler: str | None, headers: Path | None, flags: list[str]
) -> AddonBuild:
    label = "the heap hooks" if source == HEAP_SOURCE else "the addon"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    target = folder / f"{source.stem}-{node.version}-{digest}.node"  # tracer.js checks heap_hooks-<version>-
    if target.is_file():
        return AddonBuild(target, f"cached {target}")
    if compiler is None:
        language = "C++" if source.suffix == ".cc" else "C"
        return AddonBuild(None, f"no {language} compiler found (set {'CXX' if language == 'C++' else 'CC'})")
    if headers is None:
        return AddonBuild(None, f"no Node headers (include/node) for {node.version} next to {node.path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{source.stem}-", suffix=".node", dir=target.parent)
    os.close(fd)
    command = [compiler, *flags, "-shared", "-fPIC", f"-I{headers}", "-o", temp, str(source)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        os.unlink(temp)
        return AddonBuild(None, f"compiling {label} failed: {exc}")
    if done.returncode != 0:
        os.unlink(temp)
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return AddonBuild(None, f"compiling {label} failed: {last[:200]}")
    os.replace(temp, target)  # another looplab building the same file at once is harmless
    return AddonBuild(target, f"compiled with {Path(compiler).name} against {headers}")
