"""Fictional authorities and people: invented place names and surnames, pseudonymous children.

No real council's name is ever produced: places are compounds of invented stems, surnames are
built from syllables, and a child is only ever a `CH-` pseudonym.
"""

from __future__ import annotations

import random

_PLACE_STEMS = (
    "Wrenmarsh", "Kestrelby", "Thistlecombe", "Marrowdene", "Quillbury", "Brindlemoor",
    "Hollowmere", "Fennick", "Larkspur", "Sorrelhithe", "Bramblewick", "Heronsdyke",
    "Tansycombe", "Yarrowdale", "Corvingham", "Pellingstow", "Tarrowmouth", "Vessingford",
    "Alderkirk", "Oakenshallow", "Ravelstoke", "Mistlebrook", "Cindermere", "Gorsefold",
    "Wyvernholt", "Nettlecastle", "Saltmarrow", "Emberlow", "Duskwater", "Pipplewick",
)
_PLACE_SUFFIXES = ("", " Vale", " and Downs", " Marches", " Water", " Fields")
_COUNCIL_KINDS = (
    "County Council", "Borough Council", "Metropolitan Borough Council", "City Council",
    "District Council",
)
_FIRST_NAMES = (
    "Tamsin", "Declan", "Ayesha", "Morwenna", "Callum", "Priya", "Ewan", "Rhiannon", "Tobias",
    "Niamh", "Oluwaseun", "Imogen", "Kieran", "Farah", "Gideon", "Bethan", "Ravi", "Ottilie",
    "Lorcan", "Zainab", "Hamish", "Delyth", "Joachim", "Sunniva", "Barnaby", "Mairead",
    "Ifeoma", "Crispin", "Anwen", "Tariq", "Philippa", "Osian", "Leocadia", "Jarvis", "Keziah",
    "Anselm", "Rosalind", "Dmitri", "Wenonah", "Fergus",
)
_SURNAME_HEADS = (
    "Al", "Bar", "Cor", "Dun", "El", "Fen", "Gar", "Hal", "Ing", "Kel", "Lan", "Mor", "Nor",
    "Or", "Pen", "Quel", "Ros", "Sel", "Tor", "Vel", "Wyn", "Yar", "Zen", "Brack", "Threl",
)
_SURNAME_TAILS = (
    "bury", "croft", "dine", "fallow", "gate", "holt", "lake", "mere", "ney", "rick", "ridge",
    "shaw", "stone", "thorpe", "twell", "wick", "wood", "worth", "by", "combe",
)


def authority_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` distinct (la_code, name) pairs of invented authorities."""
    places = [stem + suffix for stem in _PLACE_STEMS for suffix in _PLACE_SUFFIXES]
    rng.shuffle(places)
    chosen: list[tuple[str, str]] = []
    codes: set[str] = set()
    for index in range(count):
        place = places[index % len(places)]
        if index >= len(places):
            place = f"{place} {index // len(places) + 1}"
        name = f"{place} {rng.choice(_COUNCIL_KINDS)}"
        # Letters and a digit: never one of England's numeric authority codes.
        stem = "".join(ch for ch in place.upper() if ch.isalpha())[:3]
        number = 1
        while f"{stem}{number}" in codes:
            number += 1
        codes.add(f"{stem}{number}")
        chosen.append((f"{stem}{number}", name))
    return chosen


class People:
    """Invents officer ids (`first.surname`) unique within one authority."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self._children: set[str] = set()

    def officer_id(self) -> str:
        while True:
            surname = self._rng.choice(_SURNAME_HEADS) + self._rng.choice(_SURNAME_TAILS)
            ref = f"{self._rng.choice(_FIRST_NAMES)}.{surname}".lower()
            if ref not in self._used:
                self._used.add(ref)
                return ref

    def child_ref(self) -> str:
        """A pseudonym: `CH-` and six hexadecimal digits, never a name."""
        while True:
            ref = f"CH-{self._rng.getrandbits(24):06X}"
            if ref not in self._children:
                self._children.add(ref)
                return ref
