"""Charts as accessible SVG: a title and description, one common scale, text escaped."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from iro_ledger.web.caseload_chart import PLOT, Load, caseloads
from iro_ledger.web.caseload_chart import svg as caseload_svg
from iro_ledger.web.charts import ROW, by_month, svg
from iro_ledger.web.compare_chart import comparison
from iro_ledger.web.compare_chart import svg as compare_svg
from iro_ledger.web.stage_chart import PLOT as STAGE_PLOT
from iro_ledger.web.stage_chart import stages
from iro_ledger.web.stage_chart import svg as stage_svg


def test_each_rule_gets_a_row_of_months_on_one_scale() -> None:
    chart = by_month("Flags", [("late_review", date(2025, 1, 3))] * 4
                     + [("<b>rule</b>", date(2025, 3, 9))])

    drawn = svg(chart, "c")

    assert chart.columns == ["2025-01", "2025-03"]
    assert 'role="img"' in drawn and '<title id="c-title">Flags</title>' in drawn
    assert '<desc id="c-desc">' in drawn and 'aria-labelledby="c-title c-desc"' in drawn
    heights = [int(h) for h in re.findall(r'<rect [^>]*height="(\d+)"', drawn)]
    assert sorted(heights) == [round((ROW - 8) / 4), ROW - 8]
    assert "<b>" not in drawn and "&lt;b&gt;rule&lt;/b&gt;" in drawn


def test_only_the_last_twelve_months_with_flags_are_drawn() -> None:
    chart = by_month("Flags", [("r", date(2024, m, 1)) for m in range(1, 13)]
                     + [("r", date(2025, 1, 1))])

    assert chart.columns[0] == "2024-02" and chart.columns[-1] == "2025-01"
    assert chart.total("r") == 12


def test_caseloads_keep_a_fixed_scale_to_80_whatever_the_largest_is() -> None:
    few = caseloads("Loads", [Load("a", 3), Load("b", 6)], "cases")
    many = caseloads("Loads", [Load("a", 3), Load("b", 91.5)], "cases")

    assert few.top == 80
    assert many.top == 100
    widths = [float(w) for w in re.findall(r'<rect x="170" [^>]*width="([\d.]+)"',
                                           caseload_svg(few, "c"))]
    assert widths == [PLOT * 3 / 80, PLOT * 6 / 80], "three cases is a short bar"


def test_a_caseload_is_said_to_be_below_within_or_above_the_range() -> None:
    chart = caseloads("Loads", [Load("a", 49.9), Load("b", 50), Load("c", 70), Load("d", 71),
                                Load("e", None)], "cases per full-time post")

    assert [r.where for r in chart.rows] == ["below the range", "within the range",
                                             "within the range", "above the range",
                                             "not known"]
    assert "1 below the range, 2 within the range, 1 above the range" in chart.description
    assert "not known" in caseload_svg(chart, "c")


def _challenge(ident: str, raised: str, *stages: tuple[str, str, int, bool]
               ) -> dict[str, Any]:
    return {"challenge_id": ident, "raised_on": raised,
            "stages": [{"stage": s, "from": f, "days": d, "working_days": d, "running": r}
                       for s, f, d, r in stages]}


def test_each_challenges_stages_share_one_day_scale() -> None:
    chart = stages("Stages", [
        _challenge("ch-2", "2025-02-01", ("informal", "2025-02-01", 10, True)),
        _challenge("ch-1", "2025-01-01", ("informal", "2025-01-01", 20, False),
                   ("stage_1", "2025-01-21", 11, False))])

    drawn = stage_svg(chart, "s")

    assert chart.challenges == ["ch-1", "ch-2"], "in the order raised"
    assert chart.first == date(2025, 1, 1) and chart.last == date(2025, 2, 11)
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', drawn)]
    span = (chart.last - chart.first).days
    assert widths == [pytest.approx(STAGE_PLOT * d / span - 2, abs=0.01) for d in (20, 11, 10)]
    assert drawn.count("<path ") == 1, "only the running stage ends in an arrow"
    assert "1 still running" in chart.description


def test_authorities_side_by_side_have_a_scale_for_each_measure() -> None:
    rows = [{"la_code": "AAA", "open_flags": 4,
             "values": {"children": 100, "resolved_informally": 0.5, "median_days": None}},
            {"la_code": "<B>", "open_flags": 2,
             "values": {"children": 50, "resolved_informally": 1.0, "median_days": 12}}]

    chart = comparison("Side by side", rows)
    drawn = compare_svg(chart, "x")

    assert chart.most("children") == 100 and chart.most("resolved_informally") == 1.0
    assert "AAA, children in care: 100" in drawn and "&lt;B&gt;, resolved informally: 100%" in drawn
    assert ">—</text>" in drawn, "no figure is a dash, not an empty bar"
    assert "<B>" not in drawn


def test_a_case_without_challenges_draws_no_timeline() -> None:
    chart = stages("Stages", [])

    assert chart.rows == [] and stage_svg(chart, "s") == ""
