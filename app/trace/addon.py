"""Build the loop-marker addon with the local C compiler, once per Node version, and cache it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.nodejs.locate import NodeBinary, bundled_node_path
from app.paths import cache_dir

SOURCE = Path(__file__).with_name("loop_markers.c")
TRACER = Path(__file__).with_name("tracer.js")


@dataclass(frozen=True)
class AddonBuild:
    path: Path | None  # None: phases will be inferred from resource types
    reason: str  # how it was obtained, or why there is none


def node_headers(node: NodeBinary) -> Path | None:
    """The include/node folder of this Node, else the bundled Node's (N-API and libuv 1.x keep their ABI)."""
    candidates = [node.path.resolve().parent.parent / "include" / "node"]
    bundled = bundled_node_path()
    if bundled is not None:
        candidates.append(bundled.resolve().parent.parent / "include" / "node")
    return next((c for c in candidates if (c / "node_api.h").is_file() and (c / "uv.h").is_file()), None)


def find_compiler() -> str | None:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def build_addon(node: NodeBinary, cache: Path | None = None) -> AddonBuild:
    """The compiled addon for this Node: from the cache, or compiled now (about a quarter of a second)."""
    if os.environ.get("LOOPLAB_NO_ADDON"):
        return AddonBuild(None, "LOOPLAB_NO_ADDON is set")
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:12]
    target = (cache or cache_dir() / "addons") / f"loop_markers-{node.version}-{digest}.node"
    if target.is_file():
        return AddonBuild(target, f"cached {target}")
    compiler = find_compiler()
    if compiler is None:
        return AddonBuild(None, "no C compiler found (set CC or install gcc or clang)")
    headers = node_headers(node)
    if headers is None:
        return AddonBuild(None, f"no Node headers (include/node) next to {node.path} or the bundled Node")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".loop_markers-", suffix=".node", dir=target.parent)
    os.close(fd)
    command = [compiler, "-O2", "-shared", "-fPIC", f"-I{headers}", "-o", temp, str(SOURCE)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        os.unlink(temp)
        return AddonBuild(None, f"compiling the addon failed: {exc}")
    if done.returncode != 0:
        os.unlink(temp)
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return AddonBuild(None, f"compiling the addon failed: {last[:200]}")
    os.replace(temp, target)  # another looplab building the same file at once is harmless
    return AddonBuild(target, f"compiled with {Path(compiler).name} against {headers}")
