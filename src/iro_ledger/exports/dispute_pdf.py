"""The dispute bundle as a PDF a person reads, prints and files.

It is drawn from the bundle's JSON alone (`dispute_bundle`), so it shows exactly what the
sealed content says: a cover page saying what the bundle proves and how to check it, the
challenge, the case timeline with when each thing happened and when it was recorded (and how
late), what management did to the officer and the instructions in force, the flags with their
explanation and basis, and an annex of every event with its place in the log. The PDF is for
reading; the proof is the JSON (its digest is printed on every page so the two can be matched).

The text is set in DejaVu Sans, which covers the characters people type in names and reasons:
from the npm package `dejavu-fonts-ttf` that `make install` puts beside the dashboard's
stylesheet, else Debian's fonts-dejavu, else `IRO_LEDGER_PDF_FONT_DIR`. Without any of them
the PDF falls back to a core font and shows characters outside Latin-1 as '?'.
"""

from __future__ import annotations

import base64
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from iro_ledger.trust.verifier import content_digest

FONT = "DejaVu"
FONT_DIRS = (
    Path(sys.prefix) / "web-assets" / "node_modules" / "dejavu-fonts-ttf" / "ttf",
    Path("/usr/share/fonts/truetype/dejavu"),
)
GREY = (90, 90, 90)
HEAD = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


def font_dir() -> Path | None:
    """Where DejaVu Sans (regular and bold) is found, if anywhere."""
    chosen = os.environ.get("IRO_LEDGER_PDF_FONT_DIR")
    for place in ((Path(chosen),) if chosen else ()) + FONT_DIRS:
        if (place / "DejaVuSans.ttf").is_file() and (place / "DejaVuSans-Bold.ttf").is_file():
            return place
    return None


class _Document(FPDF):
    def __init__(self, title: str, digest: str) -> None:
        super().__init__(format="A4")
        self.title_line, self.digest = title, digest
        found = font_dir()
        self.unicode = found is not None
        if found is not None:
            self.add_font(FONT, "", str(found / "DejaVuSans.ttf"))
            self.add_font(FONT, "B", str(found / "DejaVuSans-Bold.ttf"))
        self.family = FONT if self.unicode else "Helvetica"
        self.set_auto_page_break(True, margin=18)
        self.set_margins(15, 15, 15)

    def text_of(self, value: Any) -> str:
        text = "" if value is None else str(value)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(self.family, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 4, self.text_of(f"{self.title_line} · bundle digest {self.digest} · "
                                     f"page {self.page_no()} of {{nb}}"), align="C")
        self.set_text_color(0, 0, 0)


def dispute_pdf(bundle: dict[str, Any]) -> bytes:
    """The PDF of a dispute bundle (see the module docstring)."""
    content = bundle["content"]
    dispute = content["dispute"]
    title = f"Dispute bundle: challenge {dispute['challenge_id']} ({dispute['la_code']})"
    digest = base64.b64encode(content_digest(content)).decode()
    pdf = _Document(title, digest)
    pdf.set_title(title)
    pdf.set_author("iro-ledger")
    pdf.set_lang("en-GB")
    pdf.alias_nb_pages()
    _cover(pdf, content, bundle.get("seal", ""), title, digest)
    _challenge(pdf, content)
    _timeline(pdf, content)
    _officer(pdf, content)
    _flags(pdf, content)
    _annex(pdf, content)
    return bytes(pdf.output())


# Pieces of text


def _heading(pdf: _Document, text: str, size: int = 14) -> None:
    pdf.set_font(pdf.family, "B", size)
    pdf.multi_cell(0, size * 0.5, pdf.text_of(text), align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _para(pdf: _Document, text: str, size: float = 10, bold: bool = False) -> None:
    pdf.set_font(pdf.family, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.48, pdf.text_of(text), align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _table(pdf: _Document, head: Sequence[str], rows: Iterable[Sequence[Any]],
           widths: Sequence[int], size: float = 8) -> None:
    pdf.set_font(pdf.family, "", size)
    with pdf.table(col_widths=tuple(widths), headings_style=HEAD, line_height=size * 0.5,
                   text_align="LEFT", repeat_headings=1) as table:
        row = table.row()
        for cell in head:
            row.cell(pdf.text_of(cell))
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(pdf.text_of(value))
    pdf.ln(3)


def _ref(ref: dict[str, Any] | None) -> str:
    if not ref:
        return ""
    number = ref.get("number", ref.get("event_number"))
    return f"{ref['kind']} {ref['id']} #{number} (position {ref['position']})"


def _words(text: Any) -> str:
    """A term of the domain language (`contract_terminated`) as words."""
    return "" if text is None else str(text).replace("_", " ")


def _type(event_type: str) -> str:
    """`Case.RecommendationMade` as `Case. Recommendation Made`, so that a narrow column
    breaks it between words."""
    return re.sub(r"(?<=[a-z.])(?=[A-Z])", " ", event_type)


def _stamp(moment: str | None) -> str:
    """A stored UTC time to the second, as printed (the JSON keeps it whole)."""
    return "" if not moment else f"{moment[:10]} {moment[11:19]}"


def _fields(fields: dict[str, Any]) -> str:
    return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in sorted(fields.items())
                     if v not in (None, "", [], {}))


# Sections


def _cover(pdf: _Document, content: dict[str, Any], seal: str, title: str,
           digest: str) -> None:
    dispute, made = content["dispute"], content["made"]
    pdf.add_page()
    _heading(pdf, title, 18)
    authority = dispute["authority"] or dispute["la_code"]
    _para(pdf, f"{authority}. Case {dispute['case_id']}; raised by {dispute['officer_id']}.")
    arbitration = dispute.get("arbitration")
    if arbitration:
        _para(pdf, f"Referred to {arbitration['body']} on {arbitration['requested_on']}.")
    _para(pdf, f"Made {made['at']} for {made['for']} ({made['role']}); figures as of "
               f"{made['as_of']}.", 9)
    pdf.ln(2)
    _heading(pdf, "What this bundle proves", 13)
    for sentence in content["proves"]:
        _para(pdf, f"• {sentence}")
    pdf.ln(2)
    _heading(pdf, "How to check it", 13)
    _para(pdf, "This PDF is the readable copy. The proof is the bundle's JSON file, which "
               "holds the same account with a receipt for every event. With the ledger's "
               "public key (obtained from the ledger, kept where its host cannot change it):")
    _para(pdf, "iro-ledger verify-receipt BUNDLE.json --public-key KEY.pem", 9, bold=True)
    _para(pdf, "Exit status 0 means the seal and every receipt are proven; 1 names what is "
               "not. The JSON's content digest (SHA-256, base64) is printed at the foot of "
               f"every page of this PDF: {digest}", 9)
    consistency = content["consistency"]
    _para(pdf, f"Latest checkpoint: tree size {consistency['to_size']}, signed "
               f"{consistency['checkpoint_issued_at']} by the log {consistency['key_name']}.", 9)
    _para(pdf, "The log's seal over the content:", 9)
    pdf.set_font(pdf.family, "", 7)
    pdf.multi_cell(0, 3.4, pdf.text_of(seal), align="L", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)


def _challenge(pdf: _Document, content: dict[str, Any]) -> None:
    challenge = content["challenge"]
    pdf.add_page()
    _heading(pdf, f"The challenge {challenge['challenge_id']}")
    status = challenge["status"]
    if challenge["closed_as"]:
        status += f" ({challenge['closed_as']} on {challenge['closed_on']}"
        status += f", outcome {challenge['outcome']})" if challenge["outcome"] else ")"
    _para(pdf, f"Raised on {challenge['raised_on']} by {challenge['officer_id']} about "
               f"{challenge['about']} on case {challenge['case_id']}. Status: {status}. "
               f"Open {challenge['days_open']} days as of {challenge['as_of']}.")
    _table(pdf, ("Stage", "From", "To", "Addressed to", "Days", "Working days"),
           [(s["stage"], s["from"], s["to"] or "still running", s["addressed_to"] or "",
             s["days"], s["working_days"]) for s in challenge["stages"]],
           (30, 25, 30, 45, 20, 30))
    if challenge["responses"]:
        _para(pdf, "Responses: " + "; ".join(f"{r['on']} by {r['actor']}"
                                             for r in challenge["responses"]))


def _timeline(pdf: _Document, content: dict[str, Any]) -> None:
    case = content["case"]
    _heading(pdf, f"The case timeline: case {case['case_id']}")
    iros = ", ".join(f"{i['officer_id']} ({i['from']} to {i['to'] or 'now'})"
                     for i in case["iros"])
    _para(pdf, f"Opened {case['opened_on']}"
               + (f", closed {case['closed_on']}" if case["closed_on"] else ", open")
               + f". IROs who held it: {iros or 'none'}.", 9)
    _para(pdf, "In the order things happened. 'Happened' is the recorder's account; "
               "'recorded' is the day the ledger stored it (England), and how many days "
               "later that was.", 8)
    _table(pdf, ("Happened", "Recorded", "Event", "What it says", "Act of / recorded by",
                 "Position"),
           [(e["occurred_on"], f"{e['recorded_on']}" + (f" ({e['days_late']} days late)"
                                                       if e["days_late"] > 0 else ""),
             f"{_type(e['ref']['type'])}\n{e['ref']['kind']} {e['ref']['id']} "
             f"#{e['ref']['number']}",
             _fields(e["fields"]),
             f"{e['actor']}\nby {e['recorded_by']} via {e['source']}"
             + (f"\non behalf of {e['on_behalf_of']}" if e.get("on_behalf_of") else ""),
             e["ref"]["position"]) for e in content["timeline"]],
           (18, 22, 42, 50, 32, 16), 7)


def _officer(pdf: _Document, content: dict[str, Any]) -> None:
    officer = content["officer"]
    pdf.add_page()
    _heading(pdf, f"The officer: {officer['officer_id']}")
    ended = officer["ended"]
    role = "IRO" if officer["role"] == "iro" else _words(officer["role"])
    _para(pdf, f"{role}, {officer['employment']}, registered {officer['registered_on']}; "
               + (f"engagement ended {ended['on']} ({_words(ended['how'])})." if ended
                  else "still engaged.")
               + f" Open cases as of {officer['as_of']}: {officer['open_cases']}. "
               f"Challenges raised: {len(officer['challenges'])}.", 9)
    _heading(pdf, "What management did to the officer", 12)
    acts = content["management_acts"]
    if acts:
        _table(pdf, ("On", "Act", "By", "Stated reason", "Event"),
               [(a["on"], _words(a["act"]), a["by"] or "", _words(a["detail"]), _ref(a["ref"]))
                for a in acts], (22, 45, 30, 45, 38))
    else:
        _para(pdf, "Nothing recorded.", 9)
    _heading(pdf, "Instructions in force while the challenge ran", 12)
    if content["instructions"]:
        _table(pdf, ("Instruction", "Kind", "Given", "By", "To", "Rescinded", "Event"),
               [(i["instruction_id"], _words(i["kind"]), i["issued_on"], i["given_by"],
                 _words(", ".join(i["issued_to"])), i["rescinded_on"] or "no", _ref(i["ref"]))
                for i in content["instructions"]], (22, 34, 20, 22, 24, 20, 38))
    else:
        _para(pdf, "None recorded.", 9)


def _flags(pdf: _Document, content: dict[str, Any]) -> None:
    flags = content["flags"]
    pdf.add_page()
    _heading(pdf, f"Flags touching the dispute ({len(flags)})")
    _para(pdf, "Each flag is a sign of compromised independence that one of the ledger's "
               "rules found in the events; its evidence is listed by position in the annex.",
          8)
    if not flags:
        _para(pdf, "None.", 9)
    for flag in flags:
        subjects = ", ".join(f"{k.removesuffix('_id')} {v}" for k, v in
                             sorted(flag["subjects"].items()))
        _para(pdf, f"{_words(flag['rule'])} · {flag['severity']} · {flag['status']}"
                   f" · raised {flag['raised_on']}", 10, bold=True)
        _para(pdf, f"About: {subjects}. Flag {flag['id']}.", 8)
        _para(pdf, flag["explanation"], 9)
        _para(pdf, f"Basis: {flag['basis']}", 8)
        _para(pdf, "Evidence: " + "; ".join(_ref(r) for r in flag["evidence"]), 8)
        pdf.ln(2)


def _annex(pdf: _Document, content: dict[str, Any]) -> None:
    events = content["events"]
    pdf.add_page()
    _heading(pdf, f"Annex: the {len(events)} events, with their places in the log")
    _para(pdf, "Read from the bytes each receipt proves. 'Leaf' is the event's place in the "
               "Merkle log (from 0), 'position' its place in the ledger's store.", 8)
    _table(pdf, ("Leaf", "Position", "Record", "#", "Event", "Happened", "Recorded (UTC)",
                 "Recorded by"),
           [(e["leaf_index"], e["position"],
             f"{e['record']['kind']} {e['record']['id']}", e["number"], _type(e["type"]),
             e["occurred_on"] or "", _stamp(e["recorded_at"]), e["recorded_by"] or "")
            for e in events], (11, 14, 32, 7, 44, 18, 30, 24), 7)
