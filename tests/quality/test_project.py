"""The GX project in expectations/ is consistent with the datasets, and set up as the issue asks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from denials.quality.datasets import DATASETS, Skip, Warehouse, assert_identifier_free
from denials.quality.project import DEFAULT_GX_ROOT, result_format, sync_project
from tests.quality.conftest import Built

MAP_EXPECTATIONS = {"expect_column_values_to_be_between", "expect_column_values_to_be_in_set",
                    "expect_column_values_to_not_be_null", "expect_column_values_to_be_null"}


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _suite(name: str) -> dict:
    layer, rest = name.split(".", 1)
    return _json(DEFAULT_GX_ROOT / "expectations" / layer / f"{rest}.json")


def test_config_is_offline_and_pandas_only() -> None:
    config = yaml.safe_load((DEFAULT_GX_ROOT / "great_expectations.yml").read_text(encoding="utf-8"))
    assert config["analytics_enabled"] is False
    assert config["progress_bars"]["globally"] is False
    assert [d["type"] for d in config["fluent_datasources"].values()] == ["pandas"]
    assets = config["fluent_datasources"]["warehouse"]["assets"]
    assert sorted(assets) == sorted(d.name for d in DATASETS)
    assert {a["type"] for a in assets.values()} == {"dataframe"}


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.name)
def test_each_dataset_has_suite_validation_definition_and_checkpoint(dataset) -> None:  # noqa: ANN001
    suite = _suite(dataset.name)
    assert suite["name"] == dataset.suite and suite["expectations"]
    validation = _json(DEFAULT_GX_ROOT / "validation_definitions" / f"{dataset.name}.json")
    assert validation["suite"] == {"id": suite["id"], "name": suite["name"]}
    assert validation["data"]["asset"]["name"] == dataset.name
    checkpoint = _json(DEFAULT_GX_ROOT / "checkpoints" / f"{dataset.name}.json")
    assert checkpoint["validation_definitions"] == [{"id": validation["id"], "name": validation["name"]}]
    assert checkpoint["result_format"] == result_format(dataset)
    assert checkpoint["actions"] == []  # docs are built once per run, then made offline
    for expectation in suite["expectations"]:
        assert expectation["meta"]["severity"] in ("critical", "warning"), expectation
        assert expectation["severity"] == expectation["meta"]["severity"], expectation
        assert expectation["notes"], expectation
        # Chunks merge by adding counts: only column map expectations, whose counts add up.
        assert expectation["type"] in MAP_EXPECTATIONS, expectation


def test_suites_read_columns_the_datasets_produce(built: Built) -> None:
    con = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        wh = Warehouse(con)
        checked = 0
        for dataset in DATASETS:
            try:
                sql = wh.qualify(dataset.build(wh))
            except Skip:
                assert dataset.layer == "marts"  # covered with a built mart in test_marts.py
                continue
            columns = con.sql(sql).columns
            assert_identifier_free(dataset.name, columns)
            assert set(dataset.index_columns) <= set(columns), dataset.name
            for expectation in _suite(dataset.name)["expectations"]:
                assert expectation["kwargs"]["column"] in columns, (dataset.name, expectation["kwargs"])
            checked += 1
        assert checked >= 7
    finally:
        con.close()


def test_identifier_columns_are_refused() -> None:
    identifiers = ("patient_control_number", "claim_control_number", "member_id", "payer_name",
                   "subscriber_id")
    for column in identifiers:
        with pytest.raises(ValueError, match="identifier"):
            assert_identifier_free("x", ["file_id", column])
    assert_identifier_free("x", ["file_id", "file_name", "table_name", "payer_id", "unbalanced_claim_share"])


def test_project_is_in_sync(tmp_path: Path) -> None:
    root = tmp_path / "expectations"
    shutil.copytree(DEFAULT_GX_ROOT, root, ignore=shutil.ignore_patterns("uncommitted"))
    assert sync_project(root) == []


def test_a_run_leaves_the_reviewed_files_unchanged(clean_run) -> None:  # noqa: ANN001
    """Runs write only under uncommitted/: the JSON and YAML in git stay byte for byte as reviewed."""
    committed = [p for p in DEFAULT_GX_ROOT.rglob("*") if p.is_file() and "uncommitted" not in p.parts]
    assert len(committed) > 30
    for path in committed:
        copy = clean_run.gx_root / path.relative_to(DEFAULT_GX_ROOT)
        assert copy.read_bytes() == path.read_bytes(), path


def test_checks_import_in_a_process_without_a_main_file() -> None:
    """`python -c`, cron wrappers and pytest-xdist workers have a __main__ with no file. With pyspark
    installed (`make spark`), importing GX there must not end the process (pyspark's doctest guard)."""
    done = subprocess.run([sys.executable, "-c", "import denials.quality.project as p; p.open_context; "
                           "import great_expectations; print('imported')"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "imported", done.stderr[-2000:]
