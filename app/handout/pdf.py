"""Print a handout's HTML to PDF with a converter found on PATH: headless Chromium first, then WeasyPrint.

Chromium first: it draws the page exactly as the browser the HTML was checked in, inline SVG and print CSS
included, and it is the browser the course's browser tests use; WeasyPrint is the lighter fallback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.errors import LooplabError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install chromium (apt-get install chromium) or weasyprint (pip install weasyprint)"
TIMEOUT = 120  # seconds a converter may take for one lesson


@dataclass(frozen=True)
class PdfConverter:
    name: str  # how the user would call it: "chromium --headless --print-to-pdf"
    path: str

    def command(self, html: Path, pdf: Path) -> list[str]:
        if self.name == "weasyprint":
            return [self.path, str(html), str(pdf)]
        sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # refused as root else
        return [
            self.path,
            "--headless",
            "--disable-gpu",
            *sandbox,
            "--no-pdf-header-footer",
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


def print_to_pdf(converter: PdfConverter, html: Path, pdf: Path) -> None:
    """Convert, or raise a one-line error with the converter's last words."""
    try:
        done = subprocess.run(
            converter.command(html, pdf), capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise LooplabError(f"{converter.name} took more than {TIMEOUT} s; no PDF written") from None
    except OSError as exc:
        raise LooplabError(f"{converter.name} could not start: {exc}") from None
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise LooplabError(f"{converter.name} failed (exit code {done.returncode}): {last}")
