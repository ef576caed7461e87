"""Every page of `denials app` through Streamlit's AppTest: filters change the numbers, and the numbers
are the marts' own, queried directly here."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import denials.app.main as app_main
from denials.insights.labels import words

MAIN = str(Path(app_main.__file__))


@pytest.fixture
def app(published_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DENIALS_WAREHOUSE", str(published_warehouse))
    monkeypatch.setattr(sys, "argv", ["main.py"])
    at = AppTest.from_file(MAIN, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _goto(at: AppTest, page: str) -> AppTest:
    at.radio(key="page").set_value(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no tile {label!r}: {[m.label for m in at.metric]}"
    return values[0]


def _table(at: AppTest, *columns: str):  # noqa: ANN202 - a pandas frame
    """The first table on the page that has these columns (AppTest does not expose a table's key)."""
    for element in at.dataframe:
        if set(columns) <= set(element.value.columns):
            return element.value
    raise AssertionError(f"no table with {columns}")


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple:
    return con.execute(sql, params or []).fetchone()


def _busiest_payer(con: duckdb.DuckDBPyConnection) -> str:
    return _one(con, "select payer_id from marts.mart_denial_kpis_monthly where payer_id is not null "
                     "group by payer_id order by sum(adjudicated_lines) desc limit 1")[0]


def test_overview_tiles_are_the_kpi_mart_and_follow_the_filters(app: AppTest, marts) -> None:
    denied, lines, still_denied = _one(marts, """
        select sum(initially_denied_lines), sum(adjudicated_lines), sum(final_denied_amount)
        from marts.mart_denial_kpis_monthly""")
    assert _metric(app, "Initial denial rate") == _pct(denied / lines)
    assert _metric(app, "Lines adjudicated") == f"{lines:,}"
    assert _metric(app, "Still denied") == (f"${float(still_denied) / 1e6:,.2f}M" if still_denied >= 1e6
                                            else f"${float(still_denied):,.0f}")
    still_denied_tile = next(m for m in app.metric if m.label == "Still denied")
    assert f"Exactly ${float(still_denied):,.2f}." in still_denied_tile.proto.help

    payer = _busiest_payer(marts)
    p_denied, p_lines = _one(marts, """
        select sum(initially_denied_lines), sum(adjudicated_lines) from marts.mart_denial_kpis_monthly
        where payer_id = ?""", [payer])
    app.multiselect(key="payer").set_value([payer]).run()
    assert _metric(app, "Lines adjudicated") == f"{p_lines:,}" != f"{lines:,}"
    assert _metric(app, "Initial denial rate") == _pct(p_denied / p_lines)

    # One month, one payer, one drug: one row of the mart, whose own KPI columns the tiles must show.
    row = _one(marts, """
        select kpi_month, drug_code, initial_denial_rate, first_pass_yield, adjudicated_lines
        from marts.mart_denial_kpis_monthly where payer_id = ? and kpi_month is not null
        order by adjudicated_lines desc limit 1""", [payer])
    app.select_slider(key="period").set_range(row[0], row[0]).run()
    app.multiselect(key="drug").set_value([row[1]]).run()
    assert _metric(app, "Lines adjudicated") == f"{row[4]:,}"
    assert _metric(app, "Initial denial rate") == _pct(float(row[2]))
    assert _metric(app, "First-pass yield") == _pct(float(row[3]))


def test_tiles_carry_the_definition_from_the_metrics_file(app: AppTest) -> None:
    tile = next(m for m in app.metric if m.label == "Initial denial rate")
    assert "initially_denied_lines / adjudicated_lines" in tile.proto.help


def test_overview_drill_down_lists_the_lines_behind_a_category_with_lineage(app: AppTest, marts) -> None:
    category, count = _one(marts, """
        select denial_category, count(*) from marts.fct_denials group by 1 order by 2 desc limit 1""")
    app.selectbox(key="overview_category_drill").set_value(words(category)).run()
    lines = _table(app, "remit_file_id", "denial_category")
    assert len(lines) == min(count, 1000)
    for column in ("remit_file_id", "remit_segment_position", "claim_file_id", "claim_segment_position"):
        assert lines[column].notna().any(), column
    raw_numbers = {n for (n,) in marts.execute(
        "select claim_control_number from marts.fct_denials where denial_category = ?", [category]
    ).fetchall()}
    assert not raw_numbers & set(lines["claim_control_number"]), "claim numbers must be masked"
    assert app.get("download_button"), "the drilled lines can be exported"


def test_payer_scorecard_rates_equal_the_mart(app: AppTest, marts) -> None:
    _goto(app, "Payers")
    scorecard = _table(app, "payer_type", "initial_denial_rate_dollars")
    expected = dict(marts.execute("""
        select payer_name, sum(initially_denied_billed_amount) / sum(billed_amount)
        from marts.mart_denial_kpis_monthly group by payer_name""").fetchall())
    assert len(scorecard) == len(expected)
    for name, rate in zip(scorecard["payer_name"], scorecard["initial_denial_rate_dollars"], strict=True):
        assert rate / 100 == pytest.approx(float(expected[name]), abs=5e-7)  # the table shows percent
    app.multiselect(key="payer_type").set_value(["commercial"]).run()
    narrowed = _table(app, "payer_type", "initial_denial_rate_dollars")
    assert set(narrowed["payer_type"]) == {"Commercial"} and len(narrowed) < len(scorecard)


def test_payer_drift_compares_the_latest_full_month_with_the_three_before(app: AppTest, marts) -> None:
    _goto(app, "Payers")
    drift = _table(app, "latest_rate", "trailing_rate")
    last_day = _one(marts, "select max(first_remit_date) from marts.fct_adjudicated_lines")[0]
    month = date(last_day.year, last_day.month, 1)
    if (last_day + timedelta(days=1)).month == last_day.month:  # the last month is partial: the one before
        month = (month - timedelta(days=1)).replace(day=1)
    first = drift.iloc[0]
    payer_id = _one(marts, "select payer_id from marts.mart_denial_kpis_monthly where payer_name = ? limit 1",
                    [first["payer_name"]])[0]
    latest, trailing = _one(marts, """
        select sum(initially_denied_lines) filter (where kpi_month = ?)
                   / sum(adjudicated_lines) filter (where kpi_month = ?),
               sum(initially_denied_lines) filter (where kpi_month < ?)
                   / sum(adjudicated_lines) filter (where kpi_month < ?)
        from marts.mart_denial_kpis_monthly
        where payer_id = ? and kpi_month between ? - interval 3 month and ?""",
        [month, month, month, month, payer_id, month, month])
    assert first["latest_rate"] / 100 == pytest.approx(float(latest), abs=5e-7)
    assert first["trailing_rate"] / 100 == pytest.approx(float(trailing), abs=5e-7)


def test_unit_error_page_counts_the_unit_error_mart(app: AppTest, marts) -> None:
    _goto(app, "Drugs and unit errors")
    lines, stake = _one(marts, "select count(*), sum(dollars_at_stake) from marts.mart_denials_unit_errors")
    assert _metric(app, "Unit-error lines") == f"{lines:,}"
    assert _metric(app, "$ at stake (denied + left unbilled)") == f"${float(stake):,.0f}"
    payer = _busiest_payer(marts)
    p_lines = _one(marts, "select count(*) from marts.mart_denials_unit_errors where payer_id = ?",
                   [payer])[0]
    app.multiselect(key="payer").set_value([payer]).run()
    assert _metric(app, "Unit-error lines") == f"{p_lines:,}"
    cause = _one(marts, """
        select root_cause from marts.mart_denials_unit_errors where payer_id = ?
        and root_cause is not null group by 1 order by count(*) desc limit 1""", [payer])[0]
    app.selectbox(key="drugs_causes_drill").set_value(words(cause)).run()
    drilled = _table(app, "remit_file_id", "claim_control_number")
    expected = _one(marts, "select count(*) from marts.mart_denials_unit_errors where payer_id = ? "
                           "and root_cause = ?", [payer, cause])[0]
    assert len(drilled) == expected


def test_medical_necessity_and_prior_auth_pages_count_their_marts(app: AppTest, marts) -> None:
    _goto(app, "Medical necessity")
    lines, off_label = _one(marts, """
        select count(*), count(*) filter (where diagnosis_label_status = 'off_label')
        from marts.mart_denials_medical_necessity""")
    assert _metric(app, "Denied lines") == f"{lines:,}"
    assert _metric(app, "Off-label diagnosis") == f"{off_label:,} lines"
    _goto(app, "Prior auth")
    lines, predicted = _one(marts, """
        select count(*), count(*) filter (where policy_requires_auth and auth_number_location = 'absent')
        from marts.mart_denials_missing_auth""")
    assert _metric(app, "Denied lines") == f"{lines:,}"
    assert _metric(app, "Policy required auth, none sent") == f"{predicted:,} lines"
    payer_type = _one(marts, "select payer_type from marts.mart_denials_missing_auth group by 1 "
                             "order by count(*) limit 1")[0]
    narrowed = _one(marts, "select count(*) from marts.mart_denials_missing_auth where payer_type = ?",
                    [payer_type])[0]
    app.multiselect(key="payer_type").set_value([payer_type]).run()
    assert _metric(app, "Denied lines") == f"{narrowed:,}"


def test_appeal_worklist_counts_days_left_from_today(app: AppTest, marts) -> None:
    _goto(app, "Appeal worklist")
    today = date.today()
    open_today = _one(marts, "select count(*) from marts.mart_appeal_worklist where appeal_deadline >= ?",
                      [today])[0]
    assert _metric(app, "Denials to appeal") == f"{open_today:,}"
    app.checkbox(key="appeal_open_only").uncheck().run()
    table = _table(app, "appeal_deadline", "days_left", "carc_description")
    deadlines = table["appeal_deadline"].map(lambda d: d.date() if hasattr(d, "date") else d)
    assert (table["days_left"] == deadlines.map(lambda d: (d - today).days)).all()

    as_of = _one(marts, "select max(as_of_date) from marts.mart_appeal_worklist")[0]
    app.checkbox(key="appeal_open_only").check().run()
    app.radio(key="appeal_basis").set_value("The data's last remit date").run()
    count, recoverable = _one(marts, """
        select count(*), sum(recoverable_amount) from marts.mart_appeal_worklist
        where appeal_deadline >= ?""", [as_of])
    assert count > 0
    assert _metric(app, "Denials to appeal") == f"{count:,}"
    assert _metric(app, "Recoverable") == f"${float(recoverable):,.0f}"
    table = _table(app, "appeal_deadline", "days_left", "carc_description")
    assert table["recoverable_amount"].is_monotonic_decreasing
    numbers = {n for (n,) in marts.execute("select claim_control_number from marts.mart_appeal_worklist")
               .fetchall()}
    assert not numbers & set(table["claim_control_number"]), "claim numbers must be masked"
    assert not app.get("download_button"), "the whole worklist is read only when asked for"
    app.toggle(key="appeal_csv_all").set_value(True).run()
    assert app.get("download_button"), "the worklist has a CSV export"
    category = _one(marts, """
        select denial_category from marts.mart_appeal_worklist where appeal_deadline >= ?
        group by 1 order by count(*) limit 1""", [as_of])[0]
    narrowed = _one(marts, """select count(*) from marts.mart_appeal_worklist
                              where appeal_deadline >= ? and denial_category = ?""", [as_of, category])[0]
    app.multiselect(key="category").set_value([category]).run()
    assert _metric(app, "Denials to appeal") == f"{narrowed:,}" != f"{count:,}"


def test_prebill_queue_is_the_prebill_mart(app: AppTest, marts) -> None:
    _goto(app, "Pre-bill risk queue")
    lines, dollars = _one(marts, "select count(*), sum(dollars_at_risk) from marts.mart_prebill_risk")
    assert _metric(app, "Lines at risk") == f"{lines:,}"
    assert _metric(app, "Charges at risk") == f"${float(dollars):,.0f}"
    # the payer with the most lines at risk, so the payer and provider filters both have rows to narrow
    payer = _one(marts, "select payer_id from marts.mart_prebill_risk group by 1 order by count(*) desc, 1 "
                        "limit 1")[0]
    p_lines = _one(marts, "select count(*) from marts.mart_prebill_risk where payer_id = ?", [payer])[0]
    app.multiselect(key="payer").set_value([payer]).run()
    assert _metric(app, "Lines at risk") == f"{p_lines:,}"
    assert app.get("download_button")
    provider = _one(marts, "select billing_provider_npi from marts.mart_prebill_risk where payer_id = ? "
                           "group by 1 order by count(*) desc limit 1", [payer])[0]
    both = _one(marts, "select count(*) from marts.mart_prebill_risk where payer_id = ? "
                       "and billing_provider_npi = ?", [payer, provider])[0]
    app.multiselect(key="provider").set_value([provider]).run()
    assert _metric(app, "Lines at risk") == f"{both:,}"


def test_identifiers_show_only_with_the_flag(published_warehouse: Path, marts,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENIALS_WAREHOUSE", str(published_warehouse))
    monkeypatch.setattr(sys, "argv", ["main.py", "--show-identifiers"])
    at = AppTest.from_file(MAIN, default_timeout=180)
    at.run()
    _goto(at, "Pre-bill risk queue")
    numbers = {n for (n,) in marts.execute("select claim_control_number from marts.mart_prebill_risk")
               .fetchall()}
    assert numbers & set(_table(at, "rule_name", "procedure_modifiers")["claim_control_number"])
