"""Ingest throughput and memory: `python bench/ingest.py [--mb 100] [--file F] [--skip-peer]`.

Builds (or takes) a large valid 835, ingests it into a fresh warehouse in a child process, and prints
MB/s and the child's peak RSS. Then runs the same file through edi-835-parser (a peer parser) in
another child process for a ratio. Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLAIMS_PER_TRANSACTION = 2000


def _claim(index: int) -> str:
    # Balanced: line 1500.00 - CO-45 300.00 - PR-2 120.00 = 1080.00 paid; claim charge 1500.00.
    pcn = f"PCN{index:012d}"
    return (
        f"LX*{index % 9999 + 1}~"
        f"CLP*{pcn}*1*1500*1080*120*12*PAYERCLAIM{index:010d}*11*1~"
        f"NM1*QC*1*DOE*JANE****MI*MEMBER{index:09d}~"
        f"DTM*050*20260105~"
        f"SVC*HC:J7189:JZ*1500*1080**700~"
        f"DTM*472*20260102~"
        f"CAS*CO*45*300~"
        f"CAS*PR*2*120~"
        f"REF*6R*LINE{index:010d}~"
        f"AMT*B6*1200~"
        f"LQ*HE*N362~"
    )


def build_835(path: Path, megabytes: float, newline: bool = False) -> int:
    """Write a valid 835 of at least `megabytes` MB, streaming; returns the claim count. With
    `newline`, every terminator is followed by a line break, as many payers send them."""
    target = int(megabytes * 1e6)
    written = 0
    claims = 0
    transaction = 0
    with open(path, "w", encoding="ascii", newline="") as sink:
        header = ("ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*PROVIDERRECV   *260105*1200*^*00501*"
                  "000000001*0*P*:~GS*HP*PAYERSENDER*PROVIDERRECV*20260105*1200*1*X*005010X221A1~")
        if newline:
            header = header.replace("~", "~\n")
        sink.write(header)
        written += len(header)
        while written < target:
            transaction += 1
            body = [
                f"BPR*I*{1080 * CLAIMS_PER_TRANSACTION}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*"
                f"999988880*DA*98765*20260110~",
                f"TRN*1*EFT{transaction:09d}*1512345678~",
                "DTM*405*20260110~",
                "N1*PR*BENCH PAYER~N4*CITY*ST*12345~PER*BL*EDI*TE*5555555555~",
                "N1*PE*BENCH CLINIC*XX*1234567890~",
            ]
            body.extend(_claim(claims + i) for i in range(CLAIMS_PER_TRANSACTION))
            claims += CLAIMS_PER_TRANSACTION
            text = "".join(body)
            count = text.count("~") + 2
            chunk = f"ST*835*{transaction:04d}~{text}SE*{count}*{transaction:04d}~"
            if newline:
                chunk = chunk.replace("~", "~\n")
            sink.write(chunk)
            written += len(chunk)
        trailer = f"GE*{transaction}*1~{chr(10) if newline else ''}IEA*1*000000001~\n"
        sink.write(trailer)
    return claims


CHILD_INGEST = """
import json, resource, sys, time
from pathlib import Path
from denials.ingest import ingest_paths
started = time.perf_counter()
report = ingest_paths([Path(sys.argv[1])], Path(sys.argv[2]))
elapsed = time.perf_counter() - started
outcome = report.files[0]
print(json.dumps({"seconds": elapsed, "status": outcome.status, "segments": outcome.segments,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_PEER = """
import json, resource, sys, time
from edi_835_parser import parse
started = time.perf_counter()
parsed = parse(sys.argv[1])
parsed_at = time.perf_counter()
try:
    rows = len(parsed.to_dataframe())
except Exception as error:  # the peer asserts one payer per interchange; our bench file has many
    rows = f"to_dataframe failed ({type(error).__name__})"
print(json.dumps({"seconds": parsed_at - started, "rows": rows,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(code: str, *args: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"child failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=100.0, help="size of the generated 835 (MB)")
    parser.add_argument("--file", type=Path, help="ingest this file instead of generating one")
    parser.add_argument("--skip-peer", action="store_true", help="do not run edi-835-parser")
    parser.add_argument("--newline", action="store_true", help="a line break after every terminator")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="denials-bench-") as scratch:
        scratch_path = Path(scratch)
        if options.file:
            source = options.file
        else:
            source = scratch_path / "bench.835"
            started = time.perf_counter()
            claims = build_835(source, options.mb, options.newline)
            print(f"built {source.stat().st_size / 1e6:,.1f} MB 835 with {claims:,} claims "
                  f"in {time.perf_counter() - started:,.1f} s")
        size_mb = source.stat().st_size / 1e6
        ours = run_child(CHILD_INGEST, str(source), str(scratch_path / "bench.duckdb"))
        print(f"denials ingest: {size_mb:,.1f} MB in {ours['seconds']:,.2f} s = "
              f"{size_mb / ours['seconds']:,.1f} MB/s; {ours['segments']:,} segments; "
              f"status {ours['status']}; peak RSS {ours['peak_rss_mib']:,.0f} MiB")
        if not options.skip_peer:
            peer = run_child(CHILD_PEER, str(source))
            print(f"edi-835-parser parse(): {size_mb:,.1f} MB in {peer['seconds']:,.2f} s = "
                  f"{size_mb / peer['seconds']:,.2f} MB/s; dataframe rows: {peer['rows']}; "
                  f"peak RSS {peer['peak_rss_mib']:,.0f} MiB")
            print(f"ratio: denials is {peer['seconds'] / ours['seconds']:,.1f}x faster")
    _ = resource  # children report their own RSS


if __name__ == "__main__":
    main()
