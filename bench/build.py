"""End-to-end scale figures: `python bench/build.py [--claims 1000000] [--claims 100000 ...] [--keep DIR]`.

For each size: generates N claims, ingests the 837, 835 and administration files into a fresh
warehouse, runs `dbt build` (seeds, staging, intermediate, marts and their tests; it prints dbt's node time
per layer and the five longest nodes, which overlap, two threads running at once) and the data-quality
checks, and publishes the marts (the first publication copies every table). Then a daily increment (1%
more claims as new files) goes through `denials run --no-docs`, the scheduled command a site runs every day:
ingest, both builds and checks, and the publish, which now updates the previous publication in place (the
Data Docs, which `denials run` builds by default, add about 2 s at a million claims). Every stage
runs in a child process of its own, so its peak RSS and CPU time are its own; CPU seconds over wall seconds
say how many cores the stage kept busy (a stage near the machine's core count is bound by CPU, and only
less work or more cores shortens it). With two or more sizes it prints how each stage grows against the
claim count. Not a test: figures vary with the machine.

This machine's speed also varies, from one day to the next (the same build has taken 223 s one day and
303 s the next) and within one bench. So before each size's full run and again before its daily run, the
bench times a fixed DuckDB workload: the machine reference. Compare two figures only after comparing the
references taken before them; a daily run's share of the full run holds only when the two references agree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

INPUT_FOLDERS = ("837", "835", "administrations")


@dataclass
class Stage:
    name: str
    seconds: float
    peak_rss_mib: float
    ok: bool
    cpu_seconds: float


def in_child(name: str, work: Callable[[], None]) -> Stage:
    """Run `work` in a forked child (imports happen there, so the parent stays small)."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            work()
        except BaseException:  # noqa: BLE001 - report and exit, whatever it was
            traceback.print_exc()
            code = 1
        if "multiprocessing" in sys.modules:
            # os._exit skips the interpreter's exit, where multiprocessing releases the semaphores dbt made;
            # its resource tracker would then print a "leaked semaphore objects" warning after every stage
            from multiprocessing import util

            util._exit_function()
        sys.stdout.flush()
        os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    ok = os.waitstatus_to_exitcode(status) == 0
    stage = Stage(name, time.perf_counter() - started, usage.ru_maxrss / 1024, ok,
                  usage.ru_utime + usage.ru_stime)
    flag = "" if stage.ok else "  FAILED"
    print(f"  {name:<26} {stage.seconds:8.1f} s  peak RSS {stage.peak_rss_mib:8,.0f} MiB "
          f"CPU {stage.cpu_seconds:7.1f} s ({stage.cpu_seconds / max(stage.seconds, 1e-9):.1f} cores){flag}",
          flush=True)
    return stage


REFERENCE_ROWS = 3_000_000
REFERENCE_ROUNDS = 3


def _machine_reference(median_out: Path) -> None:
    """A fixed workload shaped like the build's (text keys, a join, an aggregate, windows, a table written
    to a file and checkpointed), on two threads as the build has, a few rounds; the median round, written to
    `median_out`, says how fast the machine is at the moment, apart from any change to the project."""

    from denials.quiet import quiet_connect

    rounds = []
    for _ in range(REFERENCE_ROUNDS):
        with tempfile.TemporaryDirectory(prefix="denials-machine-reference-") as scratch:
            started = time.perf_counter()
            reference = Path(scratch) / "reference.duckdb"
            con = quiet_connect(reference, config={"threads": 2})
            try:
                con.execute(f"""
                    create table lines as
                    select
                        number // 4 as claim_number,
                        concat_ws(':', number // 4000, 1, number // 4, number % 4) as line_key,
                        (number * 7919 % 100003) / 100.0 as amount
                    from range({REFERENCE_ROWS}) as numbers (number)
                """)
                con.execute("""
                    create table ranked as
                    select
                        lines.line_key,
                        lines.amount + shuffled.amount as amount,
                        row_number() over (
                            partition by lines.claim_number order by lines.amount desc
                        ) as line_rank,
                        sum(lines.amount) over (partition by lines.claim_number) as claim_amount
                    from lines
                    inner join (select line_key, amount from lines order by amount) as shuffled
                        on lines.line_key = shuffled.line_key
                """)
                con.execute("select line_rank, count(distinct line_key), sum(amount) from ranked "
                            "group by line_rank").fetchall()
                con.execute("checkpoint")
            finally:
                con.close()
            rounds.append(time.perf_counter() - started)
    print(f"  {'':<26} rounds {', '.join(f'{seconds:.1f}' for seconds in rounds)} s")
    median_out.write_text(str(sorted(rounds)[len(rounds) // 2]), encoding="utf-8")


def machine_reference(root: Path) -> float:
    """The machine reference's median round, in seconds, timed in a child as every stage is."""
    median_out = root / "machine-reference.txt"
    median_out.unlink(missing_ok=True)
    if not in_child("machine reference", lambda: _machine_reference(median_out)).ok:
        raise RuntimeError("the machine reference failed")
    return float(median_out.read_text(encoding="utf-8"))


def _generate(out: Path, claims: int, seed: int) -> None:
    from denials.generate import generate

    generate(out, claims=claims, seed=seed)


def _ingest(data: Path, warehouse: Path) -> None:
    from denials.ingest import ingest_paths

    report = ingest_paths([data / folder for folder in INPUT_FOLDERS], warehouse)
    megabytes = report.bytes_loaded / 1e6
    print(f"  {'':<26} {megabytes:8,.0f} MB at {megabytes / max(report.seconds, 1e-9):,.1f} MB/s, "
          f"{report.segments:,} segments")
    if report.exit_code:
        raise RuntimeError(f"ingest exited {report.exit_code}")


def _build(root: Path, warehouse: Path) -> None:
    from denials.seed_state import build_selection, record_seeds_loaded
    from denials.transform import WITHOUT_UNIT_TESTS, run_dbt, warehouse_target_path

    # as the scheduled run builds: no dbt unit tests, seeds loaded only when they changed, and one retry
    # of what ran out of memory
    selection, seeds_loaded = build_selection(warehouse)
    # dbt's target folder is the scheduled run's (beside the warehouse), so the daily run finds the parse
    # this build saved, as it does at a site
    outcome = run_dbt(["build", *selection, "--quiet", *WITHOUT_UNIT_TESTS], warehouse,
                      log_path=root / "logs", retry_out_of_memory=True)
    if outcome.success and seeds_loaded:
        record_seeds_loaded(warehouse, seeds_loaded)
    for node in outcome.retried_nodes:
        print(f"  {'':<26} out of memory at first, built again one at a time: {node}")
    if not outcome.success:
        raise RuntimeError("dbt build failed: " + "; ".join(outcome.failed_nodes[:10]))
    run_results = warehouse_target_path(warehouse) / "run_results.json"
    for layer, seconds in _seconds_by_layer(run_results).items():
        print(f"  {'  dbt ' + layer:<26} {seconds:8.1f} s  node time (2 threads)")
    longest = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in _longest_nodes(run_results, 5))
    print(f"  {'':<26} longest: {longest}")


def _seconds_by_layer(run_results: Path) -> dict[str, float]:
    """dbt's own time per layer: models by schema (staging, intermediate, marts), then seeds and tests."""
    import json

    totals: dict[str, float] = {}
    for node in json.loads(run_results.read_text(encoding="utf-8"))["results"]:
        kind = node["unique_id"].split(".", 1)[0]
        if kind == "model":
            layer = node["relation_name"].split(".")[1].strip('"')
        elif kind in ("seed", "test", "unit_test"):
            layer = kind + "s"
        else:
            continue
        totals[layer] = totals.get(layer, 0.0) + node["execution_time"]
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def _longest_nodes(run_results: Path, count: int) -> list[tuple[str, float]]:
    """The nodes that took longest (while others ran beside them, so the times overlap)."""
    import json

    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    # the kinds the layer times count: hooks are dbt's own work, not a node of the warehouse
    nodes = [(node["unique_id"].split(".")[2], node["execution_time"]) for node in results
             if node["unique_id"].split(".", 1)[0] in ("model", "seed", "test")]
    return sorted(nodes, key=lambda node: -node[1])[:count]


def _check(warehouse: Path) -> None:
    from denials.quality import run_checks

    if not run_checks(warehouse, build_docs=False).success:
        raise RuntimeError("a critical data-quality check failed")


def _publish(warehouse: Path) -> None:
    from denials.publish import publish

    print(f"  {'':<26} {publish(warehouse, 'bench-full-run').summary()}")


def _scheduled_run(inbox: Path, warehouse: Path, publish_seconds_out: Path | None = None) -> None:
    """`denials run --no-docs` on the inbox, in this process; prints the run's own stage times, and writes
    its publish's seconds to `publish_seconds_out`."""
    from denials.pipeline import scheduled_run

    outcome = scheduled_run([inbox / folder for folder in INPUT_FOLDERS], warehouse, say=print,
                            build_docs=False)
    for stage, _ in outcome.stages:
        detail = outcome.publication.summary() if stage == "publish" and outcome.publication else ""
        print(f"  {'  ' + stage:<26} {outcome.seconds[stage]:8.1f} s  {detail}".rstrip())
    if outcome.exit_code:
        raise RuntimeError(f"denials run exited {outcome.exit_code}: {outcome.stages[-1]}")
    if publish_seconds_out is not None:
        publish_seconds_out.write_text(str(outcome.seconds["publish"]), encoding="utf-8")


def bench_size(claims: int, seed: int, root: Path, reuse_data: bool) -> dict[str, Stage]:
    print(f"{claims:,} claims")
    data, daily, warehouse = root / "data", root / "daily", root / "warehouse.duckdb"
    # every run measures a first load and a full build: never on top of an earlier run's warehouse
    for leftover in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if reuse_data and all((data / folder).is_dir() for folder in INPUT_FOLDERS):
        print(f"  {'generate':<26} reusing {data}")
        shutil.rmtree(daily, ignore_errors=True)
        stages = []
    else:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(daily, ignore_errors=True)
        stages = [in_child("generate", lambda: _generate(data, claims, seed))]
    before_full = machine_reference(root)
    stages += [
        in_child("ingest", lambda: _ingest(data, warehouse)),
        in_child("dbt build", lambda: _build(root, warehouse)),
        in_child("checks", lambda: _check(warehouse)),
    ]
    full = sum(stage.seconds for stage in stages if stage.name != "generate")
    size_mb = warehouse.stat().st_size / 1e6
    print(f"  {'ingest + build + checks':<26} {full:8.1f} s   warehouse {size_mb:,.0f} MB")
    stages.append(in_child("publish", lambda: _publish(warehouse)))
    published = stages[-1].seconds
    print(f"  {'full run with publish':<26} {full + published:8.1f} s")
    in_child("generate daily 1%", lambda: _generate(daily, max(claims // 100, 1), seed + 1))
    before_daily = machine_reference(root)
    daily_publish_out = root / "daily-publish-seconds.txt"
    daily_publish_out.unlink(missing_ok=True)
    increment = in_child("daily run (--no-docs)", lambda: _scheduled_run(daily, warehouse, daily_publish_out))
    # like with like: the daily run without its publish against the full ingest + build + checks, and the
    # whole daily run against the full run with its publish
    if increment.ok:
        unpublished = increment.seconds - float(daily_publish_out.read_text(encoding="utf-8"))
        with_publish = increment.seconds / (full + published)
        print(f"  {'':<26} without its publish {unpublished:.1f} s: {unpublished / full:.1%} of ingest + "
              f"build + checks; with it {with_publish:.1%} of the full run with publish")
    print(f"  {'':<26} machine reference: median round {before_daily:.1f} s before the daily run, "
          f"{before_full:.1f} s before the full run")
    by_name = {stage.name: stage for stage in stages}
    measured = [stage for stage in stages if stage.name not in ("generate", "publish")]
    by_name["full run"] = Stage("full run", full, max(s.peak_rss_mib for s in measured), True,
                                sum(s.cpu_seconds for s in measured))
    by_name["daily run"] = increment
    return by_name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, action="append",
                        help="claim count (repeat for a growth comparison; default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--reuse-data", action="store_true",
                        help="with --keep: use the claims an earlier run generated there")
    options = parser.parse_args()
    sizes = sorted(options.claims or [1_000_000])
    results: dict[int, dict[str, Stage]] = {}
    for claims in sizes:
        with tempfile.TemporaryDirectory(prefix="denials-build-bench-") as scratch:
            root = (options.keep / str(claims)) if options.keep else Path(scratch)
            root.mkdir(parents=True, exist_ok=True)
            reuse = options.reuse_data and options.keep is not None
            results[claims] = bench_size(claims, options.seed, root, reuse)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"growth {small:,} -> {large:,} claims ({large / small:.0f}x the claims)")
        for name in ("ingest", "dbt build", "checks", "publish", "full run", "daily run"):
            before, after = results[small][name], results[large][name]
            print(f"  {name:<26} {after.seconds / max(before.seconds, 1e-9):6.1f}x time, "
                  f"{after.cpu_seconds / max(before.cpu_seconds, 1e-9):5.1f}x CPU, "
                  f"{after.peak_rss_mib / max(before.peak_rss_mib, 1e-9):5.1f}x peak RSS")


if __name__ == "__main__":
    main()
