"""One write per answer: uvicorn's protocol over a transport that gathers a turn's writes."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.server import ServerState

from ita_rent_bot.http_protocol import GatheringTransport, OneWriteHttpProtocol


class Wire:
    """The socket side of a transport: what was written, in which calls, and when closed."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.reading = True

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.9", 40000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse(f"hello {scope['path']}")(scope, receive, send)


async def _settled() -> None:
    for _ in range(20):  # a few turns of the loop: the app's task, then the gathered write
        await asyncio.sleep(0)


async def test_an_answer_is_one_write_head_and_body() -> None:
    config = Config(_app, http=OneWriteHttpProtocol, access_log=False, log_config=None)
    config.load()
    protocol = OneWriteHttpProtocol(config, ServerState(), {}, asyncio.get_running_loop())
    wire = Wire()
    protocol.connection_made(wire)  # type: ignore[arg-type]
    protocol.data_received(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
    await _settled()
    protocol.data_received(b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await _settled()
    assert len(wire.writes) == 2
    first, second = wire.writes
    assert first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert first.endswith(b"\r\n\r\nhello /a")
    assert second.endswith(b"\r\n\r\nhello /b")
    assert wire.closed  # Connection: close, after its answer went out


async def test_a_turns_writes_go_out_together_and_a_close_sends_them_first() -> None:
    loop = asyncio.get_running_loop()
    wire = Wire()
    gathering = GatheringTransport(wire, loop)  # type: ignore[arg-type]
    gathering.write(b"head ")
    gathering.write(b"body")
    assert wire.writes == []
    await _settled()
    assert wire.writes == [b"head body"]
    gathering.write(b"last")
    gathering.close()
    assert wire.writes == [b"head body", b"last"]
    assert wire.closed
    gathering.write(b"too late")  # dropped, as a closing transport drops it
    await _settled()
    assert wire.writes == [b"head body", b"last"]
    gathering.pause_reading()  # everything else is the transport's own
    assert not wire.reading
    assert gathering.get_extra_info("peername") == ("127.0.0.9", 40000)
