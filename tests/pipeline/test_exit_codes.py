"""Every exit code of the table in `denials --help` and the README, each for what it says, and never a
traceback: missing, locked, corrupt, read-only, old-layout warehouses, a full disk, a bug."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from denials.cli import main
from denials.errors import EXIT_CODES
from tests.ingest.x12_builders import remittance
from tests.pipeline.conftest import Published, copy_published, gx_copy
from tests.pipeline.conftest import cli as run_cli

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def gx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gx_copy(tmp_path_factory.mktemp("gx"))


@pytest.fixture
def cli(gx: Path):  # noqa: ANN201 - the conftest's cli with this module's GX project
    def call(*args: str, gx_root: Path | None = None, **options: object) -> subprocess.CompletedProcess:
        return run_cli(*args, gx_root=gx, **options)

    return call


def _no_traceback(done: subprocess.CompletedProcess) -> str:
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return output


def test_the_table_is_in_help_and_readme(cli, tmp_path: Path) -> None:
    done = cli("--help", gx_root=tmp_path)
    readme = README.read_text(encoding="utf-8")
    for code, meaning in EXIT_CODES:
        assert f"{code:>2}  {meaning}" in done.stdout
        assert f"| {code} | {meaning} |" in readme


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "remit.835").write_text(remittance(3))
    return folder


def test_0_and_1_rejected_files(cli, inbox: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "denials.duckdb"
    done = cli("ingest", str(inbox), "--warehouse", str(warehouse), gx_root=tmp_path)
    assert done.returncode == 0
    # Not a terminal (a cron log): the summary table is whole, not cut at 80 columns.
    assert "MB/s" in done.stdout and "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) > 80
    (inbox / "broken.835").write_text("ISA*00*truncated")
    done = cli("ingest", str(inbox), "--warehouse", str(warehouse), gx_root=tmp_path)
    assert done.returncode == 1
    assert "broken.835" in _no_traceback(done)


def test_2_nothing_to_work_on(cli, inbox: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "denials.duckdb"
    for args in (["summary"], ["dashboard", "-o", str(tmp_path / "d.html")], ["check"], ["build"],
                 ["rebuild", "1", "-o", str(tmp_path / "x")], ["publish"]):
        done = cli(*args, "--warehouse", str(warehouse), gx_root=tmp_path)
        assert done.returncode == 2, (args, done.stdout + done.stderr)
        _no_traceback(done)
    assert cli("ingest", str(inbox), "--warehouse", str(warehouse), gx_root=tmp_path).returncode == 0
    done = cli("check", "--no-docs", "--warehouse", str(warehouse), gx_root=tmp_path)
    assert done.returncode == 2 and "not built" in _no_traceback(done)  # check on nothing is an error
    done = cli("rebuild", "99", "-o", str(tmp_path / "x"), "--warehouse", str(warehouse), gx_root=tmp_path)
    assert done.returncode == 2 and "no file 99" in _no_traceback(done)
    done = cli("summary", "--warehouse", str(warehouse), gx_root=tmp_path)
    assert done.returncode == 2 and "nothing published" in _no_traceback(done)
    done = cli("ingest", "--warehouse", str(warehouse), gx_root=tmp_path)
    assert done.returncode == 2  # click's usage errors share the code


def test_4_build_failed(cli, gx: Path, inbox: Path, tmp_path: Path) -> None:
    """A model that fails on a value: the exit code, the model and the error's kind, and the value nowhere,
    neither in the output nor in dbt's log and run results."""
    warehouse = tmp_path / "w" / "denials.duckdb"
    assert cli("ingest", str(inbox), "--warehouse", str(warehouse), gx_root=tmp_path).returncode == 0
    # A staging table of another shape where a model appends (a column whose type a release changed):
    # the model fails on the first patient control number, and DuckDB's error quotes it. (Dropping the raw
    # view staging reads no longer works: every writer's connection restores the raw layer first.)
    con = duckdb.connect(str(warehouse))
    con.execute("create schema staging")
    con.execute("create table staging.stg_x12_835__claims (file_id bigint, patient_control_number date)")
    con.close()
    done = cli("build", "--warehouse", str(warehouse), gx_root=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    output = _no_traceback(done)
    assert "stg_x12_835__claims" in output and "Conversion Error" in output, output
    written = {"output": output}
    for folder in (tmp_path, gx.parent / "dbt-logs"):
        written.update({str(path): path.read_text(encoding="utf-8", errors="replace")
                        for path in folder.rglob("*") if path.suffix in (".log", ".json") and path.is_file()})
    assert any("Conversion Error" in text for name, text in written.items() if name.endswith("dbt.log"))
    # the remit's CLP01 values (tests/ingest/x12_builders.py)
    assert not [name for name, text in written.items() if "PCN0000" in text]


def test_5_corrupt_and_old_layout_warehouses(cli, inbox: Path, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a database " * 500)
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("create schema raw; create table raw.warehouse_metadata (key varchar, value varchar); "
                "insert into raw.warehouse_metadata values ('raw_schema_version', '2')")
    con.close()
    for warehouse in (corrupt, old):
        for args in (["ingest", str(inbox)], ["check", "--no-docs"],
                     ["rebuild", "1", "-o", str(tmp_path / "x")], ["run", str(inbox), "--no-docs"]):
            done = cli(*args, "--warehouse", str(warehouse), gx_root=tmp_path)
            assert done.returncode == 5, (warehouse.name, args, done.stdout + done.stderr)
            assert str(warehouse) in _no_traceback(done)


@contextlib.contextmanager
def _tmpfs(path: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    path.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("needs a tmpfs mount (root in a container that allows it) to fill a real disk")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_5_disk_full(cli, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for number in range(6):
        (inbox / f"r{number}.835").write_text(remittance(400, f"00000000{number}"))
    with _tmpfs(tmp_path / "small", "1m") as disk:
        warehouse = disk / "denials.duckdb"
        done = cli("ingest", str(inbox), "--warehouse", str(warehouse), gx_root=tmp_path)
        output = _no_traceback(done)
        assert done.returncode == 5, output
        assert "disk full" in output
        quarantine = disk / "quarantine"
        if quarantine.exists():
            assert not [p for p in quarantine.iterdir() if not p.name.endswith(".reason.txt")]


def test_5_read_only_warehouse(cli, inbox: Path, tmp_path: Path) -> None:
    source = tmp_path / "w" / "denials.duckdb"
    assert cli("ingest", str(inbox), "--warehouse", str(source), gx_root=tmp_path).returncode == 0
    with _tmpfs(tmp_path / "ro", "8m") as disk:
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        (disk / "denials.duckdb").write_bytes(source.read_bytes())
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        (inbox / "more.835").write_text(remittance(2, "000000005"))
        done = cli("ingest", str(inbox), "--warehouse", str(disk / "denials.duckdb"), gx_root=tmp_path)
        assert done.returncode == 5, done.stdout + done.stderr
        assert "read-only" in _no_traceback(done).lower()


def test_70_internal_error_shows_no_traceback_nor_values(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import denials.ingest as ingest

    def broken(*_: object, **__: object) -> None:
        raise ValueError("could not convert 'MEMBERID00042' to a number")

    monkeypatch.setattr(ingest, "ingest_paths", broken)
    (tmp_path / "r.835").write_text(remittance(1))
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "r.835"), "--warehouse",
                                       str(tmp_path / "w.duckdb")])
    assert result.exit_code == 70
    assert "internal error (ValueError)" in result.output
    assert "MEMBERID00042" not in result.output and "Traceback" not in result.output


def test_130_interrupted(cli, inbox: Path, tmp_path: Path) -> None:
    import os
    import signal

    from tests.pipeline.conftest import start, wait_for

    marker = tmp_path / "paused"
    run = start("run", str(inbox), "--warehouse", str(tmp_path / "w" / "denials.duckdb"), "--no-docs",
                gx_root=tmp_path, env={"DENIALS_PAUSE_AT": f"ingest:{marker}"})
    wait_for(marker, run)
    os.killpg(run.pid, signal.SIGINT)
    try:
        out, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:  # it ignored the interrupt: no process outlives the test
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
    assert run.returncode == 130, out + err
    assert "Traceback" not in out + err and "interrupted" in err


HOLD_DUCKDB = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
               "time.sleep(120)")
HOLD_LOCK = ("import sys, time; from pathlib import Path; from denials.locking import writer_lock\n"
             "with writer_lock(Path(sys.argv[1]), 'run'):\n    print('held', flush=True); time.sleep(120)")


@contextlib.contextmanager
def _holding(script: str, warehouse: Path) -> Iterator[None]:
    holder = subprocess.Popen([sys.executable, "-c", script, str(warehouse)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("holder", ["foreign process", "denials command"])
def test_75_busy_for_every_writer(cli, holder: str, inbox: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "denials.duckdb"
    assert cli("ingest", str(inbox), "--warehouse", str(warehouse), gx_root=tmp_path).returncode == 0
    with _holding(HOLD_DUCKDB if holder == "foreign process" else HOLD_LOCK, warehouse):
        started = time.monotonic()
        for args in (["ingest", str(inbox)], ["build"], ["check", "--no-docs"], ["publish"],
                     ["run", str(inbox), "--no-docs"], ["rebuild", "1", "-o", str(tmp_path / "x")]):
            done = cli(*args, "--warehouse", str(warehouse), gx_root=tmp_path)
            output = _no_traceback(done)
            assert done.returncode == 75, (args, output)
            expected = "another process" if holder == "foreign process" else "denials run, pid"
            assert expected in output, (args, output)
        assert time.monotonic() - started < 120, "a second writer never waits"


@pytest.mark.slow
def test_summary_reads_while_a_writer_holds_the_warehouse(cli, published: Published,
                                                          tmp_path: Path) -> None:
    warehouse = copy_published(published, tmp_path)
    with _holding(HOLD_DUCKDB, warehouse):
        done = cli("summary", "--warehouse", str(warehouse), gx_root=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        dashboard = cli("dashboard", "--warehouse", str(warehouse), "-o", str(tmp_path / "d.html"),
                        gx_root=tmp_path)
        assert dashboard.returncode == 0, dashboard.stdout + dashboard.stderr
    assert published.run_id in done.stdout
    # Not a terminal: full width, nothing cut at 80 columns.
    assert "…" not in done.stdout and max(len(line) for line in done.stdout.splitlines()) > 100


@pytest.mark.slow
def test_3_a_critical_check_stops_the_run_publishes_nothing_and_writes_its_docs(
        published: Published, tmp_path: Path) -> None:
    import re
    import shutil

    from tests.pipeline.conftest import gx_copy, publication
    from tests.quality.conftest import CANARY, unbalance_first_claim

    warehouse = copy_published(published, tmp_path)
    before = publication(warehouse)
    inbox = tmp_path / "inbox"
    shutil.copytree(published.batch2, inbox)
    remit = sorted((inbox / "835").glob("*.835"))[0]
    remit.write_text(unbalance_first_claim(remit.read_text()))
    gx = gx_copy(tmp_path)
    done = run_cli("run", str(inbox), "--warehouse", str(warehouse), gx_root=gx)
    output = _no_traceback(done)
    assert done.returncode == 3, output
    assert "CRITICAL staging.balancing" in " ".join(output.split()) and CANARY not in output
    assert publication(warehouse) == before, "a failed check publishes nothing"
    run_id = re.search(r"denials run (\S+) on", output).group(1)
    site = gx / "uncommitted" / "data_docs" / "local_site"
    for layer in ("raw", "staging"):
        runs = list((site / "validations" / layer).glob(f"*/{run_id}*"))
        assert runs, f"the stopped run's Data Docs lack its {layer} suites"
    assert (site / "index.html").is_file()
