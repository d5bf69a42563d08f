"""Refusing to run unsafe: the development secret, or a short one, only on this machine.

The development secret is in the source, so anyone holding it can mint an admin token. A
process reachable from elsewhere (`serve` on a non-loopback address; a `worker` on a store
elsewhere, as in a container) refuses to start with it, or with a secret shorter than
`MIN_SECRET_BYTES`, in one line saying how to fix it. On loopback (the demo, development)
it starts, with a warning.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from iro_ledger.settings import DEV_SECRET, Settings

MIN_SECRET_BYTES = 32
"""RFC 7518 section 3.2: an HS256 key at least as long as the hash output."""
HOW_TO_FIX = ("set IRO_LEDGER_JWT_SECRET to 32 or more random bytes, e.g. "
              "IRO_LEDGER_JWT_SECRET=$(openssl rand -base64 48)")


class UnsafeStart(Exception):
    """The process would run where others can reach it with a secret anyone may know."""


def secret_problem(settings: Settings) -> str | None:
    """What is wrong with the token secret, or None if it is fit for production."""
    secret = settings.jwt_secret.get_secret_value()
    if secret == DEV_SECRET:
        return ("IRO_LEDGER_JWT_SECRET is not set, and the development secret is public "
                "(anyone could mint an admin token)")
    length = len(secret.encode("utf-8"))
    if length < MIN_SECRET_BYTES:
        return f"IRO_LEDGER_JWT_SECRET is {length} bytes, too short to sign tokens"
    return None


def is_loopback(host: str | None) -> bool:
    """Whether `host` is this machine only (None: a local file or socket)."""
    if host is None or host == "" or host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def store_host(settings: Settings) -> str | None:
    """The host the store is reached on (None: an SQLite file or a local socket)."""
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        return None
    return urlsplit(url).hostname


def check_start(settings: Settings, host: str | None, where: str) -> str | None:
    """Refuse (`UnsafeStart`, one line) to run with an unfit secret when `host` is not
    loopback (`where` says what `host` is); on loopback, the warning to print (None when
    all is well)."""
    problem = secret_problem(settings)
    if problem is None:
        return None
    if not is_loopback(host):
        raise UnsafeStart(f"refusing to start ({where} is {host}, not this machine only): "
                          f"{problem}; {HOW_TO_FIX}")
    return f"warning: {problem}; fine for a demo on this machine, never beyond it"
