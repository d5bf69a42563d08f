"""What a request's address may say in the access log and in spans: the route, never values.

URLs carry what must not be logged: a token someone pasted into a link, officer ids (people's
names) and case ids in paths and query strings. So the uvicorn access line and the request
span's name, `http.route`, `http.target` and `http.url` (`api.request_spans`) show the matched
route's template (`/authorities/{la_code}/officers/{officer_id}/record`) and the query's
parameter names with every value replaced (`?officer_id=*&status=*`). An address no route
matches is shown as `/{unmatched}`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from urllib.parse import parse_qsl, unquote

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope

ACCESS_LOGGER = "uvicorn.access"
HIDDEN = "*"
UNMATCHED = "/{unmatched}"
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")
"""A parameter name the API could have; any other name (a pasted token, say) is hidden too."""


def redacted_target(routes: Sequence[BaseRoute], method: str, target: str, *,
                    template: Callable[[str, str], str] | None = None) -> str:
    """`target` (a path with its query) as it may be logged: see the module docstring.
    `template(method, path)` finds the route's template (default: `route_of(routes, ...)`)."""
    raw_path, _, query = target.partition("?")
    path = unquote(raw_path)
    shown = template(method, path) if template else route_of(routes, method, path)
    if query:
        names = [name if _NAME.fullmatch(name) else "?"
                 for name, _ in parse_qsl(query, keep_blank_values=True)]
        shown += "?" + "&".join(f"{name}={HIDDEN}" for name in names or ["?"])
    return shown


def route_of(routes: Sequence[BaseRoute], method: str, path: str) -> str:
    """The template of the route `path` is served by, whatever its method."""
    scope: Scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    for route in iter_route_contexts(routes):  # routers included in routers, flattened
        match, _ = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route.original_route, Mount):
            return f"{route.path}/{{path}}"
        return route.path or UNMATCHED
    return UNMATCHED


def host_of(scope: Scope) -> str:
    """The host a request was addressed to (its Host header, else the server's address)."""
    for name, value in scope.get("headers", []):
        if name == b"host":
            return bytes(value).decode("latin-1")
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else ""


TEMPLATES_KEPT = 1024
"""Addresses whose route template is kept (in memory only, never logged)."""


def route_templates(routes: Sequence[BaseRoute]) -> Callable[[str, str], str]:
    """`route_of(routes, method, path)`, remembering the templates of recent addresses:
    matching an address against every route costs more than the rest of a log line or a
    span, and most addresses recur (every command's is fixed)."""
    return lru_cache(maxsize=TEMPLATES_KEPT)(lambda method, path: route_of(routes, method, path))


class RedactedAccessLog(logging.Filter):
    """Rewrites uvicorn's access line (`'%s - "%s %s HTTP/%s" %d'`) to the redacted target."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        super().__init__()
        self.routes = routes
        self.template = route_templates(routes)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, target, http_version, status = args
            record.args = (client, method, redacted_target(self.routes, str(method),
                                                           str(target), template=self.template),
                           http_version, status)
        return True

