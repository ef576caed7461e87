"""One small generated warehouse for the quality tests, and the copies the planted faults need.

Built once per session: 1,000 claims in files of 40 claims (about 25 files of each kind, so one bad
claim is about 2% of its file), ingested with the 835 folder sent twice (duplicates give the registry
non-loaded rows to check), then `dbt build` of the seeds, staging and the 835 balancing models. The marts
are built by their own test (test_marts.py), so these tests do not depend on the marts' progress.

Every run here uses a copy of expectations/ in a temporary folder: validation results and Data Docs
never land in the checkout.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from denials.generate import generate
from denials.ingest import ingest_paths
from denials.quality import CheckReport, run_checks
from denials.quality.project import DEFAULT_GX_ROOT
from tests.models.dbt_helpers import run_dbt

CLAIMS = 1000
CLAIMS_PER_FILE = 40
SEED = 7
# A recognisable fake identifier planted in failing rows: it must never show up in any output.
CANARY = "ZZCANARY7731"
# Staging, and the balancing models the staging.balancing suite reads (they only read staging).
STAGING_BUILD = ["build", "--quiet", "--select", "resource_type:seed", "path:models/staging",
                 "path:models/intermediate/balancing", "+int_claims_matched_to_remits",
                 "+int_remit_transactions_payer_resolved", "--indirect-selection", "cautious"]


@dataclass(frozen=True)
class Built:
    data: Path  # generated files (837/, 835/, administrations/)
    warehouse: Path  # clean, seeds and staging built
    root: Path  # the session's scratch folder


def gx_copy(tmp: Path) -> Path:
    """A fresh copy of the GX project (without uncommitted/) for one run."""
    target = tmp / "expectations"
    shutil.copytree(DEFAULT_GX_ROOT, target, ignore=shutil.ignore_patterns("uncommitted"))
    return target


def check(warehouse: Path, tmp: Path, suites: list[str] | None = None, **options) -> tuple[CheckReport, Path]:
    root = gx_copy(tmp)
    return run_checks(warehouse, suites, gx_root=root, **options), root


def copy_warehouse(source: Path, tmp: Path, name: str = "warehouse.duckdb") -> Path:
    target = tmp / name
    shutil.copyfile(source, target)
    return target


def file_id(warehouse: Path, file_name: str) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select min(file_id) from raw.file_registry where file_name = ? and status = 'loaded'",
            [file_name],
        ).fetchone()[0]
    finally:
        con.close()


def ingest(paths: list[Path], warehouse: Path) -> None:
    report = ingest_paths(paths, warehouse)
    statuses = {f.status for f in report.files}
    assert statuses <= {"loaded", "duplicate"}, [(f.label, f.reason) for f in report.files]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("quality")
    data = root / "data"
    generate(data, claims=CLAIMS, seed=SEED, claims_per_file=CLAIMS_PER_FILE)
    warehouse = root / "clean.duckdb"
    # Re-sent under another folder: the same path again would be skipped as unchanged, unregistered.
    resent = shutil.copytree(data / "835", root / "resent_835")
    ingest([data / "837", data / "835", data / "administrations", resent], warehouse)
    run_dbt(STAGING_BUILD, warehouse, root / "dbt_clean")
    return Built(data=data, warehouse=warehouse, root=root)


def remit_files(data: Path) -> list[Path]:
    return sorted((data / "835").glob("*.835"))


def unbalance_first_claim(text: str) -> str:
    """Add 100.00 to the first CLP04 (claim paid) and put the canary in its CLP01."""
    match = re.search(r"CLP\*([^*~]*)\*([^*~]*)\*([^*~]*)\*([^*~]*)\*", text)
    assert match, "no CLP segment"
    paid = float(match.group(4) or 0) + 100
    replacement = f"CLP*{CANARY}*{match.group(2)}*{match.group(3)}*{paid:.2f}*"
    return text[:match.start()] + replacement + text[match.end():]


def new_envelope(text: str) -> str:
    """The same remittance under new ISA13/IEA02, GS06/GE02 and ST02/SE02 control numbers."""
    def renumber(value: str) -> str:
        return "9" + value[1:]

    text = re.sub(r"(ISA(?:\*[^*~]*){12}\*)(\d+)", lambda m: m.group(1) + renumber(m.group(2)), text)
    text = re.sub(r"(IEA\*[^*~]*\*)(\d+)", lambda m: m.group(1) + renumber(m.group(2)), text)
    text = re.sub(r"(GS(?:\*[^*~]*){5}\*)(\d+)", lambda m: m.group(1) + renumber(m.group(2)), text)
    text = re.sub(r"(GE\*[^*~]*\*)(\d+)", lambda m: m.group(1) + renumber(m.group(2)), text)
    text = re.sub(r"(ST\*835\*)(\d+)", lambda m: m.group(1) + renumber(m.group(2)), text)
    return re.sub(r"(SE\*[^*~]*\*)(\d+)", lambda m: m.group(1) + renumber(m.group(2)), text)


@pytest.fixture(scope="session")
def unbalanced(built: Built) -> tuple[Path, str]:
    """(a) A warehouse whose third 835 file has one claim whose CLP04 was raised by 100.00."""
    root = built.root / "unbalanced"
    inbox = root / "835"
    inbox.mkdir(parents=True)
    files = remit_files(built.data)
    edited = files[2].name
    for path in files:
        text = path.read_text(encoding="utf-8")
        (inbox / path.name).write_text(unbalance_first_claim(text) if path.name == edited else text,
                                       encoding="utf-8")
    warehouse = root / "unbalanced.duckdb"
    ingest([built.data / "837", inbox, built.data / "administrations"], warehouse)
    run_dbt(STAGING_BUILD, warehouse, root / "dbt")
    return warehouse, edited


def results_table(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select * from quality.check_results").fetchall()
    finally:
        con.close()


def failed(report: CheckReport, suite: str, column: str, severity: str | None = None) -> bool:
    outcome = next(s for s in report.suites if s.suite == suite)
    return any(e.column == column and not e.success and (severity is None or e.severity == severity)
               for e in outcome.expectations)


def suite(report: CheckReport, name: str):  # noqa: ANN201
    return next(s for s in report.suites if s.suite == name)


@dataclass(frozen=True)
class Run:
    report: CheckReport
    gx_root: Path
    warehouse: Path


@pytest.fixture(scope="session")
def clean_run(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("clean_run")
    warehouse = copy_warehouse(built.warehouse, tmp)
    report, root = check(warehouse, tmp)
    return Run(report, root, warehouse)


@pytest.fixture(scope="session")
def unbalanced_run(unbalanced: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp = tmp_path_factory.mktemp("unbalanced_run")
    warehouse = copy_warehouse(unbalanced[0], tmp)
    report, root = check(warehouse, tmp)
    return Run(report, root, warehouse)


NULL_KEY_TABLE = "staging.stg_x12_837__claims"
NULL_KEY_FILE = "claims_0003.837"


@pytest.fixture(scope="session")
def null_key_run(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """(d) One 837 claim of claims_0003.837 loses its key; the canary goes into its claim control number."""
    tmp = tmp_path_factory.mktemp("null_key_run")
    warehouse = copy_warehouse(built.warehouse, tmp)
    target_file = file_id(warehouse, NULL_KEY_FILE)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"""
            update {NULL_KEY_TABLE} set claim_id = null, claim_control_number = ?
            where claim_id = (select min(claim_id) from {NULL_KEY_TABLE} where file_id = ?)
        """, [CANARY, target_file])
    finally:
        con.close()
    report, root = check(warehouse, tmp)
    return Run(report, root, warehouse)
