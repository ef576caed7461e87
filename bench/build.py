"""End-to-end scale figures: `python bench/build.py [--claims 1000000] [--keep DIR]`.

Generates N claims, ingests the 837, 835 and administration files into a fresh warehouse, then runs
`dbt build` (seeds, staging, intermediate, marts and their tests) and the data-quality checks.
Prints seconds per stage and the warehouse size. Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from denials.generate import generate
from denials.ingest import ingest_paths
from denials.quality import run_checks
from denials.transform import run_dbt


def _stage(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"{label:<28} {now - started:8.1f} s")
    return now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--select", nargs="*", default=None, help="dbt selection (default: everything)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="denials-build-bench-") as scratch:
        root = options.keep or Path(scratch)
        data, warehouse = root / "data", root / "warehouse.duckdb"
        started = time.perf_counter()
        generate(data, claims=options.claims, seed=options.seed)
        clock = _stage(f"generate {options.claims:,} claims", started)
        report = ingest_paths([data / "837", data / "835", data / "administrations"], warehouse)
        megabytes = report.bytes_loaded / 1e6
        clock = _stage(f"ingest {megabytes:,.0f} MB", clock)
        print(f"{'':<28} {megabytes / report.seconds:8.1f} MB/s, {report.segments:,} segments")
        args = ["build", "--quiet"] + (["--select", *options.select] if options.select else [])
        outcome = run_dbt(args, warehouse, target_path=root / "target", log_path=root / "logs")
        clock = _stage("dbt build", clock)
        if not outcome.success:
            print("dbt build failed:", *outcome.failed_nodes[:10], sep="\n  ")
        checks = run_checks(warehouse, build_docs=False)
        clock = _stage(f"data-quality checks ({'passed' if checks.success else 'CRITICAL failure'})", clock)
        print(f"{'total':<28} {clock - started:8.1f} s")
        print(f"warehouse size {warehouse.stat().st_size / 1e6:,.0f} MB; "
              f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
