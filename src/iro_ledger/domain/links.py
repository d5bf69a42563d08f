"""Links from one record to another it was about: `kind:id`, e.g. `challenge:ch-1`.

A threat of disciplinary action or an ending of an engagement may be recorded as being about
a challenge, a concern, an annual report or a case. The link is the record's own account of
why it happened, so the rules can join an act to its dispute however long after it came.
"""

from __future__ import annotations

from iro_ledger.domain.errors import InvalidValue
from iro_ledger.domain.record import check_ref
from iro_ledger.domain.values import LinkKind

MAX_LINKS = 20


def parse_link(field: str, link: str) -> tuple[LinkKind, str]:
    """(kind, id) of a `kind:id` link; InvalidValue naming `field` when malformed."""
    kind, sep, ref = link.partition(":")
    if not sep or kind not in [k.value for k in LinkKind]:
        allowed = ", ".join(k.value for k in LinkKind)
        raise InvalidValue(field, f"{link!r} is not kind:id with kind one of {allowed}")
    check_ref(field, ref)
    return LinkKind(kind), ref


def check_links(field: str, links: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The links, checked for form and repeats, as stored (a tuple, in the order given)."""
    if len(links) > MAX_LINKS:
        raise InvalidValue(field, f"at most {MAX_LINKS} links")
    for link in links:
        parse_link(field, link)
    if len(set(links)) != len(links):
        raise InvalidValue(field, "names the same record twice")
    return tuple(links)
