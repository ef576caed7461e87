"""`denials check` (the click command the main CLI registers): output, exit status, options."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from denials.quality import check_command
from tests.quality.conftest import Built, Run, copy_warehouse, gx_copy


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DENIALS_GX_ROOT", str(gx_copy(tmp_path)))
    return CliRunner()


def test_clean_exits_zero(built: Built, runner: CliRunner, tmp_path: Path) -> None:
    warehouse = copy_warehouse(built.warehouse, tmp_path)
    result = runner.invoke(check_command, ["--warehouse", str(warehouse), "--suite", "raw", "--no-docs"])
    assert result.exit_code == 0, result.output
    assert "raw.file_registry" in result.output and "raw.remittance_resends" in result.output
    assert "staging.balancing" not in result.output and "Data Docs" not in result.output


def test_critical_failure_exits_three_naming_the_file(unbalanced: tuple[Path, str], runner: CliRunner,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse = copy_warehouse(unbalanced[0], tmp_path)
    monkeypatch.setenv("DENIALS_WAREHOUSE", str(warehouse))  # same resolution as the other commands
    result = runner.invoke(check_command, ["--suite", "staging.balancing", "--suite", "raw"])
    assert result.exit_code == 3, result.output  # the exit-code table: 3 is a critical check failure
    output = " ".join(result.output.split())
    assert "CRITICAL staging.balancing" in output and unbalanced[1] in output
    assert "critical data-quality failure in staging.balancing" in output
    assert "Data Docs:" in output


def test_unknown_suite_and_missing_warehouse(runner: CliRunner, tmp_path: Path, built: Built) -> None:
    result = runner.invoke(check_command, ["--warehouse", str(built.warehouse), "--suite", "nope"])
    assert result.exit_code == 2 and "unknown suite nope" in result.output
    result = runner.invoke(check_command, ["--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "no warehouse" in result.output


def test_results_table_grows_per_run(clean_run: Run, runner: CliRunner) -> None:
    import duckdb

    before = duckdb.connect(str(clean_run.warehouse), read_only=True)
    try:
        runs = before.execute("select count(distinct run_id) from quality.check_results").fetchone()[0]
    finally:
        before.close()
    arguments = ["--warehouse", str(clean_run.warehouse), "--suite", "raw", "--no-docs"]
    result = runner.invoke(check_command, arguments)
    assert result.exit_code == 0, result.output
    after = duckdb.connect(str(clean_run.warehouse), read_only=True)
    try:
        count = after.execute("select count(distinct run_id) from quality.check_results").fetchone()[0]
        assert count == runs + 1
    finally:
        after.close()
