"""Build the dbt project on local Spark in a child process, and hand the marts back as Parquet.

dbt-spark's session method starts a JVM inside the Python process that runs dbt and keeps it for the life
of that process. Running the build in a child (`python -m denials.spark.build`) means the JVM, its memory
and its threads are gone when the build returns, whatever happened. The child writes every table of the
marts schema as Parquet (one folder per mart) so the caller can read them with DuckDB, without a JVM.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from denials.paths import project_root
from denials.redaction import redact, redact_dbt_logs
from denials.transform import redact_run_results

MARTS_SCHEMA = "marts"

# For a build of a few thousand claims in a fresh folder that nothing reads after the process (the parity
# test, the bench): the catalog in memory instead of a Derby metastore, one shuffle partition, no adaptive
# re-planning, since a few megabytes never need more, and a JVM sized for many small queries; what each
# saves is measured in README (On Apache Spark).
THROWAWAY_SETTINGS = {
    "DENIALS_SPARK_CATALOG": "in-memory",
    "DENIALS_SPARK_SHUFFLE_PARTITIONS": "1",
    "DENIALS_SPARK_ADAPTIVE": "false",
    # A build of a few thousand rows is a few hundred small queries, mostly planning: the JVM's quick
    # compiler alone and one collector thread took 16 to 22% less CPU on the parity test's build (216 and
    # 202 s against 258 s; wall 135 and 127 s against 139 s on idle cores), which counts beside other work,
    # as in the test suite.
    # Not for a large build, where the optimizing compiler pays for itself.
    "DENIALS_SPARK_DRIVER_JAVA_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}


@dataclass
class SparkBuild:
    success: bool
    seconds: float
    cpu_seconds: float  # the child's and its JVM's user + system time
    marts_dir: Path
    log_path: Path
    output: str


def build_on_spark(raw_dir: Path, spark_dir: Path, marts_dir: Path, dbt_args: list[str] | None = None,
                   timeout: float = 3600, settings: dict[str, str] | None = None) -> SparkBuild:
    """`dbt build --target spark` over the Parquet raw layer in `raw_dir`; tables and metastore under
    `spark_dir`; the marts copied to `marts_dir/<mart>/`. Runs in a child process (see module doc).
    `settings` are environment variables the spark profile reads (DENIALS_SPARK_CATALOG, ...)."""
    log_path = spark_dir / "dbt_logs"
    command = [sys.executable, "-m", "denials.spark.build", "--raw", str(raw_dir.resolve()),
               "--spark-dir", str(spark_dir.resolve()), "--marts-out", str(marts_dir.resolve()),
               "--", *(dbt_args or ["build"])]
    started = time.perf_counter()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Its own process group: on a timeout the JVM pyspark started goes too, not only the Python child.
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True, env={**os.environ, **(settings or {})})
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        stdout, stderr = child.communicate()
        stderr += f"\nSpark build stopped after {timeout:.0f} s"
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return SparkBuild(
        success=child.returncode == 0,
        seconds=time.perf_counter() - started,
        cpu_seconds=(children_after.ru_utime + children_after.ru_stime
                     - children_before.ru_utime - children_before.ru_stime),
        marts_dir=marts_dir,
        log_path=log_path,
        # the JVM writes its task errors to stderr itself, past dbt's loggers
        output=redact(stdout[-20000:] + stderr[-5000:]),
    )


def _child(raw_dir: Path, spark_dir: Path, marts_dir: Path, dbt_args: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    redact_dbt_logs()  # this child's output is shown when the build fails

    os.environ["DENIALS_SPARK_RAW"] = str(raw_dir)
    os.environ["DENIALS_SPARK_WAREHOUSE"] = str(spark_dir)
    root = project_root()
    result = dbtRunner().invoke([
        *dbt_args, "--target", "spark", "--project-dir", str(root), "--profiles-dir", str(root),
        "--target-path", str(spark_dir / "dbt_target"), "--log-path", str(spark_dir / "dbt_logs"),
    ])
    redact_run_results(spark_dir / "dbt_target")
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    # dbt's worker threads made the session; the active session is per thread, so this (main) thread takes
    # the running context's default session rather than starting one.
    session = SparkSession.builder.getOrCreate() if SparkContext._active_spark_context else None
    try:
        if not result.success:
            return 1
        if session is None:
            print("dbt finished without a Spark session", file=sys.stderr)
            return 1
        for row in session.sql(f"show tables in {MARTS_SCHEMA}").collect():
            session.table(f"{MARTS_SCHEMA}.{row.tableName}").write.mode("overwrite").parquet(
                str(marts_dir / row.tableName))
        return 0
    finally:
        if session is not None:
            session.stop()
        _wait_for_jvm()


def _wait_for_jvm() -> None:
    """Let the JVM exit and reap it, so its CPU time counts in this process's children (the caller's
    figures) and no JVM outlives the build. It exits when its stdin closes (pyspark's gateway contract)."""
    from pyspark import SparkContext

    process = getattr(SparkContext._gateway, "proc", None)
    if process is None:
        return
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--spark-dir", type=Path, required=True)
    parser.add_argument("--marts-out", type=Path, required=True)
    parser.add_argument("dbt_args", nargs="*")
    args = parser.parse_args()
    sys.exit(_child(args.raw, args.spark_dir, args.marts_out, args.dbt_args or ["build"]))


if __name__ == "__main__":
    main()
