"""The app tests' small course plus a lesson that opens with the TLS view and one TLS exchange to run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_files
from tests.tui_course import TRACES, write_tui_course

HANDSHAKE = r"""
title = "One TLS exchange"
kind = "explore"
prompt = "A TLS server and one client on loopback. Run it and read the handshake ladder."
timeout = 10

[tls]
hosts = ["127.0.0.1"]

[expect]
sequence = [
  { re = 'client: TLSv1\.3 TLS_AES_256_GCM_SHA384 X25519(MLKEM768)?' },
  "client got: pong to ping",
  "closed, 10 key-log lines",
]
"""


def write_tls_course(root: Path) -> Path:
    """tests/tui_course.py's course, with a third lesson `tls` (views loop and tls) and its exercise `handshake`."""
    write_tui_course(root)
    write_files(
        root,
        {
            "lessons/tls/lesson.toml": (
                'title = "TLS handshakes"\nsection = "loop"\norder = 3\nsummary = "A handshake, step by step."\n'
                'exercises = ["handshake"]\nviews = ["loop", "tls"]\n'
            ),
            "lessons/tls/slides.md": "# TLS\n\nA ClientHello, a server flight, a Finished.\n",
            "exercises/handshake/exercise.toml": HANDSHAKE,
        },
    )
    (root / "exercises/handshake/starter.js").write_bytes((TRACES / "tls_handshake.js").read_bytes())
    return root
