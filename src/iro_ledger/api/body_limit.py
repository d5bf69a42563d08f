"""A cap on request bodies: a body larger than the limit is 413 before any handler runs.

One command is small (its longest text is 20,000 characters), so the default of 1 MiB leaves
room for escapes and still stops a client from making the server buffer megabytes. The body is
read (up to the limit) before the app sees it, so a body that lies about its length, or sends
no length at all, is refused the same way.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iro_ledger.api.errors import problem

DEFAULT_MAX_BODY_BYTES = 1_048_576


class BodyLimit:
    """ASGI middleware answering 413 problem+json to a body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Request(scope).headers.get("content-length", "")
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
        pending: list[Message] = [first] if first is not None else [
            {"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay() -> Message:
            return pending.pop() if pending else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(Request(scope), 413, "too-large",
                           f"the request body is larger than {self.max_bytes} bytes")
        await response(scope, receive, send)
