"""Where a witness finds a log's checkpoints and where it sends its cosignatures.

`HttpLog` reads the log's public proof API (`GET /proof/checkpoints/latest`, `GET
/proof/consistency`) and posts cosignatures back (`POST /proof/cosignatures`). `FileLog` reads a
consistency file (`iro-ledger consistency`) or a bare checkpoint note, for a witness that never
talks to the log's host; its cosignature is a small JSON file (`COSIGNATURE_FORMAT`) the operator
stores with `iro-ledger cosignature FILE`.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iro_ledger.trust.verifier import CONSISTENCY_FORMAT
from iro_ledger.trust.witness import Offer

COSIGNATURE_FORMAT = "iro-ledger-cosignature/1"
TIMEOUT_SECONDS = 30

Fetch = Callable[[str, str, bytes | None], tuple[int, bytes]]
"""(method, url, JSON body or None) -> (HTTP status, response body)."""


class SourceError(Exception):
    """The log could not be read or did not answer as its API promises."""


def urllib_fetch(method: str, url: str, body: bytes | None) -> tuple[int, bytes]:
    """One HTTP request with the standard library (the witness needs nothing else)."""
    request = urllib.request.Request(url, data=body, method=method, headers={
        "Accept": "application/json", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as answered:
        return int(answered.code), bytes(answered.read())
    except (urllib.error.URLError, OSError) as unreachable:
        raise SourceError(f"cannot reach {url}: {unreachable}") from None


def cosignature_document(tree_size: int, witness: str, line: str) -> dict[str, Any]:
    """What a witness hands back: which checkpoint, which witness (vkey), the line."""
    return {"format": COSIGNATURE_FORMAT, "tree_size": tree_size, "witness": witness,
            "cosignature": line}


class HttpLog:
    """A log reached over HTTP at `base_url` (the API's root, e.g. https://host)."""

    def __init__(self, base_url: str, fetch: Fetch = urllib_fetch) -> None:
        self.base_url = base_url.rstrip("/")
        self.fetch = fetch

    def offer(self, old_size: int) -> Offer | None:
        """The latest checkpoint, with a proof from `old_size` when it is larger; None if the
        log has signed no checkpoint yet."""
        latest = self._get("/proof/checkpoints/latest", missing_ok=True)
        if latest is None:
            return None
        note, size = _text(latest, "note"), latest.get("tree_size")
        if not isinstance(size, int):
            raise SourceError("the latest checkpoint has no tree size")
        if old_size == 0 or size <= old_size:
            return Offer(note, old_size, [])
        found = self._get(f"/proof/consistency?from_size={old_size}&to_size={size}") or {}
        return Offer(note, old_size, _hashes(found.get("consistency_proof")))

    def deliver(self, tree_size: int, witness: str, line: str) -> str:
        body = json.dumps(cosignature_document(tree_size, witness, line)).encode()
        status, answer = self.fetch("POST", f"{self.base_url}/proof/cosignatures", body)
        if status not in (200, 201):
            raise SourceError(f"the log refused the cosignature (HTTP {status}): "
                              f"{answer.decode(errors='replace')[:300]}")
        return f"{self.base_url}/proof/cosignatures"

    def _get(self, path: str, missing_ok: bool = False) -> dict[str, Any] | None:
        status, body = self.fetch("GET", f"{self.base_url}{path}", None)
        if status == 404 and missing_ok:
            return None
        if status != 200:
            raise SourceError(f"GET {path} answered HTTP {status}: "
                              f"{body.decode(errors='replace')[:300]}")
        try:
            document = json.loads(body)
        except ValueError:
            raise SourceError(f"GET {path} did not answer JSON") from None
        if not isinstance(document, dict):
            raise SourceError(f"GET {path} did not answer a JSON object")
        return document


class FileLog:
    """A checkpoint handed over as a file: a consistency file, or a bare checkpoint note."""

    def __init__(self, path: Path, write: Callable[[str], str]) -> None:
        self.path = path
        self.write = write

    def offer(self, old_size: int) -> Offer:
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as unreadable:
            raise SourceError(f"cannot read {self.path}: {unreadable}") from None
        if not text.lstrip().startswith("{"):
            return Offer(text, 0, [])
        try:
            document = json.loads(text)
        except ValueError:
            raise SourceError(f"{self.path} is not JSON") from None
        if not isinstance(document, dict) or document.get("format") != CONSISTENCY_FORMAT:
            raise SourceError(f"{self.path} is neither a checkpoint note nor a "
                              f"{CONSISTENCY_FORMAT} file")
        start = document.get("from_size")
        if not isinstance(start, int):
            raise SourceError(f"{self.path} has no from_size")
        return Offer(_text(document, "checkpoint"), start,
                     _hashes(document.get("consistency_proof")))

    def deliver(self, tree_size: int, witness: str, line: str) -> str:
        """Hand the cosignature file's text to `write`, which says where it went."""
        return self.write(json.dumps(cosignature_document(tree_size, witness, line), indent=2)
                          + "\n")


def _text(document: dict[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str):
        raise SourceError(f"the log's answer has no {name}")
    return value


def _hashes(encoded: Any) -> list[bytes]:
    if not isinstance(encoded, list) or not all(isinstance(h, str) for h in encoded):
        raise SourceError("the consistency proof is not a list of base64 hashes")
    try:
        return [base64.b64decode(h, validate=True) for h in encoded]
    except ValueError:
        raise SourceError("the consistency proof is not valid base64") from None
