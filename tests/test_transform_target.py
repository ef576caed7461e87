"""Builds of different warehouses keep their dbt target folders apart, so each keeps dbt's saved parse
and its own run results: the warehouse path is in the profile, and dbt parses the whole project again
when the profile differs from its last parse in that folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

from denials.quiet import quiet_connect
from denials.transform import parse_project, run_dbt, warehouse_target_path


def parsed_files(warehouse: Path) -> int:
    perf = warehouse_target_path(warehouse) / "perf_info.json"
    return json.loads(perf.read_text(encoding="utf-8"))["parsed_path_count"]


def test_a_build_of_another_warehouse_does_not_cost_the_next_one_a_full_parse(tmp_path: Path) -> None:
    first, other = tmp_path / "a" / "site.duckdb", tmp_path / "b" / "site.duckdb"
    assert warehouse_target_path(first) != warehouse_target_path(other)
    assert warehouse_target_path(first) == warehouse_target_path(Path(
        tmp_path / "a" / ".." / "a" / "site.duckdb"))
    for warehouse in (first, other):
        assert run_dbt(["parse", "--quiet"], warehouse, log_path=tmp_path / "logs").success
        assert parsed_files(warehouse) > 0, "a new warehouse is parsed in full"
    assert run_dbt(["parse", "--quiet"], first, log_path=tmp_path / "logs").success
    assert parsed_files(first) == 0, "the warehouse's own saved parse was used"


def test_dbt_log_file_holds_info_unless_debug_is_asked_for(tmp_path: Path, monkeypatch) -> None:
    warehouse = tmp_path / "site.duckdb"
    quiet_logs, debug_logs = tmp_path / "quiet", tmp_path / "debug"
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert run_dbt(["parse", "--quiet"], warehouse, log_path=quiet_logs).success
    quiet = (quiet_logs / "dbt.log").read_text(encoding="utf-8")
    assert "[info ]" in quiet
    assert "[debug]" not in quiet, "statements and parse details stay out of the log by default"
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert run_dbt(["parse", "--quiet"], warehouse, log_path=debug_logs).success
    assert "[debug]" in (debug_logs / "dbt.log").read_text(encoding="utf-8")


def test_dbt_sends_no_usage_statistics(tmp_path: Path, monkeypatch) -> None:
    """The warehouse holds PHI: dbt's anonymous usage statistics (timings and hashes sent to dbt Labs) are
    off unless a site turns them on. dbt logs every statistic it sends at debug level."""
    for setting in ("DO_NOT_TRACK", "DBT_SEND_ANONYMOUS_USAGE_STATS"):
        monkeypatch.delenv(setting, raising=False)
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    warehouse = tmp_path / "site.duckdb"
    assert run_dbt(["parse", "--quiet"], warehouse, log_path=tmp_path / "logs").success
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "[debug]" in log and "Sending event" not in log


def test_a_parsed_project_spares_later_invocations_the_parse(tmp_path: Path) -> None:
    """`denials run` parses once for its two builds: an invocation given the parsed manifest neither
    parses nor writes the manifest again; one without it does both."""
    warehouse = tmp_path / "site.duckdb"
    manifest = parse_project(warehouse, log_path=tmp_path / "logs")
    assert manifest is not None
    written = warehouse_target_path(warehouse) / "manifest.json"

    def listed(**options: object) -> bool:
        before = written.stat().st_mtime_ns
        time.sleep(0.01)
        assert run_dbt(["ls", "--quiet", "--select", "fct_claims"], warehouse, log_path=tmp_path / "logs",
                       **options).success
        return written.stat().st_mtime_ns != before

    assert not listed(manifest=manifest)
    assert listed()


def test_a_build_given_the_parse_writes_its_own_run_results(tmp_path: Path) -> None:
    """A build given this run's parse leaves manifest.json as the parse wrote it, and writes run_results.json
    (what `dbt retry` reads) for this build's nodes, not an earlier one's, with flags under which a retry
    writes its own."""
    warehouse = tmp_path / "site.duckdb"
    manifest = parse_project(warehouse, log_path=tmp_path / "logs")
    target = warehouse_target_path(warehouse)
    parsed = (target / "manifest.json").stat().st_mtime_ns
    results = target / "run_results.json"
    results.write_text('{"results": [{"unique_id": "seed.denials.from_an_earlier_build"}]}', encoding="utf-8")
    assert run_dbt(["build", "--quiet", "--select", "balancing_tolerances", "--indirect-selection", "empty"],
                   warehouse, log_path=tmp_path / "logs", manifest=manifest).success
    assert (target / "manifest.json").stat().st_mtime_ns == parsed
    written = json.loads(results.read_text(encoding="utf-8"))
    nodes = {node["unique_id"]: node["status"] for node in written["results"]
             if not node["unique_id"].startswith("operation.")}  # the project's hooks
    assert nodes == {"seed.denials.balancing_tolerances": "success"}
    assert written["args"]["write_json"] is True, "`dbt retry` takes the build's saved flags: it must write"


def _dbt_duckdb_setting(warehouse: Path, logs: Path, setting: str) -> str:
    shown = run_dbt(["show", "--quiet", "--inline", f"select current_setting('{setting}') as value"],
                    warehouse, log_path=logs)
    assert shown.success, shown.log_tail()
    return str(shown.result.result.results[0].agate_table.rows[0][0])


def test_dbt_opens_the_warehouse_with_its_memory_limit_and_checkpoint_threshold(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """A daily build writes its changes into the file once, when dbt closes it, not every 16 MB of log
    (DuckDB's default); sites can move both settings."""
    for setting in ("DENIALS_DBT_MEMORY_LIMIT", "DENIALS_DBT_CHECKPOINT_THRESHOLD"):
        monkeypatch.delenv(setting, raising=False)
    warehouse = tmp_path / "site.duckdb"
    # DuckDB reports sizes in MiB: 256 MB is 244.1 MiB
    assert _dbt_duckdb_setting(warehouse, tmp_path / "logs", "checkpoint_threshold") == "244.1 MiB"
    monkeypatch.setenv("DENIALS_DBT_CHECKPOINT_THRESHOLD", "64MB")
    monkeypatch.setenv("DENIALS_DBT_MEMORY_LIMIT", "700MB")
    assert _dbt_duckdb_setting(warehouse, tmp_path / "logs", "checkpoint_threshold") == "61.0 MiB"
    assert _dbt_duckdb_setting(warehouse, tmp_path / "logs", "memory_limit") == "667.5 MiB"


def _tiny_project(folder: Path, label: str) -> Path:
    """A dbt project of one seed, built on DuckDB like ours (the profile reads DENIALS_WAREHOUSE)."""
    (folder / "seeds").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text('name: tiny\nversion: "1.0"\nprofile: tiny\n', encoding="utf-8")
    (folder / "profiles.yml").write_text(
        "tiny:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
        "      path: \"{{ env_var('DENIALS_WAREHOUSE') }}\"\n", encoding="utf-8")
    (folder / "seeds" / "codes.csv").write_text(f"code,label\nA,{label}\n", encoding="utf-8")
    return folder


def test_a_checkout_in_another_folder_loads_its_own_seeds(tmp_path: Path) -> None:
    """dbt's saved parse names each seed file by its absolute path. A release installed in a new folder,
    building the same warehouse, must read the seeds beside it, not the old folder's (gone, or another
    version), though it keeps the warehouse's dbt folder."""
    warehouse, logs = tmp_path / "site" / "site.duckdb", tmp_path / "logs"
    old = _tiny_project(tmp_path / "release-1", "alpha")
    assert run_dbt(["seed", "--quiet"], warehouse, log_path=logs, project_dir=old).success
    new = _tiny_project(tmp_path / "release-2", "alpha")
    (old / "seeds" / "codes.csv").write_text("code,label\nA,stale\n", encoding="utf-8")
    built = run_dbt(["seed", "--quiet"], warehouse, log_path=logs, project_dir=new)
    assert built.success, built.failed_nodes
    connection = quiet_connect(warehouse, read_only=True)
    try:
        assert connection.execute("select label from codes").fetchall() == [("alpha",)]
    finally:
        connection.close()


def test_the_saved_parse_is_kept_only_for_the_checkout_that_made_it(tmp_path: Path) -> None:
    from denials.transform import PARSED_FROM_CHECKOUT_FILE, _drop_parse_of_another_checkout

    target = tmp_path / "dbt_target" / "site"
    saved = target / "partial_parse.msgpack"
    first, second = tmp_path / "release-1", tmp_path / "release-2"
    target.mkdir(parents=True)
    saved.write_bytes(b"parse")
    _drop_parse_of_another_checkout(target, first)
    assert not saved.exists(), "a parse of unknown origin is dropped"
    saved.write_bytes(b"parse")
    _drop_parse_of_another_checkout(target, tmp_path / "." / "release-1")
    assert saved.exists(), "the same checkout, however its path is written, keeps its parse"
    _drop_parse_of_another_checkout(target, second)
    assert not saved.exists()
    assert (target / PARSED_FROM_CHECKOUT_FILE).read_text(encoding="utf-8") == str(second.resolve())
    saved.write_bytes(b"parse")
    (target / PARSED_FROM_CHECKOUT_FILE).write_bytes(b"\xff\xfe")
    _drop_parse_of_another_checkout(target, second)
    assert not saved.exists(), "an unreadable record counts as another checkout's"
    assert sorted(path.name for path in target.iterdir()) == [PARSED_FROM_CHECKOUT_FILE]
