"""Small SSDA903 returns written as literal CSV, in the return's own column layout.

CHILD ids carry letters that are not hexadecimal, so no pseudonym could contain one by chance;
the identifying values (UPN, postcodes, DOB, URN) are fake but shaped like the real thing.
"""

from __future__ import annotations

import json
from datetime import date

from iro_ledger.ssda903 import Mapping, Options, Pseudonyms, map_return, parse_return

TODAY = date(2024, 6, 28)
LA = "QZ1"
KEY = b"unit-test-pseudonym-key-not-a-secret-0123"
UPN, DOB, SEX, ETHNIC = "Q123456789012", "14/02/2013", "2", "WROM"
HOME_POST, PL_POST, URN = "QX1 1QX", "QY2 2QY", "SC987654"

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = ("CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
            "HOME_POST,PL_POST,URN\n")
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\n"


def header(*children: str) -> str:
    return HEADER + "".join(f"{c},{SEX},{DOB},{ETHNIC},{UPN},,\n" for c in children)


def episode(child: str, decom: str, rne: str = "S", ls: str = "C2", dec: str = "",
            rec: str = "", why: str = "") -> str:
    return f"{child},{decom},{rne},{ls},N1,U1,PR1,{dec},{rec},{why},{HOME_POST},{PL_POST},{URN}\n"


def review(child: str, on: str, code: str = "PN1") -> str:
    return f"{child},{DOB},{on},{code}\n"


def texts(children: tuple[str, ...], episodes: list[str],
          reviews: list[str] | None = None) -> dict[str, str]:
    return {"header.csv": header(*children), "episodes.csv": EPISODES + "".join(episodes),
            "reviews.csv": REVIEWS + "".join(reviews or [])}


def options(key: bytes = KEY, la: str = LA, name: str | None = "Quarry Vale",
            officer: bool = True, year: int | None = None) -> Options:
    """`year`: the collection year the return covers (default: inferred from its episodes)."""
    return Options(la, Pseudonyms(key, la), TODAY, name, register_officer=officer, year=year)


def mapped(children: tuple[str, ...], episodes: list[str], reviews: list[str] | None = None,
           opts: Options | None = None) -> Mapping:
    return map_return(parse_return(texts(children, episodes, reviews)), opts or options())


def jsonl(mapping: Mapping) -> str:
    return "".join(json.dumps(command.body) + "\n" for command in mapping.commands)


def named(mapping: Mapping, command: str) -> list[dict[str, object]]:
    return [c.body for c in mapping.commands if c.body["command"] == command]
