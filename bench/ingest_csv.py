"""Administrations CSV ingest throughput and memory: `python bench/ingest_csv.py [--mb 100] [--file F]`.

Generates synthetic claims (`denials generate`), then repeats their administrations CSV rows, each
copy with its own administration ids, until the file reaches --mb MB. Ingests it into a fresh
warehouse in a child process and prints MB/s for the whole ingest (hashing, registry, load and value
checks) and for the load alone, with the child's CPU time and peak RSS. Not a test: figures vary with
the machine and with what else runs on it (CPU seconds vary less than wall seconds).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from denials.generate import generate

CHILD_INGEST = """
import json, os, resource, sys, time
from pathlib import Path
from denials.ingest import ingest_paths
started, cpu = time.perf_counter(), os.times()
report = ingest_paths([Path(sys.argv[1])], Path(sys.argv[2]))
elapsed, cpu_after = time.perf_counter() - started, os.times()
outcome = report.files[0]
print(json.dumps({"seconds": elapsed, "load_seconds": outcome.seconds, "status": outcome.status,
                  "reason": outcome.reason, "rows": outcome.records,
                  "cpu_seconds": cpu_after.user - cpu.user + cpu_after.system - cpu.system,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build_csv(path: Path, megabytes: float, claims: int, scratch: Path) -> int:
    """Write an administrations CSV of at least `megabytes` MB from generated claims; returns its rows."""
    generated = scratch / "generated"
    generate(generated, claims=claims, seed=1)
    header, *rows = (generated / "administrations" / "administrations.csv").read_text().splitlines()
    target = int(megabytes * 1e6)
    written = copies = 0
    with open(path, "w", encoding="utf-8", newline="") as sink:
        sink.write(header + "\n")
        while written < target:
            # administration_id is the first column (the generator's order) and unique within a file.
            chunk = "".join(f"{row.replace(',', f'-{copies},', 1)}\n" for row in rows)
            sink.write(chunk)
            written += len(chunk)
            copies += 1
    return copies * len(rows)


def run_child(*args: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", CHILD_INGEST, *args], capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"child failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=100.0, help="size of the administrations CSV (MB)")
    parser.add_argument("--claims", type=int, default=20000,
                        help="generated claims the rows come from (more claims, more distinct values)")
    parser.add_argument("--file", type=Path, help="ingest this CSV instead of building one")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="denials-bench-csv-") as scratch:
        scratch_path = Path(scratch)
        if options.file:
            source = options.file
        else:
            source = scratch_path / "administrations.csv"
            started = time.perf_counter()
            rows = build_csv(source, options.mb, options.claims, scratch_path)
            print(f"built {source.stat().st_size / 1e6:,.1f} MB administrations CSV with {rows:,} rows "
                  f"in {time.perf_counter() - started:,.1f} s")
        size_mb = source.stat().st_size / 1e6
        result = run_child(str(source), str(scratch_path / "bench.duckdb"))
        if result["status"] != "loaded":
            raise SystemExit(f"the file was {result['status']}: {result['reason']}")
        print(f"denials ingest (administrations CSV): {size_mb:,.1f} MB, {result['rows']:,} rows "
              f"in {result['seconds']:,.2f} s = {size_mb / result['seconds']:,.1f} MB/s; "
              f"the file's own load {result['load_seconds']:,.2f} s = "
              f"{size_mb / result['load_seconds']:,.1f} MB/s; CPU {result['cpu_seconds']:,.2f} s; "
              f"peak RSS {result['peak_rss_mib']:,.0f} MiB")


if __name__ == "__main__":
    main()
