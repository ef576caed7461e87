"""A publish builds on the previous publication only as far as the warehouse vouches for it.

The partitioned marts of a publication are updated in place from the warehouse's ledger of the numbers its
builds replaced since; anything the ledger cannot vouch for is copied whole. Whatever the path, the
published marts must equal the warehouse's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from denials.ingest import ingest_paths
from denials.publish import publish, published_path
from tests.models.dbt_helpers import run_dbt
from tests.models.mart_fingerprints import mart_fingerprints
from tests.pipeline.conftest import Published, copy_published, publication

BUILD_WITHOUT_TESTS = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
                       "--quiet"]


def assert_published_equals_warehouse(warehouse: Path) -> None:
    built, published = mart_fingerprints(warehouse), mart_fingerprints(published_path(warehouse))
    assert built.keys() == published.keys()
    differing = sorted(name for name in built if built[name] != published[name])
    assert not differing, f"published marts differ from the warehouse's: {differing}"
    publication(warehouse)  # and every table has the row count the publication recorded


def execute(warehouse: Path, sql: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(sql)
    finally:
        con.close()


def test_builds_left_unpublished_reach_the_next_publication(published: Published, tmp_path: Path) -> None:
    """Two builds, as after a run whose mart check failed and the next one: the publish after the second
    takes in the numbers both replaced."""
    warehouse = copy_published(published, tmp_path)
    batches = []
    for half in (0, 1):
        inbox = tmp_path / f"inbox{half}"
        for folder in ("837", "835", "administrations"):
            (inbox / folder).mkdir(parents=True)
            for file in sorted((published.batch2 / folder).iterdir())[half::2]:
                shutil.copy(file, inbox / folder / file.name)
        batches.append([inbox / folder for folder in ("837", "835", "administrations")])
    for inbox in batches:
        assert ingest_paths(inbox, warehouse).exit_code == 0
        run_dbt(BUILD_WITHOUT_TESTS, warehouse, tmp_path)
    result = publish(warehouse, "after-two-builds")
    assert result.updated and not result.repaired, result.summary()
    assert_published_equals_warehouse(warehouse)


def test_nothing_built_keeps_every_partitioned_mart(published: Published, tmp_path: Path) -> None:
    """Nothing built since, or a build no new file reached (no number replaced): every partitioned mart
    is kept as it is."""
    warehouse = copy_published(published, tmp_path)
    assert publish(warehouse, "again").kept
    run_dbt(BUILD_WITHOUT_TESTS, warehouse, tmp_path)
    result = publish(warehouse, "after-an-empty-build")
    assert result.kept and not result.updated and not result.repaired, result.summary()
    assert all(name.startswith("marts.") for name in result.kept)
    assert_published_equals_warehouse(warehouse)


def test_a_publication_the_warehouse_did_not_record_last_is_not_built_on(published: Published,
                                                                          tmp_path: Path) -> None:
    """A publication put back from a backup: the warehouse's last publication is another one, so every
    table is copied whole."""
    warehouse = copy_published(published, tmp_path)
    backup = tmp_path / "backup.duckdb"
    shutil.copy(published_path(warehouse), backup)
    publish(warehouse, "later")
    execute(warehouse, "delete from marts.fct_claims where claim_control_number = "
                       "(select min(claim_control_number) from marts.fct_claims)")
    shutil.copy(backup, published_path(warehouse))
    result = publish(warehouse, "after-restore")
    assert not result.updated and not result.kept, result.summary()
    assert_published_equals_warehouse(warehouse)


def test_a_change_the_ledger_missed_is_copied_and_reported(published: Published, tmp_path: Path) -> None:
    """Rows deleted from a mart outside any build: its row count differs, so it is copied whole again
    and named."""
    warehouse = copy_published(published, tmp_path)
    execute(warehouse, "delete from marts.fct_claims where claim_control_number = "
                       "(select min(claim_control_number) from marts.fct_claims)")
    result = publish(warehouse, "repair")
    assert result.repaired == ["marts.fct_claims"], result.summary()
    assert "marts.fct_claims" in result.summary()
    assert_published_equals_warehouse(warehouse)


def test_a_mart_with_other_columns_is_copied_whole(published: Published, tmp_path: Path) -> None:
    warehouse = copy_published(published, tmp_path)
    execute(warehouse, "alter table marts.fct_denials add column reviewed_by_test integer default 1")
    result = publish(warehouse, "new-column")
    assert "marts.fct_denials" in result.copied and "marts.fct_denials" not in result.kept
    assert_published_equals_warehouse(warehouse)


def test_a_publication_the_warehouse_could_not_note_is_not_built_on(published: Published,
                                                                     tmp_path: Path) -> None:
    """Another process holds the warehouse read-only as the publish ends: the publication is in place, the
    warehouse cannot note it, the stage line says so, and the next publish copies every table."""
    warehouse = copy_published(published, tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; held = duckdb.connect(sys.argv[1], "
         "read_only=True); print('holding', flush=True); time.sleep(120)", str(warehouse)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = publish(warehouse, "while-held")
    finally:
        holder.kill()
        holder.wait()
    assert result.not_recorded and "the next publish copies every table" in result.summary()
    assert publication(warehouse)[0] == "while-held"
    execute(warehouse, "delete from marts.fct_claims where claim_control_number = "
                       "(select min(claim_control_number) from marts.fct_claims)")
    after = publish(warehouse, "after-release")
    assert not after.updated and not after.kept and not after.not_recorded, after.summary()
    assert_published_equals_warehouse(warehouse)


def test_a_publication_opened_for_writing_is_not_built_on(published: Published, tmp_path: Path) -> None:
    """A row changed by hand in the published file (same row count): the file is no longer the one the
    warehouse recorded, so the next publish starts anew rather than carry the change on."""
    warehouse = copy_published(published, tmp_path)
    con = duckdb.connect(str(published_path(warehouse)))
    try:
        con.execute("update marts.fct_claims set payer_name = 'changed by hand' where claim_control_number = "
                    "(select min(claim_control_number) from marts.fct_claims)")
    finally:
        con.close()
    result = publish(warehouse, "after-hand-edit")
    assert not result.updated and not result.kept, result.summary()
    assert_published_equals_warehouse(warehouse)


def test_a_mart_rebuilt_whole_is_published_into_a_new_file(published: Published, tmp_path: Path) -> None:
    """A full refresh (as a retraction makes) rewrites a mart whole: the rows it dropped must not stay in
    the freed blocks of a file built on the previous one, so the publish starts from a new file."""
    warehouse = copy_published(published, tmp_path)
    run_dbt(["build", "--select", "fct_claims", "--full-refresh", *BUILD_WITHOUT_TESTS[1:]], warehouse,
            tmp_path)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select model_name, is_whole from build_state.unpublished_changes").fetchall() == [
            ("fct_claims", True)]
    finally:
        con.close()
    result = publish(warehouse, "after-full-refresh")
    assert not result.updated and not result.kept, result.summary()
    assert_published_equals_warehouse(warehouse)
