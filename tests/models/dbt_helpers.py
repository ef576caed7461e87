"""Run dbt in-process against a throwaway warehouse, for tests of the dbt models.

Every run gets its own target and log folders under the test's tmp folder, so parallel runs (and a
developer's own `dbt build` in the checkout) never share a manifest, a partial-parse file or a log.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from denials.transform import PROJECT_ROOT, WITHOUT_UNIT_TESTS, DbtOutcome, release_warehouse
from denials.transform import run_dbt as run_project_dbt

REPO_ROOT = PROJECT_ROOT
LOG_TAIL_LINES = 60
# what a copy of the dbt project needs to build (project_copy)
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "analyses", "tests/dbt")


class DbtRunError(AssertionError):
    """A dbt invocation failed; the message carries the failing nodes and the tail of dbt's log."""


def project_copy(target: Path, seeds: dict[str, str] | None = None) -> Path:
    """A copy of the dbt project at `target`, with the CSV text of some seeds replaced (name -> text),
    for a build under reference data a site would have instead of ours."""
    target.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    for name, text in (seeds or {}).items():
        (target / "seeds" / f"{name}.csv").write_text(text, encoding="utf-8")
    return target


def run_dbt(args: list[str], warehouse: Path, tmp: Path, project_dir: Path | None = None,
            unit_tests: bool = False) -> DbtOutcome:
    """Invoke `dbt <args>` on the repo's project (or the copy at `project_dir`) with DENIALS_WAREHOUSE
    pointing at `warehouse`. The dbt unit tests are left out unless `unit_tests`: they do not depend on
    the data, so the suite runs them once (the shared `built_warehouse` build), not in every build.

    Target and log paths go under `tmp`. Raises DbtRunError with the failing nodes and the tail of
    dbt.log when the invocation does not succeed; warnings do not fail it. The warehouse file is
    released afterwards, so the caller may open it (even read-only) or ingest into it.
    """
    # only `build` and `test` run unit tests (and accept the option)
    if not unit_tests and args[0] in ("build", "test"):
        args = [*args, *WITHOUT_UNIT_TESTS]
    outcome = run_project_dbt(args, warehouse, target_path=tmp / "dbt_target", log_path=tmp / "dbt_logs",
                              project_dir=project_dir)
    if not outcome.success:
        failed = "\n".join(outcome.failed_nodes) or "(no failing node reported)"
        raise DbtRunError(
            f"dbt {' '.join(args)} failed against {warehouse}\n"
            f"exception: {outcome.exception!r}\n"
            f"failing nodes:\n{failed}\n"
            f"--- last {LOG_TAIL_LINES} lines of dbt.log ---\n{outcome.log_tail(LOG_TAIL_LINES)}"
        )
    return outcome


@dataclass(frozen=True)
class ParsedProject:
    """The project's manifest.json as parsed, with each node's ancestors read from its parent map."""

    manifest: dict

    @property
    def nodes(self) -> dict[str, dict]:
        return self.manifest["nodes"]

    def upstream(self, node: str) -> set[str]:
        parents = self.manifest["parent_map"]
        found, pending = set(), [node]
        while pending:
            for parent in parents.get(pending.pop(), []):
                if parent not in found:
                    found.add(parent)
                    pending.append(parent)
        return found


def parsed_project(tmp: Path) -> ParsedProject:
    """`dbt parse` of the repo's project, with its target under `tmp`."""
    run_dbt(["parse", "--quiet"], tmp / "parse.duckdb", tmp)
    return ParsedProject(json.loads((tmp / "dbt_target" / "manifest.json").read_text(encoding="utf-8")))


def query(warehouse: Path, sql: str) -> list[tuple]:
    """The rows of `sql` on the warehouse, opened read-only and closed again."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()



def failures(warehouse: Path, tmp_path: Path, test_name: str, project_dir: Path | None = None) -> list[tuple]:
    """The rows of the failing test `test_name`, (rule, column_name, failing_rows), sorted."""
    with pytest.raises(DbtRunError) as failed:
        run_dbt(["test", "--select", test_name, "--store-failures", "--quiet"], warehouse, tmp_path,
                project_dir=project_dir)
    assert test_name in str(failed.value)
    ((schema,),) = query(warehouse,
                         f"select schema_name from duckdb_tables() where table_name = '{test_name}'")
    return sorted(query(warehouse, f"select rule, column_name, failing_rows from {schema}.{test_name}"))


__all__ = ["REPO_ROOT", "DbtRunError", "failures", "project_copy", "query", "release_warehouse", "run_dbt"]
