"""A follower's side of follow mode: join a presenter with its token, then read where the class is, line by line."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from app.classroom.address import show_address
from app.classroom.protocol import MAX_LINE, ClassMessage, ProtocolError, Refused, decode, join_line
from app.errors import LooplabError, Problem

CONNECT_TIMEOUT = 5.0


class FollowConnection:
    """An open connection to a presenter that has let us in."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: ClassMessage) -> None:
        self._reader = reader
        self._writer = writer
        self._first: ClassMessage | None = first

    async def messages(self) -> AsyncIterator[ClassMessage]:
        """Every message until the presenter stops (the iteration ends) or sends something unreadable (an error)."""
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        while True:
            try:
                line = await self._reader.readline()
            except (ConnectionError, ValueError) as exc:  # ValueError: a line over MAX_LINE
                raise LooplabError(f"the presenter's connection broke: {exc}") from None
            if not line:
                return
            try:
                yield decode(line)
            except ProtocolError as exc:
                raise LooplabError(f"the presenter sent something looplab cannot read: {exc}") from None

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), 1)


async def join(host: str, port: int, token: str) -> FollowConnection:
    """Connect and show the token; a refusal or no presenter at that address is a one-line LooplabError."""
    where = show_address(host, port)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=MAX_LINE), CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        if isinstance(exc, ConnectionRefusedError):
            reason = "nothing listens there"
        else:
            reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise LooplabError(
            Problem(f"no presenter at {where}: {reason}", hint="start `looplab present` and copy the address it shows")
        ) from None
    try:
        writer.write(join_line(token))
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), CONNECT_TIMEOUT)
        first = decode(line) if line else Refused("it closed the connection")
    except (OSError, TimeoutError, ValueError) as exc:
        writer.close()
        reason = "no answer" if isinstance(exc, TimeoutError) else str(exc)
        raise LooplabError(f"the presenter at {where} did not let us in: {reason}") from None
    if isinstance(first, Refused):
        writer.close()
        raise LooplabError(f"the presenter at {where} refused to let you follow: {first.reason}")
    return FollowConnection(reader, writer, first)
