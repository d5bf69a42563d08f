"""A cap on request bodies: a body larger than the limit is 413 before any handler runs.

One command is small (its longest text is 20,000 characters), so the default of 1 MiB leaves
room for escapes and still stops a client from making the server buffer megabytes. The body is
read (up to the limit) before the app sees it, so a body that lies about its length, or sends
no length at all, is refused the same way.

A JSON body nesting deeper than `MAX_JSON_DEPTH` is 400 too, before any parser recurses
through it: no command comes near it (`details` may nest 8 deep), and a parser's recursion
limit must never be what answers.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iro_ledger.api.errors import problem

DEFAULT_MAX_BODY_BYTES = 1_048_576
MAX_JSON_DEPTH = 32
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def too_deep(body: bytes) -> bool:
    """Whether a JSON text nests deeper than `MAX_JSON_DEPTH`. A text with no more opening
    brackets than that cannot, whatever its strings hold: every command's body is such, so
    it is counted (in C) rather than scanned."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    return json_depth(body) > MAX_JSON_DEPTH


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests arrays and objects (brackets inside strings not counted);
    a text that is not JSON gets some number, and its parser refuses it afterwards."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b"", body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BodyLimit:
    """ASGI middleware answering 413 problem+json to a body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        first: Message | None = None
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first = message
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if "json" in _header(scope, b"content-type") and too_deep(body):
            response = problem(Request(scope), 400, "too-deep",
                               f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
            await response(scope, receive, send)
            return
        pending: list[Message] = [first] if first is not None else [
            {"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(Request(scope), 413, "too-large",
                           f"the request body is larger than {self.max_bytes} bytes")
        await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str:
    """A request header's value ("" if absent), read from the scope without building a
    `Headers` (names there are lower case)."""
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""
