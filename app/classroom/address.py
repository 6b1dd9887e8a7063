"""A presenter's address as people type it: HOST:PORT, with IPv6 hosts in brackets."""

from __future__ import annotations

from app.errors import LooplabError, Problem

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
TOKEN_ENV = "LOOPLAB_JOIN_TOKEN"  # where `looplab follow` finds the join token when --token is not given


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise LooplabError(
            Problem(
                f"{text!r} is not an address",
                hint="write HOST:PORT as the presenter's screen shows it, e.g. 127.0.0.1:41235",
            )
        )
    return host, int(port)


def show_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")
