"""The HTML dashboard: built from the marts, self-contained, PHI-masked by default."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
from click.testing import CliRunner

from denials.cli import main


def _render(warehouse: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["dashboard", "--warehouse", str(warehouse), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_dashboard_is_self_contained_and_agrees_with_the_marts(built_warehouse: Path, tmp_path: Path) -> None:
    page = _render(built_warehouse, tmp_path / "d.html")
    for section in ("Payer scorecard", "Top denial reasons", "Appeal worklist", "Pre-bill risk",
                    "Denied dollars by category", "Initial denial rate by month"):
        assert section in page
    assert not re.search(r"(src|href)=['\"]?https?://", page), "the page must not load anything remote"
    con = duckdb.connect(str(built_warehouse), read_only=True)
    denied, lines = con.execute(
        "select count(*) filter (where is_initially_denied), count(*) from marts.fct_adjudicated_lines"
    ).fetchall()[0]
    claim_numbers = [row[0] for row in con.execute(
        "select claim_control_number from marts.mart_appeal_worklist order by worklist_rank limit 25"
    ).fetchall()]
    con.close()
    tile = re.search(r"Initial denial rate</div><div class='value'>([\d.]+)%", page)
    assert tile and abs(float(tile.group(1)) - round(100 * denied / lines, 1)) < 0.05
    assert claim_numbers
    assert not any(number in page for number in claim_numbers), "claim numbers must be masked"


def test_identifiers_are_shown_only_when_asked(built_warehouse: Path, tmp_path: Path) -> None:
    page = _render(built_warehouse, tmp_path / "d.html", "--show-identifiers")
    con = duckdb.connect(str(built_warehouse), read_only=True)
    first = con.execute("select claim_control_number from marts.mart_appeal_worklist "
                        "order by worklist_rank limit 1").fetchall()[0][0]
    con.close()
    assert first in page


def test_an_unbuilt_warehouse_gets_a_clear_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    result = CliRunner().invoke(
        main, ["dashboard", "--warehouse", str(warehouse), "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2
    assert "denials build" in result.output
