"""Print a handout's HTML to PDF with a converter found on PATH: headless Chromium first, then WeasyPrint.

Chromium first: it draws the page exactly as the browser the HTML was checked in, inline SVG and print CSS
included, and it is the browser the course's browser tests use; WeasyPrint is the lighter fallback.

The converter runs in a process group of its own (Chromium starts a zygote, a renderer and a GPU process), which
is killed whole when it is done or out of time, so nothing of it outlives the export. Chromium gets a fresh profile
in a temporary folder (not the user's, and never handed over to a Chromium already open) and the same no-network
flags as the course's browser tests: the page needs nothing from outside this machine, and cannot reach it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import LooplabError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install chromium (apt-get install chromium) or weasyprint (pip install weasyprint)"
TIMEOUT = 120  # seconds a converter may take for one lesson
CHROMIUM_OFFLINE = (  # a headless Chromium that reaches for nothing by itself (tests/browser.py starts it so too)
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
)


@dataclass(frozen=True)
class PdfConverter:
    name: str  # how the user would call it: "chromium --headless --print-to-pdf"
    path: str

    def command(self, html: Path, pdf: Path, profile: Path) -> list[str]:
        if self.name == "weasyprint":
            return [self.path, str(html), str(pdf)]
        sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # refused as root else
        return [
            self.path,
            *CHROMIUM_OFFLINE,
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: the file:// page is all it reads
            "--no-pdf-header-footer",
            *sandbox,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]


def find_converter() -> PdfConverter | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return PdfConverter(f"{name} --headless --print-to-pdf", path)
    path = shutil.which("weasyprint")
    return PdfConverter("weasyprint", path) if path else None


def print_to_pdf(converter: PdfConverter, html: Path, pdf: Path, timeout: float | None = None) -> None:
    """Convert within `timeout` seconds (TIMEOUT by default), or raise a one-line error with the converter's last
    words; either way, no process of the converter is left."""
    timeout = TIMEOUT if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="looplab-pdf-profile-") as profile:
        try:
            process = subprocess.Popen(
                converter.command(html, pdf, Path(profile)),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        except OSError as exc:
            raise LooplabError(f"{converter.name} could not start: {exc}") from None
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LooplabError(f"{converter.name} took more than {timeout:g} s; no PDF written") from None
        finally:
            _kill_group(process)
    if process.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        last = (stderr.strip().splitlines() or ["no message"])[-1]
        raise LooplabError(f"{converter.name} failed (exit code {process.returncode}): {last}")


def _kill_group(process: subprocess.Popen[str]) -> None:
    """The converter and every process it started (its group): gone, and the converter reaped."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=5)
