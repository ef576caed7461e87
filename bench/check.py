"""Data-quality check cost: `python bench/check.py --warehouse W [--suite NAME] [--no-docs] [--in-place]`.

Runs `denials.quality.run_checks` on the warehouse in a child process and prints its seconds and the
child's peak RSS, next to the RSS of the imports alone, so what the checks themselves hold shows. By
default the child works on a copy of the warehouse and of expectations/ in a temporary folder (the run
appends to quality.check_results and writes Data Docs); --in-place uses the real ones. Build a large
warehouse first with `python bench/build.py --claims 1000000 --keep DIR`. Not a test: figures vary with
the machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
options = json.loads(sys.argv[1])
import denials.quality.project  # noqa: F401 - sets GX_ANALYTICS_ENABLED=false before GX is imported
import great_expectations  # noqa: F401 - imported before the baseline, so the figure is the run's
from denials.quality import run_checks
from denials.quality.runner import DEFAULT_CHUNK_ROWS
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = run_checks(Path(options["warehouse"]), options["suites"] or None, build_docs=options["docs"],
                    gx_root=Path(options["gx_root"]) if options["gx_root"] else None)
seconds = time.perf_counter() - started
print(json.dumps({
    "seconds": seconds,
    "import_rss_kb": baseline,
    "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "chunk_rows": DEFAULT_CHUNK_ROWS,
    "suites": [[s.suite, s.status, s.rows, s.batches] for s in report.suites],
    "critical": [s.suite for s in report.critical_failures],
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--suite", action="append", default=[], help="suite or layer (repeatable)")
    parser.add_argument("--no-docs", action="store_true", help="skip the Data Docs build")
    parser.add_argument("--in-place", action="store_true",
                        help="run on the warehouse and expectations/ themselves, not on copies")
    options = parser.parse_args()
    if not options.warehouse.is_file():
        parser.error(f"no warehouse at {options.warehouse}")
    with tempfile.TemporaryDirectory(prefix="denials-check-bench-") as scratch:
        warehouse, gx_root = options.warehouse, None
        if not options.in_place:
            warehouse = Path(scratch) / options.warehouse.name
            shutil.copyfile(options.warehouse, warehouse)
            from denials.quality.project import gx_root as default_root

            gx_root = Path(scratch) / "expectations"
            shutil.copytree(default_root(), gx_root, ignore=shutil.ignore_patterns("uncommitted"))
        child = json.dumps({"warehouse": str(warehouse), "suites": options.suite, "docs": not options.no_docs,
                            "gx_root": str(gx_root) if gx_root else None})
        done = subprocess.run([sys.executable, "-c", CHILD, child], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            sys.exit(f"run_checks failed:\n{done.stderr[-3000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    size = options.warehouse.stat().st_size / 1e6
    print(f"warehouse            {options.warehouse} ({size:,.0f} MB)")
    for suite, status, rows, batches in figures["suites"]:
        print(f"  {suite:<26} {status:<8} {rows:>8,} rows in {batches} batch(es)")
    print(f"run_checks           {figures['seconds']:8.1f} s"
          f"{'' if options.no_docs else ' (with Data Docs)'}")
    print(f"peak RSS             {figures['peak_rss_kb'] / 1024:8.0f} MiB "
          f"(imports alone {figures['import_rss_kb'] / 1024:,.0f} MiB; "
          f"chunks of {figures['chunk_rows']:,} rows)")
    if figures["critical"]:
        print(f"critical failures    {', '.join(figures['critical'])}")


if __name__ == "__main__":
    main()
