"""Charts as accessible SVG: a title and description, one common scale, text escaped."""

from __future__ import annotations

import re
from datetime import date

from iro_ledger.web.charts import ROW, by_month, svg


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
