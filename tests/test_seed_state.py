"""A build leaves the seeds out only when their files are those the warehouse last loaded, every seed
table is still there, and the build is not one from scratch; what it then leaves out is the seeds and
the data tests that read nothing but seeds, never a test that also reads a model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from denials.paths import project_root
from denials.pipeline import MARTS_SELECTOR
from denials.seed_state import (
    SEED_SCHEMA,
    build_selection,
    record_seeds_loaded,
    seed_names,
    seeds_fingerprint,
    seeds_unchanged,
)
from denials.transform import run_dbt

COPIED = ("seeds", "tests/dbt", "macros", "dbt_project.yml", "selectors.yml")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """The parts of the project a seed load depends on, copied so a test may change them."""
    root = tmp_path / "project"
    for name in COPIED:
        source, target = project_root() / name, root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return root


def warehouse_with_seed_tables(path: Path, names: list[str]) -> Path:
    con = duckdb.connect(str(path))
    con.execute(f"create schema {SEED_SCHEMA}")
    for name in names:
        con.execute(f"create table {SEED_SCHEMA}.{name} (x integer)")
    con.close()
    return path


def test_a_warehouse_without_a_record_loads_the_seeds(project: Path, tmp_path: Path) -> None:
    assert not seeds_unchanged(tmp_path / "none.duckdb", project)
    warehouse = warehouse_with_seed_tables(tmp_path / "w.duckdb", seed_names(project))
    assert not seeds_unchanged(warehouse, project)
    record_seeds_loaded(warehouse, seeds_fingerprint(project))
    assert seeds_unchanged(warehouse, project)


@pytest.mark.parametrize("change", ["a seed row", "a seed's YAML", "a seed test", "a macro", "a new seed"])
def test_any_change_to_what_a_seed_load_reads_loads_them_again(project: Path, tmp_path: Path,
                                                                  change: str) -> None:
    warehouse = warehouse_with_seed_tables(tmp_path / "w.duckdb", seed_names(project))
    record_seeds_loaded(warehouse, seeds_fingerprint(project))
    before = seeds_fingerprint(project)
    if change == "a seed row":
        carc = project / "seeds" / "carc_codes.csv"
        carc.write_text(carc.read_text(encoding="utf-8") + carc.read_text(encoding="utf-8").splitlines()[-1]
                        + "\n", encoding="utf-8")
    elif change == "a seed's YAML":
        yaml = project / "seeds" / "_seeds.yml"
        yaml.write_text(yaml.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    elif change == "a seed test":
        (project / "tests" / "dbt" / "seeds" / "assert_new.sql").write_text("select 1 where false\n")
    elif change == "a macro":
        (project / "macros" / "new.sql").write_text("{% macro new() %}{% endmacro %}\n")
    else:
        (project / "seeds" / "new_reference.csv").write_text("code\nA\n")
    assert seeds_fingerprint(project) != before
    assert not seeds_unchanged(warehouse, project)


def test_a_missing_seed_table_loads_them_again(project: Path, tmp_path: Path) -> None:
    names = seed_names(project)
    warehouse = warehouse_with_seed_tables(tmp_path / "w.duckdb", names)
    record_seeds_loaded(warehouse, seeds_fingerprint(project))
    con = duckdb.connect(str(warehouse))
    con.execute(f"drop table {SEED_SCHEMA}.{names[0]}")
    con.close()
    assert not seeds_unchanged(warehouse, project)


def test_a_build_from_scratch_loads_them_and_forgets_the_record_until_it_succeeds(tmp_path: Path) -> None:
    warehouse = warehouse_with_seed_tables(tmp_path / "w.duckdb", seed_names())
    record_seeds_loaded(warehouse, seeds_fingerprint())
    assert build_selection(warehouse) == (["--selector", "all_but_seed_contents"], None)
    assert build_selection(warehouse, without=MARTS_SELECTOR) == (
        ["--selector", "before_marts_but_seed_contents"], None)
    # a build that loads the seeds may fail halfway: until one succeeds, every build loads them
    assert build_selection(warehouse, without=MARTS_SELECTOR, full_refresh=True) == (
        ["--exclude", MARTS_SELECTOR], seeds_fingerprint())
    assert not seeds_unchanged(warehouse)
    assert build_selection(warehouse) == ([], seeds_fingerprint())


def listed(warehouse: Path, *selection: str) -> dict[str, tuple[list[str], str | None]]:
    """{unique_id: (the nodes it reads, the node a generic test is of)} of what `dbt build` with this
    selection would run."""
    outcome = run_dbt(["ls", *selection, "--exclude-resource-type", "unit_test", "--resource-type", "seed",
                       "--resource-type", "model", "--resource-type", "test", "--output", "json",
                       "--output-keys", "unique_id depends_on attached_node", "--quiet"], warehouse)
    assert outcome.success, outcome.log_tail()
    nodes = [json.loads(line) for line in outcome.result.result]
    return {node["unique_id"]: (node.get("depends_on", {}).get("nodes", []), node.get("attached_node"))
            for node in nodes}


def test_the_selectors_leave_out_the_seeds_and_only_the_tests_that_read_nothing_else(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    for plain, selector in ((["--select", "fqn:*"], "all_but_seed_contents"),
                            (["--exclude", MARTS_SELECTOR], "before_marts_but_seed_contents")):
        everything = listed(warehouse, *plain)
        seed_only = {node for node, (reads, _) in everything.items() if node.startswith("seed.")
                     or (node.startswith("test.") and reads and all(r.startswith("seed.") for r in reads))}
        # every seed has a data test of its own (its column_values at least), which the selectors leave out;
        # one that checks its keys against another seed reads both
        seeds_tested = {of for node, (_, of) in everything.items()
                        if node in seed_only and node.startswith("test.") and of is not None}
        assert seeds_tested == {node for node in seed_only if node.startswith("seed.")}
        assert set(listed(warehouse, "--selector", selector)) == set(everything) - seed_only
    # the case the cautious selection is for: a mart's test against a seed still runs
    whole = listed(warehouse, "--selector", "all_but_seed_contents")
    assert any(any(r.startswith("seed.") for r in reads) and any(r.startswith("model.") for r in reads)
               for node, (reads, _) in whole.items() if node.startswith("test."))
