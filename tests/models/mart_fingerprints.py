"""Content fingerprints of every mart, to prove that a refactoring of the models changed no number.

A fingerprint is the row count and an md5 over the sorted text of every row (column names included),
so a reordered, renamed, retyped or changed column, a lost row or a new one all change it. The
recorded fingerprints live in mart_fingerprints.json beside this file; record them again only when a
change is meant to alter mart content, and say why in the commit.

    python -m tests.models.mart_fingerprints --record      # rebuild and record every data set
    python -m tests.models.mart_fingerprints               # rebuild and compare
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

RECORDED = Path(__file__).with_name("mart_fingerprints.json")
# (name, claims, seed): the demo's data set and a larger one with more of every rare scenario.
DATA_SETS = {"demo": (3000, 7), "claims_20k": (20000, 11)}


def mart_fingerprints(warehouse: Path, schema: str = "marts") -> dict[str, dict[str, object]]:
    """Every table of `schema` (the marts unless told), by name."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [name for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = ? order by table_name", [schema]
        ).fetchall()]
        fingerprints: dict[str, dict[str, object]] = {}
        for table in tables:
            rows, digest = con.execute(
                f"select count(*), coalesce(md5(string_agg(row_text, chr(10) order by row_text)), '') "
                f"from (select cast(t as varchar) as row_text from {schema}.{table} as t)"
            ).fetchone()
            fingerprints[table] = {"rows": rows, "md5": digest}
        return fingerprints
    finally:
        con.close()


@dataclass(frozen=True)
class BuiltDataSet:
    data: Path  # the generated files (837/, 835/, administrations/, truth/)
    warehouse: Path  # ingested and built with `dbt build`
    statuses: frozenset[str]  # the ingest's file statuses


def build(name: str, root: Path, data_tests: bool = True) -> BuiltDataSet:
    """Generate the data set, ingest every feed of it and `dbt build` the whole project on it (without
    the data tests unless `data_tests`: a fingerprint needs the models' content only)."""
    from denials.generate import generate
    from denials.ingest import ingest_paths
    from tests.models.dbt_helpers import run_dbt

    claims, seed = DATA_SETS[name]
    data = root / "data"
    generate(data, claims=claims, seed=seed)
    warehouse = root / "warehouse.duckdb"
    report = ingest_paths([data / "837", data / "835", data / "administrations"], warehouse)
    if report.exit_code:
        raise RuntimeError(f"ingest of {name} exited {report.exit_code}")
    skipped = [] if data_tests else ["--exclude-resource-type", "test"]
    run_dbt(["build", "--quiet", *skipped], warehouse, root)
    return BuiltDataSet(data, warehouse, frozenset(file.status for file in report.files))


def build_data_set(name: str, root: Path) -> Path:
    return build(name, root, data_tests=False).warehouse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write the fingerprints instead of comparing")
    parser.add_argument("--data-set", choices=sorted(DATA_SETS), action="append")
    args = parser.parse_args()
    recorded = json.loads(RECORDED.read_text()) if RECORDED.exists() else {}
    differences = 0
    for name in args.data_set or sorted(DATA_SETS):
        with tempfile.TemporaryDirectory() as tmp:
            current = mart_fingerprints(build_data_set(name, Path(tmp)))
        if args.record:
            recorded[name] = current
            continue
        for table in sorted(set(current) | set(recorded.get(name, {}))):
            now, then = current.get(table), recorded.get(name, {}).get(table)
            same = now == then
            differences += not same
            print(f"{name:11} {table:40} {'same' if same else f'DIFFERS: {then} -> {now}'}")
    if args.record:
        RECORDED.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")
        print(f"recorded {RECORDED}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
