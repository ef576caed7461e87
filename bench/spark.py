"""Build time on local Spark vs DuckDB on the same data: `python bench/spark.py [--claims 1000] [--keep DIR]`.

Generates N claims, ingests them into DuckDB, times `dbt build` there (in this process), exports the raw
layer as Parquet and times `dbt build --target spark` (a child process: JVM start, seeds, models, data and
unit tests), then prints both and their ratios, wall and CPU time. Spark's local engine pays a JVM and
per-query planning that DuckDB does not: the figure shows what running the portable models locally costs,
not a race to win on one machine; the same models run on a cluster by changing the profile only. Not a
test: figures vary.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


def run(claims: int, seed: int, work: Path) -> int:
    from denials.generate import generate
    from denials.ingest import ingest_paths
    from denials.spark.build import THROWAWAY_SETTINGS, build_on_spark
    from denials.spark.export import export_raw
    from denials.transform import run_dbt

    generated = work / "gen"
    generate(generated, claims=claims, seed=seed)
    warehouse = work / "warehouse" / "denials.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    ingest_paths([generated / folder for folder in ("837", "835", "administrations")], warehouse)

    started, cpu_started = time.perf_counter(), cpu_seconds()
    outcome = run_dbt(["build", "--quiet"], warehouse, target_path=work / "duckdb_target",
                      log_path=work / "duckdb_logs")
    duckdb_seconds, duckdb_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    if not outcome.success:
        print("dbt build on DuckDB failed:", *outcome.failed_nodes, sep="\n  ", file=sys.stderr)
        return 1

    started = time.perf_counter()
    report = export_raw(warehouse, work / "raw")
    export_seconds = time.perf_counter() - started

    # The build is thrown away with the folder, so it takes the throwaway settings the parity test uses. They
    # suit the few thousand claims this bench is for; far more would want the JVM's optimizing compiler
    # back (DENIALS_SPARK_DRIVER_JAVA_OPTIONS) and more shuffle partitions.
    spark = build_on_spark(work / "raw", work / "spark", work / "spark_marts", settings=THROWAWAY_SETTINGS)
    if not spark.success:
        print(f"dbt build on Spark failed (log under {spark.log_path})", file=sys.stderr)
        return 1

    print(f"claims {claims:,}   files {report.files}   segments {report.rows['x12_segments']:,}")
    print("                                 wall   CPU (user + system)")
    print(f"dbt build, DuckDB            {duckdb_seconds:8.1f} s {duckdb_cpu:8.1f} s")
    print(f"export-raw (Parquet)         {export_seconds:8.1f} s")
    print(f"dbt build, Spark local[2]    {spark.seconds:8.1f} s {spark.cpu_seconds:8.1f} s"
          "   (JVM start included)")
    print(f"Spark / DuckDB               {spark.seconds / duckdb_seconds:8.1f} x "
          f"{spark.cpu_seconds / duckdb_cpu:8.1f} x")
    return 0


def cpu_seconds() -> float:
    """User + system time of this process: DuckDB and dbt run in it. On a shared machine, CPU time compares
    engines better than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        sys.exit(run(args.claims, args.seed, args.keep))
    with tempfile.TemporaryDirectory(prefix="denials-bench-spark-") as work:
        sys.exit(run(args.claims, args.seed, Path(work)))


if __name__ == "__main__":
    main()
