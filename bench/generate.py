"""Generator throughput and memory: `python bench/generate.py [--claims 1000000] [--workers 2] [--keep]`.

Generates N claims into a temporary folder and prints seconds, claims/s, MB written, MB/s and the
peak RSS of this process and of the worker processes. Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from denials.generate import generate
from denials.generate.engine import default_workers


def _megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--claims-per-file", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=None, help="write here instead of a temp folder (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and print its path")
    args = parser.parse_args(argv)

    folder = args.out or Path(tempfile.mkdtemp(prefix="denials-generate-bench-"))
    started = time.perf_counter()
    summary = generate(
        folder, args.claims, args.seed, workers=args.workers, claims_per_file=args.claims_per_file
    )
    seconds = time.perf_counter() - started
    written = _megabytes(folder)
    # ru_maxrss is in KiB on Linux; children = the largest worker, not their sum.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"claims        {summary.claims:,} ({summary.lines:,} lines, {args.workers} worker(s))")
    print(f"seconds       {seconds:,.1f}")
    print(f"claims/s      {summary.claims / seconds:,.0f}")
    print(f"MB written    {written:,.1f}")
    print(f"MB/s          {written / seconds:,.1f}")
    print(f"peak RSS MiB  {own:,.0f} (main), {workers:,.0f} (largest worker)")
    if args.out is None and not args.keep:
        import shutil

        shutil.rmtree(folder)
    else:
        print(f"output        {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
