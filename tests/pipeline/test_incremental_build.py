"""A daily run folds new files into the marts incrementally, and ends where a build from scratch would.

One generated data set is cut into two batches by interchange (ISA...IEA) and by administration record.
Batch B brings what makes an incremental build hard: remits for claims whose 837 came in A (late remit),
837s whose remits came in A (late 837), reversals and corrections of chains begun in A, a second
administrations file, and a copy of one of A's 835 interchanges under a new envelope (a re-send).
The pipeline's two builds take A, then `denials run` takes B, in one warehouse; another warehouse ingests
A and B and builds from scratch.
Every mart must have the same fingerprint in both. The B run must really be incremental: it rebuilds only
the patient control numbers B carries, and a mart row of a number B does not carry is not rewritten.
A changed seed must make the next build a full rebuild.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from denials.generate import generate
from denials.ingest import ingest_paths
from denials.paths import PROJECT_ROOT
from denials.pipeline import MARTS_SELECTOR
from denials.publish import publish, published_path
from denials.transform import WITHOUT_UNIT_TESTS, parse_project
from denials.transform import run_dbt as run_project_dbt
from tests.models.dbt_helpers import parsed_project, project_copy, run_dbt
from tests.models.mart_fingerprints import mart_fingerprints
from tests.pipeline.conftest import cli, gx_copy
from tests.quality.conftest import new_envelope

# reversals at ten times the generator's default, so that batch B surely reverses and corrects chains of A
CLAIMS, SEED, REVERSAL_RATE = 300, 5, 0.1
INTERCHANGE = re.compile(r"ISA\*.*?IEA\*[^~]*~\s*", re.DOTALL)
TAMPERED = "tampered by the test"
# intermediate tables that say what one build covers: the scope, its pending files and affected keys
BUILD_SCOPE = {"int_build_scope", "int_files_pending", "int_claim_control_numbers_affected",
               "int_claim_keys_affected"}


@dataclass(frozen=True)
class Batches:
    a: list[Path]  # inbox folders of batch A, in ingest order
    b: list[Path]
    a_remit_numbers: set[str]  # CLP01 of A's 835s
    a_claim_numbers: set[str]  # CLM01 of A's 837s
    b_numbers: set[str]  # every patient control number B carries (CLP01, CLM01, administrations)


def interchanges(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = INTERCHANGE.findall(text)
    assert "".join(found).strip() == text.strip(), f"{path.name}: not a sequence of interchanges"
    return found


def elements(text: str, segment: str) -> list[list[str]]:
    return [found.split("*") for found in re.findall(rf"(?:^|~\s*){segment}\*([^~]*)", text)]


def split_batches(data: Path, root: Path) -> Batches:
    claims = [x for path in sorted((data / "837").glob("*.837")) for x in interchanges(path)]
    remits = [x for path in sorted((data / "835").glob("*.835")) for x in interchanges(path)]
    # every 4th 837 interchange arrives late, after remits of its claims; 835s arrive in their order
    claims_a = [x for n, x in enumerate(claims) if n % 4 != 3]
    claims_b = [x for n, x in enumerate(claims) if n % 4 == 3]
    cut = len(remits) * 3 // 5
    remits_a, remits_b = remits[:cut], remits[cut:]
    with (data / "administrations" / "administrations.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        records = list(reader)

    def write(folder: Path, name: str, text: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")

    def csv_text(rows: list[list[str]]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *rows])
        return out.getvalue()

    a, b = root / "a", root / "b"
    write(a / "837", "claims_a.837", "".join(claims_a))
    write(a / "835", "remits_a.835", "".join(remits_a))
    write(a / "administrations", "administrations_a.csv", csv_text(records[0::2]))
    write(b / "837", "claims_b.837", "".join(claims_b))
    write(b / "835", "remits_b.835", "".join(remits_b))
    write(b / "835", "remits_resent.835", new_envelope(remits_a[0]))
    write(b / "administrations", "administrations_b.csv", csv_text(records[1::2]))

    claim_numbers = {text: {clm[0] for clm in elements(text, "CLM")} for text in claims}
    remit_numbers = {text: {clp[0] for clp in elements(text, "CLP")} for text in remits}
    b_numbers = set().union(*(claim_numbers[x] for x in claims_b), *(remit_numbers[x] for x in remits_b),
                            *(remit_numbers[x] for x in remits_a[:1]), (row[1] for row in records[1::2]))
    return Batches(
        a=[a / "837", a / "835", a / "administrations"],
        b=[b / "837", b / "835", b / "administrations"],
        a_remit_numbers=set().union(*(remit_numbers[x] for x in remits_a)),
        a_claim_numbers=set().union(*(claim_numbers[x] for x in claims_a)),
        b_numbers=b_numbers,
    )


def scenarios_of_b(batches: Batches) -> dict[str, int]:
    """How many of each hard case batch B holds, read from its files."""
    remits_b = (batches.b[1] / "remits_b.835").read_text(encoding="utf-8")
    claims_b = (batches.b[0] / "claims_b.837").read_text(encoding="utf-8")
    clps = elements(remits_b, "CLP")
    return {
        "late remit": sum(clp[0] in batches.a_claim_numbers for clp in clps),
        "late 837": sum(clm[0] in batches.a_remit_numbers for clm in elements(claims_b, "CLM")),
        "reversal of a chain begun in A": sum(clp[1] == "22" and clp[0] in batches.a_remit_numbers
                                              for clp in clps),
        "correction of a chain begun in A": sum(clp[1] != "22" and clp[0] in batches.a_remit_numbers
                                                for clp in clps),
    }


def denials_run(inbox: list[Path], warehouse: Path, gx_root: Path) -> str:
    result = cli("run", *map(str, inbox), "--warehouse", str(warehouse), gx_root=gx_root)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@dataclass(frozen=True)
class Incremental:
    batches: Batches
    warehouse: Path
    b_output: str
    all_numbers: set[str]
    affected: set[str]
    scope: tuple
    untouched_kept: bool  # a tampered mart row of a number B does not carry survived the B run
    affected_rewritten: bool  # a tampered mart row of a number B carries was rebuilt


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> Incremental:
    root = tmp_path_factory.mktemp("incremental")
    generate(root / "data", claims=CLAIMS, seed=SEED, reversal_rate=REVERSAL_RATE)
    batches = split_batches(root / "data", root)
    gx_root = gx_copy(root)
    warehouse = root / "warehouse" / "denials.duckdb"
    # A with the pipeline's two builds but not its checks: a quarter of A's remits wait for their 837
    # (they come in B), which the remit matching check rightly refuses to publish
    assert ingest_paths(batches.a, warehouse).exit_code == 0
    for args in (["build", "--exclude", MARTS_SELECTOR], ["build", "--select", MARTS_SELECTOR]):
        run_dbt([*args, "--quiet"], warehouse, root)
    # as `denials publish` would, so that B's run publishes on top of A's publication
    assert publish(warehouse, "run-a").copied

    con = duckdb.connect(str(warehouse))
    numbers = {n for (n,) in con.execute("select claim_control_number from marts.fct_claims").fetchall()}
    untouched = sorted(numbers - batches.b_numbers)[0]
    touched = sorted(numbers & batches.b_numbers)[0]
    original = con.execute("select payer_name from marts.fct_claims where claim_control_number = ?",
                           [untouched]).fetchall()
    con.execute("update marts.fct_claims set payer_name = ? where claim_control_number in (?, ?)",
                [TAMPERED, untouched, touched])
    con.close()

    b_output = denials_run(batches.b, warehouse, gx_root)

    con = duckdb.connect(str(warehouse))
    def tampered(number: str) -> bool:
        return con.execute("select bool_or(payer_name is not distinct from ?) from marts.fct_claims "
                           "where claim_control_number = ?", [TAMPERED, number]).fetchone()[0]
    untouched_kept, affected_rewritten = tampered(untouched), not tampered(touched)
    # put the row back as it was, so the marts can be compared with a build from scratch
    assert len({row for row in original}) == 1
    con.execute("update marts.fct_claims set payer_name = ? where claim_control_number = ?",
                [original[0][0], untouched])
    affected = {n for (n,) in con.execute(
        "select patient_control_number from intermediate.int_claim_control_numbers_affected").fetchall()}
    all_numbers = {n for (n,) in con.execute("select claim_control_number from marts.fct_claims").fetchall()}
    scope = con.execute("select is_full_rebuild, rebuild_reason from intermediate.int_build_scope").fetchone()
    con.close()
    return Incremental(batches, warehouse, b_output, all_numbers, affected, scope, untouched_kept,
                       affected_rewritten)


def test_batch_b_holds_every_hard_case(incremental: Incremental) -> None:
    counts = scenarios_of_b(incremental.batches)
    assert all(counts.values()), counts
    assert (incremental.batches.b[1] / "remits_resent.835").exists()


def test_incremental_run_equals_a_build_from_scratch(incremental: Incremental, tmp_path: Path) -> None:
    warehouse = tmp_path / "scratch.duckdb"
    for inbox in (incremental.batches.a, incremental.batches.b):
        assert ingest_paths(inbox, warehouse).exit_code == 0
    run_dbt(["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", "--quiet"],
            warehouse, tmp_path)
    scratch, daily = mart_fingerprints(warehouse), mart_fingerprints(incremental.warehouse)
    assert scratch.keys() == daily.keys()
    differing = sorted(name for name in scratch if scratch[name] != daily[name])
    assert not differing, f"marts differ from a build from scratch: {differing}"
    # and every intermediate table, partitioned or rebuilt, but the bookkeeping of what this build covers
    scratch, daily = (mart_fingerprints(path, "intermediate") for path in (warehouse, incremental.warehouse))
    assert scratch.keys() == daily.keys()
    differing = sorted(name for name in scratch if scratch[name] != daily[name] and name not in BUILD_SCOPE)
    assert not differing, f"intermediate tables differ from a build from scratch: {differing}"


def test_b_run_published_only_what_changed(incremental: Incremental) -> None:
    """B's publish starts from A's publication and replaces, in the partitioned marts, the rows of the
    numbers B carries; the other tables are copied whole. A mart row of a number B does not carry was
    tampered with in the warehouse after A's publish: the publication keeps A's row, so it was not copied
    again. Once the fixture has put that row back, the publication equals the warehouse's marts."""
    publish_line = next(line for line in incremental.b_output.splitlines() if "tables copied whole" in line)
    updated = re.search(r"(\d+) updated in place, (\d+) unchanged", publish_line)
    assert updated and int(updated.group(1)) > 0, publish_line
    assert "copied again" not in publish_line
    warehouse, published = (mart_fingerprints(path) for path in (incremental.warehouse,
                                                                   published_path(incremental.warehouse)))
    differing = sorted(name for name in warehouse if warehouse[name] != published.get(name))
    assert warehouse.keys() == published.keys() and not differing, differing
    # every change was taken in: the ledger is empty and names B's publication
    con = duckdb.connect(str(incremental.warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from build_state.unpublished_changes").fetchone() == (0,)
        assert con.execute("select count(*) from build_state.unpublished_numbers").fetchone() == (0,)
        (last,), = con.execute("select run_id from build_state.publications").fetchall()
    finally:
        con.close()
    assert last != "run-a" and last in publish_line


def test_b_run_rebuilt_only_the_numbers_b_carries(incremental: Incremental) -> None:
    assert incremental.scope == (False, None)
    assert "incremental: " in incremental.b_output
    assert incremental.affected == {number for number in incremental.batches.b_numbers if number}
    assert 0 < len(incremental.affected) < len(incremental.all_numbers)
    assert incremental.untouched_kept, "a mart row of a number batch B does not carry was rewritten"
    assert incremental.affected_rewritten, "a mart row of a number batch B carries was not rebuilt"


def test_a_changed_seed_forces_a_full_rebuild(incremental: Incremental, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "seeds" / "group_codes.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    # the same rows with one description reworded: content changed, nothing else
    header, first, *rest = lines
    cells = next(csv.reader([first]))
    cells[1] = cells[1] + " (reworded)"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    reworded = "\n".join([header, out.getvalue().strip(), *rest]) + "\n"
    project = project_copy(tmp_path / "project", seeds={"group_codes": reworded})
    assert scope_after_b_with(project, incremental, tmp_path, "group_codes") == (True, "seed changed")


def scope_after_b_with(project: Path, incremental: Incremental, tmp_path: Path, *nodes: str,
                       changes: tuple[str, ...] = ()) -> tuple:
    """The build scope (is_full_rebuild, rebuild_reason) the next build after B would take with the
    project at `project`, in a copy of B's warehouse after the SQL `changes` (`nodes`: what else to build
    first)."""
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(incremental.warehouse.read_bytes())
    if changes:
        con = duckdb.connect(str(copy))
        try:
            for change in changes:
                con.execute(change)
        finally:
            con.close()
    run_dbt(["build", "--select", *nodes, "int_global_inputs_fingerprinted", "int_build_scope",
             "--exclude-resource-type", "test", "--quiet"], copy, tmp_path, project_dir=project)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        return con.execute("select is_full_rebuild, rebuild_reason from intermediate.int_build_scope"
                           ).fetchone()
    finally:
        con.close()


# the files of each batch
B_FILES = ("claims_b.837", "remits_b.835", "remits_resent.835", "administrations_b.csv")
A_FILES = ("claims_a.837", "remits_a.835", "administrations_a.csv")


def unfold_b(warehouse: Path) -> None:
    """As while B's build runs: B's files staged, not yet folded (the on-run-end hook folds them)."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("delete from build_state.files_folded where file_id in (select file_id from "
                    f"raw.file_registry where file_name in {B_FILES})")
    finally:
        con.close()


def test_data_tests_in_a_build_read_what_the_build_wrote(incremental: Incremental, tmp_path: Path) -> None:
    """In the incremental B run, a data test run by `dbt build` reads only what B wrote: the numbers B
    carried in a partitioned model, B's files (those after the last folded build) in a staging model, and
    for a singular test over both layers, the numbers B carried on every side. A bad row elsewhere was
    tested by the build that wrote it. `dbt test` and the variable test_every_row test every row, and a bad
    row B wrote fails the test either way."""
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(incremental.warehouse.read_bytes())
    untouched = sorted(incremental.all_numbers - incremental.affected)[0]
    rewritten = sorted(incremental.affected & incremental.all_numbers)[0]
    con = duckdb.connect(str(copy), read_only=True)
    try:
        # the first 835 claim of A's remit file, and one of B's
        (a_remit_claim,), (b_remit_claim,) = (con.execute(
            "select min(remit_claim_id) from staging.stg_x12_835__claims claims inner join raw.file_registry "
            f"files on claims.file_id = files.file_id where files.file_name = '{name}'").fetchone()
            for name in ("remits_a.835", "remits_b.835"))
    finally:
        con.close()
    unfold_b(copy)
    # kind: (selection, tampering, the name of the test that must fail). Steps where no test may fail run
    # the four kinds side by side, in one dbt invocation, as does `dbt test`; a build where tests fail runs
    # each kind alone, since `dbt build` skips the tests downstream of a failed one. Every step checks which
    # of the named tests fail, and that nothing else fails. Each tampering changes rows and columns that only
    # its own test reads, so the four may stand side by side.
    checks = {
        "partitioned": ("fct_adjudicated_lines,test_name:column_values",
                        "update marts.fct_adjudicated_lines set payer_type = 'tampered' "
                        "where claim_control_number = ?", "column_values_fct_adjudicated_lines"),
        "staging": ("stg_x12_835__claims,test_name:column_values",
                    "update staging.stg_x12_835__claims set segment_position = null "
                    "where remit_claim_id = ?", "column_values_stg_x12_835__claims"),
        # a key read without ref() (column_values' relationships, to_node) on a partitioned model: the
        # number's matched claims point at 837 claims that do not exist
        "keys": ("int_claims_matched_to_remits,test_name:column_values",
                 "update intermediate.int_claims_matched_to_remits set claim_id = -claim_id "
                 "where claim_control_number = ? and claim_id is not null",
                 "column_values_int_claims_matched_to_remits"),
        # the number's 837 lines lose their matches: the lines are in staging, the matches partitioned
        "singular": ("assert_line_matching_keeps_every_line",
                     "delete from intermediate.int_service_lines_matched where claim_control_number = ? "
                     "and claim_line_id is not null", "assert_line_matching_keeps_every_line"),
    }
    # the row each kind tampers with: one no B file carries, and one B wrote
    not_written = {"partitioned": untouched, "staging": a_remit_claim, "keys": untouched,
                   "singular": untouched}
    written = {"partitioned": rewritten, "staging": b_remit_claim, "keys": rewritten, "singular": rewritten}

    def tamper(rows: dict[str, str]) -> None:
        con = duckdb.connect(str(copy))
        try:
            for kind, (_, sql, _) in checks.items():
                assert con.execute(sql, [rows[kind]]).fetchone()[0] > 0, kind
        finally:
            con.close()

    def failing(kinds: set[str], command: str = "build", *extra: str) -> set[str]:
        """Which of `kinds` have their test fail when run together."""
        selection = [checks[kind][0] for kind in sorted(kinds)]
        outcome = run_project_dbt([command, "--select", *selection, "--quiet", *extra, *WITHOUT_UNIT_TESTS],
                                  copy, target_path=tmp_path / "dbt_target", log_path=tmp_path / "dbt_logs")
        assert outcome.exception is None, f"{outcome.exception!r}\n{outcome.log_tail()}"
        tests = {result.node.name: str(result.status) for result in outcome.result.result.results
                 if result.node.resource_type == "test"}
        named = {checks[kind][2] for kind in kinds}
        assert named <= set(tests), f"not run: {sorted(named - set(tests))}"
        assert {tests[name] for name in named} <= {"pass", "fail"}, tests
        # a test that only reads a tested model (indirect selection) is skipped when that model's test fails
        failed = {name for name, status in tests.items() if status not in ("pass", "skipped")}
        assert failed <= named, f"failed, and no tampering explains it: {sorted(failed - named)}"
        assert outcome.success == (not failed), outcome.failed_nodes  # the hooks succeeded too
        return {kind for kind in kinds if tests[checks[kind][2]] == "fail"}

    every_kind = set(checks)
    assert failing(every_kind) == set()
    tamper(not_written)
    assert failing(every_kind) == set(), "a build tested a row it did not write"
    for kind in sorted(every_kind):
        assert failing({kind}, "build", "--vars", "{test_every_row: true}") == {kind}
    assert failing(every_kind, "test") == every_kind
    tamper(written)
    for kind in sorted(every_kind):
        assert failing({kind}) == {kind}, f"{kind}: a build did not test a row it wrote"


def test_a_changed_model_forces_a_full_rebuild(incremental: Incremental, tmp_path: Path) -> None:
    """A release that changes how a partition is computed rebuilds every partition: else the numbers no new
    file carries would keep the old logic's rows."""
    project = project_copy(tmp_path / "project")
    model = project / "models" / "marts" / "fct_claims.sql"
    model.write_text(model.read_text(encoding="utf-8").replace(
        "as largest_denial_category", "as largest_denial_category -- reworded", 1), encoding="utf-8")
    assert scope_after_b_with(project, incremental, tmp_path) == (True, "model code changed")


def test_a_changed_line_picking_macro_forces_a_full_rebuild(incremental: Incremental, tmp_path: Path) -> None:
    """fct_adjudicated_lines takes its version picks from a macro, which no model file shows: a release that
    changes how a line's versions are netted must rebuild every partition all the same."""
    project = project_copy(tmp_path / "project")
    macros = project / "macros" / "intermediate.sql"
    text = macros.read_text(encoding="utf-8")
    netting = "greatest(sum(case when is_standing then denied_amount else 0 end), 0) as denied_amount"
    assert netting in text
    macros.write_text(text.replace(netting, netting.replace(", 0)", ", 0.00)")), encoding="utf-8")
    assert scope_after_b_with(project, incremental, tmp_path) == (True, "model code changed")


def test_a_claim_without_a_number_forces_a_full_rebuild(incremental: Incremental, tmp_path: Path) -> None:
    """An 835 claim with CLP01 empty belongs to no partition: an incremental build would never place it,
    so its file rebuilds every partition, as a build from scratch includes it."""
    pending_again = ("delete from build_state.files_folded where file_id = (select file_id from "
                     "raw.file_registry where file_name = 'remits_b.835')")
    assert scope_after_b_with(PROJECT_ROOT, incremental, tmp_path, "int_files_pending",
                              changes=(pending_again,)) == (False, None)
    blank_number = ("update staging.stg_x12_835__claims set patient_control_number = null "
                    "where remit_claim_id = (select min(remit_claim_id) from staging.stg_x12_835__claims "
                    "where file_id = (select file_id from raw.file_registry "
                    "where file_name = 'remits_b.835'))")
    assert scope_after_b_with(PROJECT_ROOT, incremental, tmp_path, "int_files_pending",
                              changes=(pending_again, blank_number)) == (
        True, "a claim without a patient control number arrived")


def test_a_day_of_few_numbers_holds_its_shared_inputs_once(incremental: Incremental, tmp_path: Path) -> None:
    """A partitioned model's CTE that several others read is held once when the model reads only a few
    affected numbers' rows (every reader would otherwise scan the whole staging table again to find them),
    and inlined (`not materialized`) when it reads everything or many numbers, so that a large scan is
    never held whole in memory."""
    model = "int_line_diagnoses_considered"

    def compiled(*options: str) -> str:
        target = tmp_path / f"compiled{len(list(tmp_path.iterdir()))}"
        run_dbt(["compile", "--select", model, "--quiet", *options], incremental.warehouse, target)
        (path,) = (target / "dbt_target" / "compiled").rglob(f"{model}.sql")
        return path.read_text(encoding="utf-8")

    assert 0 < len(incremental.affected) < 50_000
    after_b = compiled()
    assert " as materialized (" in after_b and "not materialized" not in after_b
    assert " as not materialized (" in compiled("--full-refresh")
    assert " as not materialized (" in compiled("--vars", f"{{hold_affected_numbers_up_to: "
                                                         f"{len(incremental.affected) - 1}}}")


def test_builds_that_share_a_parse_each_read_their_own_build_scope(incremental: Incremental,
                                                                   tmp_path: Path) -> None:
    """A scheduled run's two builds take one parse. What a build looks up once for all its nodes (whether it
    rebuilds every partition, how many numbers are affected) is its own: a second build with the same parse
    reads the build scope as it is then, not as the first build found it."""
    model = "int_line_diagnoses_considered"
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(incremental.warehouse.read_bytes())
    manifest = parse_project(copy, tmp_path / "target")
    assert manifest is not None

    def compiled() -> str:
        outcome = run_project_dbt(["compile", "--select", model, "--quiet"], copy, tmp_path / "target",
                                  manifest=manifest)
        assert outcome.success, outcome.failed_nodes
        (path,) = (tmp_path / "target" / "compiled").rglob(f"{model}.sql")
        return path.read_text(encoding="utf-8")

    affected_only = "int_claim_keys_affected"
    first = compiled()
    assert affected_only in first and " as materialized (" in first
    set_full_rebuild(copy, True)
    second = compiled()
    assert affected_only not in second and " as not materialized (" in second
    set_full_rebuild(copy, False)
    assert compiled() == first


# the numbers the B run rewrote, as a SQL subquery (the copies below keep B's build scope)
AFFECTED = "(select patient_control_number from intermediate.int_claim_control_numbers_affected)"
REMIT_CLAIMS = "(select remit_claim_id from staging.stg_x12_835__claims where patient_control_number {pcn})"
# a remit claim's key as the marts show it, file:transaction:claim (macro x12_key_label)
REMIT_CLAIM_AS_TEXT = ("concat_ws(':', remit_claim_id >> 60, (remit_claim_id >> 30) & 1073741823, "
                       "remit_claim_id & 1073741823)")
# Every singular test that reads only what a build wrote, and a tampering that breaks its rule for one claim,
# line or file: {pcn} is a condition on a patient control number (the numbers B rewrote, or the others),
# {file} one on a file id (B's files, or A's). The tamperings touch different rows and columns, so that each
# adds rows to its own test whatever the others do.
SCOPED_TESTS = {
    # partitioned inputs, read for the numbers the build rewrote (tested_rows_only)
    "assert_claim_matching_keeps_every_claim_and_remit":
        "delete from intermediate.int_claims_matched_to_remits where claim_id = (select min(claim_id) from "
        "intermediate.int_claims_matched_to_remits where claim_control_number {pcn})",
    "assert_remits_matched_to_837_claims":
        "update intermediate.int_claims_matched_to_remits set unmatched_side = '835' where "
        "claim_remit_match_id = (select max(claim_remit_match_id) from "
        "intermediate.int_claims_matched_to_remits where claim_id is not null and remit_claim_id is not "
        "null and claim_control_number {pcn})",
    "assert_line_matching_keeps_every_line":
        "delete from intermediate.int_service_lines_matched where claim_line_id = (select "
        "min(claim_line_id) from intermediate.int_service_lines_matched where claim_control_number {pcn})",
    "assert_remit_line_matched_to_one_837_line":
        "insert into intermediate.int_service_lines_matched select * replace (-claim_line_id as "
        "claim_line_id) from intermediate.int_service_lines_matched where remit_line_id = (select "
        "max(remit_line_id) from intermediate.int_service_lines_matched where claim_line_id is not null and "
        "claim_control_number {pcn})",
    "assert_claim_amounts_allocated_add_up":
        "update intermediate.int_claim_amounts_allocated set allocated_amount = allocated_amount + 1 where "
        "remit_claim_id = (select min(remit_claim_id) from intermediate.int_claim_amounts_allocated where "
        f"remit_claim_id in {REMIT_CLAIMS})",
    "assert_remit_chain_roots_resolved":
        "update intermediate.int_remit_claim_versions set parent_remit_claim_id = remit_claim_id where "
        "remit_claim_id = (select min(remit_claim_id) from intermediate.int_remit_claim_versions where "
        "remit_claim_id = chain_root_remit_claim_id and patient_control_number {pcn})",
    "assert_remit_chain_has_at_most_one_final_version":
        "insert into intermediate.int_remit_claim_versions select * replace (-remit_claim_id as "
        "remit_claim_id) from intermediate.int_remit_claim_versions where remit_claim_id = (select "
        "min(remit_claim_id) from intermediate.int_remit_claim_versions where is_final and "
        "patient_control_number {pcn})",
    "assert_remit_chain_nets_to_final_version":
        "update intermediate.int_remit_claim_versions set chain_net_paid_amount = chain_net_paid_amount + 1 "
        "where remit_claim_id = (select max(remit_claim_id) from intermediate.int_remit_claim_versions "
        "where is_final and patient_control_number {pcn})",
    "assert_remit_chains_not_ambiguous":
        "insert into intermediate.int_remit_chains_paired_across_payers (chain_key, patient_control_number, "
        "match_method, candidate_claim_count, open_chain_count) select chain_key, patient_control_number, "
        "'ambiguous', 2, 1 from intermediate.int_remit_claim_versions where remit_claim_id = (select "
        "min(remit_claim_id) from intermediate.int_remit_claim_versions where patient_control_number {pcn})",
    "assert_remark_ranks_count_up_within_each_scope":
        "update intermediate.int_remarks_scoped set non_alert_rank = non_alert_rank + 1 where not is_alert "
        "and scope_id = (select min(scope_id) from intermediate.int_remarks_scoped where not is_alert and "
        f"remit_claim_id in {REMIT_CLAIMS})",
    "assert_adjustment_codes_known":
        "update intermediate.int_adjustments_classified set is_unknown_code = true where "
        "remit_adjustment_id = (select min(remit_adjustment_id) from "
        f"intermediate.int_adjustments_classified where remit_claim_id in {REMIT_CLAIMS})",
    "assert_835_claim_balances":
        "update intermediate.int_remit_claims_balanced set is_balanced = false where remit_claim_id = "
        "(select min(remit_claim_id) from intermediate.int_remit_claims_balanced where remit_claim_id in "
        f"{REMIT_CLAIMS})",
    "assert_835_service_line_balances":
        "update intermediate.int_remit_lines_balanced set is_balanced = false where remit_line_id = "
        "(select min(remit_line_id) from intermediate.int_remit_lines_balanced where remit_claim_id in "
        f"{REMIT_CLAIMS})",
    "assert_claim_adjustments_fully_attributed":
        "update marts.fct_adjudicated_lines set initial_denied_amount = coalesce(initial_denied_amount, 0) "
        "+ 1 where adjudicated_line_id = (select min(adjudicated_line_id) from marts.fct_adjudicated_lines "
        "where claim_control_number {pcn} and first_remit_claim_id in (select "
        f"{REMIT_CLAIM_AS_TEXT} from intermediate.int_remit_claim_versions where version_number = 1 and not "
        "is_reversal))",
    "assert_paid_plus_denied_within_billed":
        "update marts.fct_adjudicated_lines set paid_amount = abs(billed_amount) + 100 where "
        "adjudicated_line_id = (select max(adjudicated_line_id) from marts.fct_adjudicated_lines where "
        "claim_control_number {pcn})",
    "assert_denied_amounts_never_negative":
        "update marts.fct_denials set denied_amount = -1 where denial_id = (select max(denial_id) from "
        "marts.fct_denials where claim_control_number {pcn})",
    "assert_open_denials_keep_denied_dollars":
        "update marts.fct_denials set final_status = 'overturned', denied_amount = 1 where denial_id = "
        "(select min(denial_id) from marts.fct_denials where claim_control_number {pcn})",
    "assert_prebill_lines_have_no_remit":
        "update marts.mart_prebill_risk set claim_line_id = picked.claim_line_id, claim_control_number = "
        "picked.claim_control_number from (select claim_line_id, claim_control_number from "
        "marts.fct_adjudicated_lines where claim_line_id is not null and claim_control_number {pcn} order "
        "by claim_line_id limit 1) as picked where prebill_risk_id = (select min(prebill_risk_id) from "
        "marts.mart_prebill_risk where claim_control_number {pcn})",
    # inputs read for the files after the last folded build (tested_files_only)
    "assert_837_claim_charge_equals_line_charges":
        "update staging.stg_x12_837__claims set total_charge_amount = total_charge_amount + 1 where "
        "claim_id = (select min(claim_id) from staging.stg_x12_837__claims where file_id {file})",
    "assert_837_ndc_is_11_digits":
        "update staging.stg_x12_837__drug_identification set ndc = '123' where drug_identification_id = "
        "(select min(drug_identification_id) from staging.stg_x12_837__drug_identification where "
        "product_id_qualifier = 'N4' and file_id {file})",
    "assert_837_levels_find_their_parent":
        "update staging.stg_x12_837__hierarchical_levels set parent_hl_segment_position = null where "
        "hierarchical_level_id = (select min(hierarchical_level_id) from "
        "staging.stg_x12_837__hierarchical_levels where parent_hl_id is not null and file_id {file})",
    "assert_835_cr_group_code_only_in_4010":
        "update staging.stg_x12_835__adjustments set adjustment_group_code = 'CR' where remit_adjustment_id "
        "= (select min(remit_adjustment_id) from staging.stg_x12_835__adjustments where file_id {file})",
    "assert_835_transaction_balances":
        "update intermediate.int_remit_transactions_balanced set is_balanced = false where "
        "remit_transaction_id = (select min(remit_transaction_id) from "
        "intermediate.int_remit_transactions_balanced where file_id {file})",
    "assert_administration_utc_follows_offset":
        "update staging.stg_administrations__drug_administrations set administered_at_utc = administered_at "
        "where drug_administration_id = (select min(drug_administration_id) from "
        "staging.stg_administrations__drug_administrations where administered_at_utc is null and file_id "
        "{file})",
}
# the tests that read the files after the last folded build (tested_files_only): those of staging alone, and
# one of a table rebuilt over staging with a seed, which reads every row when a global input changed
STAGING_TESTS = ("assert_837_claim_charge_equals_line_charges", "assert_837_ndc_is_11_digits",
                 "assert_837_levels_find_their_parent", "assert_835_cr_group_code_only_in_4010",
                 "assert_administration_utc_follows_offset")
FILE_SCOPED_TESTS = (*STAGING_TESTS, "assert_835_transaction_balances")


def test_the_scoped_singular_tests_are_those_listed() -> None:
    """The list above names every singular test that takes a scope, and no other: a test that starts
    reading a scope must get a tampering here, and a scoped test must not lose its scope unseen."""
    tests_dir = PROJECT_ROOT / "tests" / "dbt"
    scoped = {path.stem for path in tests_dir.rglob("*.sql")
              if re.search(r"tested_(rows|files)_only\(", path.read_text(encoding="utf-8"))}
    assert scoped == set(SCOPED_TESTS)
    assert {path.stem for path in tests_dir.rglob("*.sql")
            if "tested_files_only(" in path.read_text(encoding="utf-8")} == set(FILE_SCOPED_TESTS)


def test_every_node_that_reads_the_build_scope_runs_after_it(tmp_path: Path) -> None:
    """A build asks whether it rebuilds every partition once, and every node then takes that answer
    (build_lookups): a node that asked before this build's int_build_scope was written would give every
    partitioned model the last build's answer. The nodes that ask are the partitioned models, the data
    tests of a partitioned model, and the singular tests scoped to the rebuilt numbers (tested_rows_only)
    or to new files unless a global input changed; each must run after int_build_scope."""
    project = parsed_project(tmp_path)
    nodes = project.nodes
    partitioned = {key for key, node in nodes.items() if node["resource_type"] == "model"
                   and node["config"].get("incremental_strategy") == "pcn_replace"}
    asking = partitioned | {
        key for key, node in nodes.items() if node["resource_type"] == "test"
        and (set(node["depends_on"]["nodes"]) & partitioned or "tested_rows_only(" in node["raw_code"]
             or "unless_rebuilt_in_full=true" in node["raw_code"])}
    assert len(partitioned) > 30 and len(asking) > 2 * len(partitioned)
    scope = "model.denials.int_build_scope"
    assert sorted(key for key in asking if scope not in project.upstream(key)) == []


def project_where_tests_warn(tmp: Path) -> Path:
    """A copy of the dbt project in which every data test warns. In a `dbt build` a failing test skips the
    tests of the models downstream of the one it tests (a failing administrations test, those of every
    partitioned model), so runs that count what each test returns must fail none."""
    project = project_copy(tmp / "project")
    config = project / "dbt_project.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\ndata_tests:\n  +severity: warn\n",
                      encoding="utf-8")
    return project


def singular_test_rows(args: list[str], warehouse: Path, tmp: Path, tests: list[str],
                       project: Path) -> dict[str, int]:
    """{test: rows it returned} for the singular `tests` in `dbt <args> --select <tests>` of the dbt project
    at `project`; a test that could not run fails the caller."""
    outcome = run_project_dbt([*args, "--select", *tests, "--quiet", *WITHOUT_UNIT_TESTS], warehouse,
                              target_path=tmp / "dbt_target_tests", log_path=tmp / "dbt_logs",
                              project_dir=project)
    results = getattr(outcome.result.result, "results", None) if outcome.result is not None else None
    assert results is not None, f"dbt {args} did not run: {outcome.exception!r}\n{outcome.log_tail()}"
    rows = {}
    for result in (result for result in results if result.node.resource_type == "test"):
        assert str(result.status) in ("pass", "warn", "fail"), f"{result.node.name}: {result.message}"
        rows[result.node.name] = result.failures
    assert sorted(rows) == sorted(tests), sorted(rows)
    return rows


def files_named(names: tuple[str, ...]) -> str:
    """A condition on a file id: one of the files of these names."""
    return f"in (select file_id from raw.file_registry where file_name in {names})"


def tamper_all(warehouse: Path, tamperings: dict[str, str], **scope: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for name, tampering in tamperings.items():
            assert con.execute(tampering.format(**scope)).fetchone()[0] > 0, f"{name}: nothing tampered"
    finally:
        con.close()


def set_full_rebuild(warehouse: Path, full: bool) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("update intermediate.int_build_scope set is_full_rebuild = ?", [full])
    finally:
        con.close()


def test_scoped_singular_tests_read_what_the_build_wrote(incremental: Incremental, tmp_path: Path) -> None:
    """In B's build, a singular test reads the numbers B rewrote, or B's files: a violation planted in a
    number or file B did not write is not reported again, while `dbt test`, --full-refresh and
    test_every_row report it, and so does a build that rebuilt every partition, unless the test reads
    staging alone; one planted in what B wrote is reported, by as many rows as a run over every row reports
    it (so the scope holds every row the rule compares)."""
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(incremental.warehouse.read_bytes())
    unfold_b(copy)
    tests, project = sorted(SCOPED_TESTS), project_where_tests_warn(tmp_path)

    def rows(*args: str) -> dict[str, int]:
        return singular_test_rows(list(args), copy, tmp_path, tests, project)

    built, every = rows("build"), rows("test")
    tamper_all(copy, SCOPED_TESTS, pcn=f"not in {AFFECTED}", file=files_named(A_FILES))
    assert rows("build") == built, "a build reported a violation in what it did not write"
    every_after_old = rows("test")
    assert not [name for name in tests if every_after_old[name] <= every[name]], every_after_old
    assert rows("build", "--vars", "{test_every_row: true}") == every_after_old
    assert rows("build", "--full-refresh") == every_after_old
    # a build that rebuilt every partition (a global input changed) rewrote every row but staging's
    set_full_rebuild(copy, True)
    assert rows("build") == {name: built[name] if name in STAGING_TESTS else every_after_old[name]
                             for name in tests}
    set_full_rebuild(copy, False)

    tamper_all(copy, SCOPED_TESTS, pcn=f"in {AFFECTED}", file=files_named(B_FILES))
    built_after_new, every_after_new = rows("build"), rows("test")
    added = {name: (built_after_new[name] - built[name], every_after_new[name] - every_after_old[name])
             for name in tests}
    assert not [name for name, (seen, planted) in added.items() if seen != planted or planted == 0], added


def renumbered(text: str, numbers: set[str]) -> str:
    """`text` with a C after each of its patient control numbers (and the line control numbers made of them),
    and new envelope control numbers: claims of numbers no earlier file carries."""
    pattern = "|".join(sorted(map(re.escape, numbers), key=len, reverse=True))
    text = re.sub(rf"(?<![A-Za-z0-9])({pattern})(?![A-Za-z0-9])", r"\1C", text)
    for segment, position in (("ISA", 13), ("IEA", 2), ("GS", 6), ("GE", 2), ("ST", 2), ("SE", 2)):
        text = re.sub(rf"((?:^|~\s*){segment}(?:\*[^*~]*){{{position - 1}}}\*)(\d)",
                      lambda m: m.group(1) + "8", text)
    return text


def daily_files_with_violations(batches: Batches, inbox: Path) -> set[str]:
    """A day's 837 and 835 (C) made of one interchange of each of B's files under new numbers, with one
    claim whose CLM02 is a dollar above its lines, one NDC of 10 digits, one subscriber level whose HL02
    names no level, one CAS group code CR in a 5010 remit and one BPR02 a dollar above what its claims
    paid. Returns the numbers C carries."""
    claims = next(x for x in interchanges(batches.b[0] / "claims_b.837") if "LIN**N4*" in x)
    remits = next(x for x in interchanges(batches.b[1] / "remits_b.835") if "CAS*CO*" in x)
    claim_numbers = {clm[0] for clm in elements(claims, "CLM")}
    remit_numbers = {clp[0] for clp in elements(remits, "CLP")}
    claims, remits = renumbered(claims, claim_numbers), renumbered(remits, remit_numbers)

    def dollar_more(match: re.Match) -> str:
        return f"{match.group(1)}{float(match.group(2)) + 1:.2f}"

    claims = re.sub(r"(CLM\*[^*~]*\*)([\d.]+)", dollar_more, claims, count=1)
    claims = re.sub(r"(LIN\*[^*~]*\*N4\*\d{10})\d", r"\1", claims, count=1)
    claims = re.sub(r"(HL\*\d+\*)\d+(\*22\*)", r"\g<1>999\g<2>", claims, count=1)
    remits = re.sub(r"(BPR\*[^*~]*\*)([\d.]+)", dollar_more, remits, count=1)
    remits = re.sub(r"(TRN\*1\*)", r"\g<1>8", remits, count=1)
    remits = remits.replace("CAS*CO*", "CAS*CR*", 1)
    for folder, name, text in (("837", "claims_c.837", claims), ("835", "remits_c.835", remits)):
        (inbox / folder).mkdir(parents=True, exist_ok=True)
        (inbox / folder / name).write_text(text, encoding="utf-8")
    return {number + "C" for number in claim_numbers | remit_numbers}


# one violation of each staging rule in a file of A, of a number B did not carry (the day C carries none)
OLD_VIOLATIONS = {
    "assert_837_claim_charge_equals_line_charges":
        "update staging.stg_x12_837__service_lines set line_charge_amount = line_charge_amount + 1 "
        "where claim_line_id = (select min(claim_line_id) from staging.stg_x12_837__service_lines "
        "where claim_id in (select claim_id from staging.stg_x12_837__claims where file_id {a_file} "
        "and claim_control_number {pcn}))",
    "assert_837_ndc_is_11_digits":
        "update staging.stg_x12_837__drug_identification set ndc = '123' where drug_identification_id = "
        "(select min(drug_identification_id) from staging.stg_x12_837__drug_identification "
        "where product_id_qualifier = 'N4' and length(ndc) = 11 and claim_id in (select claim_id "
        "from staging.stg_x12_837__claims where file_id {a_file} and claim_control_number {pcn}))",
    "assert_837_levels_find_their_parent":
        "update staging.stg_x12_837__hierarchical_levels set parent_hl_segment_position = null "
        "where hierarchical_level_id = (select min(levels.hierarchical_level_id) "
        "from staging.stg_x12_837__hierarchical_levels as levels inner join staging.stg_x12_837__claims as "
        "claims on levels.file_id = claims.file_id and levels.segment_position = "
        "claims.subscriber_hl_segment_position where levels.file_id {a_file} and levels.parent_hl_id is not "
        "null and claims.claim_control_number {pcn})",
    "assert_835_cr_group_code_only_in_4010":
        "update staging.stg_x12_835__adjustments set adjustment_group_code = 'CR' "
        "where remit_adjustment_id = (select min(remit_adjustment_id) from staging.stg_x12_835__adjustments "
        f"where file_id {{a_file}} and adjustment_group_code <> 'CR' and remit_claim_id in {REMIT_CLAIMS})",
    # the staging claim a dollar above: its transaction's CLP04 no longer add up to BPR02 once rebuilt
    "assert_835_transaction_balances":
        "update staging.stg_x12_835__claims set claim_paid_amount = claim_paid_amount + 1 "
        "where remit_claim_id = (select min(remit_claim_id) from staging.stg_x12_835__claims "
        "where file_id {a_file} and patient_control_number {pcn} and remit_transaction_id in "
        "(select remit_transaction_id from intermediate.int_remit_transactions_balanced where is_balanced))",
    "assert_administration_utc_follows_offset":
        "update staging.stg_administrations__drug_administrations set administered_at_utc = administered_at "
        "where drug_administration_id = (select min(drug_administration_id) from "
        "staging.stg_administrations__drug_administrations where administered_at_utc is null "
        "and administered_at_utc_offset_minutes is null and file_id {a_file} and claim_control_number {pcn})",
}


def test_a_daily_build_tests_its_new_files_only(incremental: Incremental, tmp_path: Path) -> None:
    """A day C after B, built as the scheduled run builds (staging and intermediate, then the marts; its
    files fold in at the end of the second build). C's files break each staging rule once; B's warehouse
    gets one violation of each in a file and number of A before C's build. The staging tests in C's build
    read C's files: they report what C's files break and nothing of A's, while `dbt test`, --full-refresh
    and test_every_row report both."""
    copy = tmp_path / "warehouse" / "denials.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(incremental.warehouse.read_bytes())
    tests, project = sorted(FILE_SCOPED_TESTS), project_where_tests_warn(tmp_path)

    def rows(*args: str) -> dict[str, int]:
        return singular_test_rows(list(args), copy, tmp_path, tests, project)

    before = rows("test")
    tamper_all(copy, OLD_VIOLATIONS, pcn=f"not in {AFFECTED}", a_file=files_named(A_FILES))
    c_numbers = daily_files_with_violations(incremental.batches, tmp_path / "c")
    assert ingest_paths([tmp_path / "c" / "837", tmp_path / "c" / "835"], copy).exit_code == 0

    built: dict[str, int] = {}
    for args in (["build", "--exclude", MARTS_SELECTOR], ["build", "--select", MARTS_SELECTOR]):
        outcome = run_project_dbt([*args, "--quiet", *WITHOUT_UNIT_TESTS], copy,
                                  target_path=tmp_path / "dbt_target", log_path=tmp_path / "dbt_logs")
        assert outcome.success, f"{outcome.failed_nodes}\n{outcome.log_tail()}"
        built.update({result.node.name: result.failures for result in outcome.result.result.results
                      if result.node.name in tests})
    assert sorted(built) == tests, "a staging test did not run in the first build"
    con = duckdb.connect(str(copy), read_only=True)
    try:
        scope = con.execute("select is_full_rebuild, rebuild_reason from intermediate.int_build_scope"
                            ).fetchone()
        affected = {n for (n,) in con.execute(
            "select patient_control_number from intermediate.int_claim_control_numbers_affected").fetchall()}
        unfolded = con.execute("select count(*) from raw.file_registry where file_id not in "
                               "(select file_id from build_state.files_folded)").fetchone()[0]
    finally:
        con.close()
    assert scope == (False, None) and affected == c_numbers, (scope, affected ^ c_numbers)
    assert unfolded == 0, "C's build did not fold its files in"

    every = rows("test")
    assert rows("build", "--vars", "{test_every_row: true}") == rows("build", "--full-refresh") == every
    # every row holds what A and B broke, the one violation planted in A and what C's files break
    in_c = {name: every[name] - before[name] - 1 for name in tests}
    assert built == in_c, (built, in_c)
    # C's files break each rule once, but the administrations' (C has no administrations file)
    assert in_c == {name: int(name != "assert_administration_utc_follows_offset") for name in tests}, in_c
