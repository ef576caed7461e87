"""The static report (`denials report`, alias `denials dashboard`): from the published marts, one file with
its chart runtime inlined, numbers equal to the marts, identifiers masked by default."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from denials.cli import main


@pytest.fixture(scope="module")
def published(built_warehouse: Path) -> Path:
    from denials.publish import publish, published_path

    if not published_path(built_warehouse).exists():
        publish(built_warehouse, "tests")
    return built_warehouse


def _render(warehouse: Path, out: Path, *extra: str, command: str = "report") -> str:
    result = CliRunner().invoke(main, [command, "--warehouse", str(warehouse), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _marts(warehouse: Path) -> duckdb.DuckDBPyConnection:
    from denials.publish import connect_published

    return connect_published(warehouse)


def test_report_is_self_contained_and_agrees_with_the_marts(published: Path, tmp_path: Path) -> None:
    page = _render(published, tmp_path / "r.html")
    for section in ("Payer scorecard", "Top denial reasons", "Appeal worklist", "Pre-bill risk",
                    "Denied dollars by category", "Initial denial rate by month", "As of"):
        assert section in page
    assert not re.search(r"(src|href)=['\"]?https?://", page), "the page must not load anything remote"
    assert "vegaEmbed(" in page and page.count("<script>") >= 4
    con = _marts(published)
    denied, lines, still = con.execute("""
        select sum(initially_denied_lines), sum(adjudicated_lines), sum(final_denied_amount)
        from marts.mart_denial_kpis_monthly""").fetchone()
    claim_numbers = [n for (n,) in con.execute("select claim_control_number from marts.mart_appeal_worklist")
                     .fetchall()]
    con.close()
    tile = re.search(r"data-metric='initial_denial_rate'>([\d.]+)%", page)
    assert tile and tile.group(1) == f"{100 * denied / lines:.1f}"
    assert f"data-metric='final_denied_amount'>${float(still):,.0f}<" in page
    assert claim_numbers
    assert not any(number in page for number in claim_numbers), "claim numbers must be masked"


def test_every_chart_is_a_vega_lite_spec_with_titled_axes(published: Path, tmp_path: Path) -> None:
    from denials.dashboard import write_report

    con = _marts(published)
    as_of = con.execute("select max(as_of_date) from marts.mart_appeal_worklist").fetchone()[0]
    con.close()
    page = write_report(published, tmp_path / "r.html", today=as_of).read_text()  # every chart has data
    specs = [json.loads(spec) for spec in re.findall(r"vegaEmbed\('#chart\d+', (\{.*?\}), OPTIONS\);", page)]
    assert len(specs) >= 8
    for spec in specs:
        assert "vega-lite" in spec["$schema"]
        text = json.dumps(spec)
        assert '"title"' in text and '"tooltip"' in text, spec.get("title")


def test_identifiers_are_shown_only_when_asked(published: Path, tmp_path: Path) -> None:
    con = _marts(published)
    as_of = con.execute("select max(as_of_date) from marts.mart_appeal_worklist").fetchone()[0]
    con.close()
    from denials.dashboard import write_report

    page = write_report(published, tmp_path / "r.html", show_identifiers=True, today=as_of).read_text()
    con = _marts(published)
    open_claims = {n for (n,) in con.execute(
        "select claim_control_number from marts.mart_appeal_worklist where appeal_deadline >= ?", [as_of]
    ).fetchall()}
    con.close()
    assert open_claims and any(number in page for number in open_claims)


def test_the_dashboard_command_and_the_pipeline_function_write_the_same_report(published: Path,
                                                                              tmp_path: Path) -> None:
    from denials.dashboard import write_dashboard

    page = _render(published, tmp_path / "d.html", command="dashboard")
    assert "Payer scorecard" in page
    assert "Payer scorecard" in write_dashboard(published, tmp_path / "p.html").read_text()


def test_an_unpublished_warehouse_gets_a_clear_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    result = CliRunner().invoke(main, ["report", "--warehouse", str(warehouse),
                                       "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert "denials run" in result.output


def test_the_pipeline_function_reads_the_built_warehouse_when_nothing_is_published(published: Path,
                                                                                   tmp_path: Path) -> None:
    import shutil

    from denials.dashboard import write_dashboard

    copy = tmp_path / "unpublished.duckdb"
    shutil.copyfile(published, copy)
    page = write_dashboard(copy, tmp_path / "p.html").read_text()
    assert "Payer scorecard" in page and "data-metric='initial_denial_rate'" in page
