"""The warehouse file: where it lives and the raw layer's tables.

The raw layer keeps X12 as X12: one row per segment with element designators, plus the envelope
and loop context the loader already knows. Giving fields business names is dbt's job (staging), so
a new field is a model change and never a re-parse.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from denials.compaction import hold_back_merges
from denials.errors import OUT_OF_MEMORY, WarehouseUnusable
from denials.files import private_directory, private_file, private_umask
from denials.quiet import quiet_connect
from denials.x12.segments import ID_ALPHABET, segment_id_code

DEFAULT_WAREHOUSE = Path("warehouse") / "denials.duckdb"
WAREHOUSE_ENV = "DENIALS_WAREHOUSE"

# DuckDB's buffer pool stops here and spills to disk beyond it; with a few blocks in flight on the
# Python side, the loader peaks under 500 MB whatever the file size (measured up to 2 GB).
DUCKDB_MEMORY_LIMIT = os.environ.get("DENIALS_DUCKDB_MEMORY_LIMIT", "192MB")


def resolve_warehouse(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--warehouse wins, then DENIALS_WAREHOUSE, then ./warehouse/denials.duckdb."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(WAREHOUSE_ENV)
    if from_env:
        return Path(from_env)
    return DEFAULT_WAREHOUSE


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; for writing, create it (0600, in a 0700 folder when the folder is new) and
    its raw layer, or check that the raw layer has this loader's layout."""
    if read_only:
        con = quiet_connect(path, read_only=True)
    else:
        private_directory(path.parent)
        with private_umask():
            con = quiet_connect(path)
        private_file(path)
    try:
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.execute("set preserve_insertion_order = false")
        if not read_only:
            hold_back_merges(con)
            create_raw_schema(con)
    except BaseException:
        con.close()
        raise
    return con


# Loop ids the loader assigns (raw.x12_segment_rows.loop_code indexes this tuple from 0).
X12_LOOP_IDS = ("header", "envelope", "1000A", "1000B", "2000", "2100", "2110", "summary",
                "2000A", "2000B", "2000C", "2300", "2310", "2320", "2330", "2400", "2410", "2420", "2430")

RAW_DDL = """
create schema if not exists raw;
create table if not exists raw.warehouse_metadata (key varchar primary key, value varchar);
create sequence if not exists raw.file_id_sequence start 1;

create table if not exists raw.file_registry (
    file_id bigint not null,
    file_name varchar not null,
    source_path varchar not null,
    archive_member varchar,
    content_sha256 varchar,
    size_bytes bigint,
    file_kind varchar not null,
    status varchar not null,
    reason varchar,
    warnings varchar[],
    duplicate_of_file_id bigint,
    transaction_types varchar[],
    interchange_count integer,
    group_count integer,
    transaction_count integer,
    segment_count bigint,
    claim_count bigint,
    service_line_count bigint,
    record_count bigint,
    text_encoding varchar,
    trailing_text varchar,
    received_at timestamp not null,
    finished_at timestamp,
    load_seconds double,
    loader_version varchar
);

create table if not exists raw.x12_interchanges (
    file_id bigint not null,
    interchange_seq integer not null,
    isa_segment_position integer not null,
    iea_segment_position integer,
    sender_qualifier varchar,
    sender_id varchar,
    receiver_qualifier varchar,
    receiver_id varchar,
    interchange_date varchar,
    interchange_time varchar,
    repetition_separator varchar,
    version_number varchar,
    control_number varchar,
    usage_indicator varchar,
    element_separator varchar not null,
    component_separator varchar not null,
    component_separator_observed varchar,
    segment_terminator varchar not null,
    declared_group_count varchar,
    trailer_control_number varchar,
    group_count integer
);

create table if not exists raw.x12_groups (
    file_id bigint not null,
    group_seq integer not null,
    interchange_seq integer not null,
    gs_segment_position integer not null,
    ge_segment_position integer,
    functional_id_code varchar,
    sender_code varchar,
    receiver_code varchar,
    group_date varchar,
    group_time varchar,
    control_number varchar,
    version_code varchar,
    declared_transaction_count varchar,
    trailer_control_number varchar,
    transaction_count integer
);

create table if not exists raw.x12_transactions (
    file_id bigint not null,
    transaction_seq integer not null,
    group_seq integer not null,
    interchange_seq integer not null,
    st_segment_position integer not null,
    se_segment_position integer,
    transaction_set_id varchar,
    control_number varchar,
    implementation_reference varchar,
    declared_segment_count varchar,
    trailer_control_number varchar,
    segment_count integer,
    is_supported boolean not null
);

-- Stored segments. Segment ids and loop ids are stored as small integer codes (they append several
-- times faster than short texts); raw.x12_segments below is what everything reads. segment_text is
-- zstd-compressed: faster to append than the default for one-off texts, about the same size.
create table if not exists raw.x12_segment_rows (
    file_id bigint not null,
    segment_position integer not null,
    interchange_seq integer,
    group_seq integer,
    transaction_seq integer,
    segment_code usmallint not null,
    segment_text varchar not null using compression zstd,
    loop_code utinyint,
    hl_id varchar,
    hl_position integer,
    claim_seq integer,
    line_seq integer,
    leading_text varchar,
    is_terminated boolean not null
);

-- Every possible segment id (2-3 capitals/digits, and '' for an empty segment) with its code.
create table if not exists raw.x12_segment_ids (
    segment_code usmallint not null,
    segment_id varchar not null
);

-- Segments of registered files only: a file being loaded (or left by a killed load) is invisible.
-- Element lists are computed on read from the stored text, so they cost nothing to load and stay
-- exact; the element separator is the character after the segment id (none without elements).
-- segment_code is kept beside segment_id for filters: see the dbt macro x12_segment_is.
create or replace view raw.x12_segments as
select
    segments.file_id,
    segments.segment_position,
    segments.interchange_seq,
    segments.group_seq,
    segments.transaction_seq,
    ids.segment_id,
    segments.segment_code,
    segments.segment_text,
    substr(segments.segment_text, length(ids.segment_id) + 1, 1) as element_separator,
    case when length(segments.segment_text) > length(ids.segment_id)
        then string_split(
            segments.segment_text, substr(segments.segment_text, length(ids.segment_id) + 1, 1))[2:]
        else []
    end as elements,
    {loop_ids}[segments.loop_code + 1] as loop_id,
    segments.hl_id,
    segments.hl_position,
    segments.claim_seq,
    segments.line_seq,
    segments.leading_text,
    segments.is_terminated
from raw.x12_segment_rows as segments
inner join raw.x12_segment_ids as ids
    on segments.segment_code = ids.segment_code
where segments.file_id in (select registry.file_id from raw.file_registry as registry);

-- One row per path (or archive member) last seen by the loader: an unchanged file (same path, size
-- and modification time) is skipped without being read, and a file seen again is counted here
-- (times_seen) instead of adding a registry row per run.
create table if not exists raw.file_sightings (
    source_path varchar not null,
    archive_member varchar not null,  -- '' for a file that is not in an archive
    size_bytes bigint,
    modified_ns bigint,
    file_id bigint not null,  -- the registry row of the content last seen there
    content_sha256 varchar,
    times_seen integer not null,
    first_seen_at timestamp not null,
    last_seen_at timestamp not null
);

-- Who retracted which loaded file, when and why (`denials retract`); the registry row then says
-- 'retracted' and the models stop reading the file. rebuilt_at: when a full build left it out.
create table if not exists raw.file_retractions (
    file_id bigint not null,
    previous_status varchar not null,
    reason varchar not null,
    retracted_at timestamp not null,
    retracted_by varchar,
    loader_version varchar,
    rebuilt_at timestamp
);

-- The user's per-payer overrides (denials.payer_overrides), replaced from their file at every build.
create table if not exists raw.payer_overrides (
    source_file varchar not null,
    line_number integer not null,
    payer_id varchar not null,
    payer_type varchar,
    appeal_window_days integer,
    timely_filing_days integer,
    hcpcs_code varchar,
    requires_prior_auth boolean,
    max_units_per_line integer,
    requires_jw_jz boolean,
    effective_from date
);

create table if not exists raw.drug_administrations (
    file_id bigint not null,
    row_number integer not null,
    administration_id varchar,
    claim_control_number varchar,
    line_control_number varchar,
    hcpcs_code varchar,
    ndc varchar,
    administered_amount varchar,
    administered_unit varchar,
    wasted_amount varchar,
    patient_weight_kg varchar,
    administered_at varchar
);
"""


RAW_DDL = RAW_DDL.replace("{loop_ids}", "[" + ", ".join(f"'{loop_id}'" for loop_id in X12_LOOP_IDS) + "]")

# The code of a segment id is its characters in base 37 (see denials.x12.segments): every valid id,
# a capital then one or two capitals/digits, and '' (code 0) for an empty segment.
SEGMENT_IDS_SQL = f"""
insert into raw.x12_segment_ids
select 0, ''
union all
select
    (first.range * 37 + second.range) * 37 + third.range,
    substr('{ID_ALPHABET}', first.range + 1, 1) || substr('{ID_ALPHABET}', second.range + 1, 1)
        || case when third.range > 0 then substr('{ID_ALPHABET}', third.range + 1, 1) else '' end
from range(1, 27) as first, range(1, 37) as second, range(0, 37) as third
"""

RAW_SCHEMA_VERSION = "4"

# Layout 3 had no hl_position. Every segment of an 837 level sits after its level's HL segment and
# before the next one, so the column is the last HL at or before each segment of the transaction set,
# exactly what the loader writes; the models then rebuild from scratch (denials.key_layout). One file at a
# time, each in its own transaction, under the build's memory limit rather than the loader's: at a million
# claims, one update of the whole table ran out of memory at the loader's 192 MB and used 2.1 GB at
# 2,000 MB, and even one file's update ran out at 192 MB; file by file at 2,000 MB it took 7.7 s and 530 MB.
# Rows still to fill are the ones left null, so an upgrade cut short resumes where it stopped; the layout
# says 4, and the view shows the column, only once every file is done.
_FILL_HL_POSITIONS = f"""
update raw.x12_segment_rows as target
set hl_position = levels.hl_position
from (
    select
        segment_position,
        max(case when segment_code = {segment_id_code("HL")} then segment_position end) over (
            partition by transaction_seq order by segment_position
            rows between unbounded preceding and current row
        ) as hl_position
    from raw.x12_segment_rows
    where file_id = $file_id and hl_id is not null
) as levels
where target.file_id = $file_id and target.segment_position = levels.segment_position
"""
# The build's setting and default (profiles.yml): an upgrade is followed by a full build under the same bound.
UPGRADE_MEMORY_LIMIT_ENV = "DENIALS_DBT_MEMORY_LIMIT"
UPGRADE_MEMORY_LIMIT_DEFAULT = "2000MB"


def _upgrade_from_3(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("alter table raw.x12_segment_rows add column if not exists hl_position integer")
    files = [row[0] for row in con.execute("""
        select distinct file_id from raw.x12_segment_rows
        where hl_id is not null and hl_position is null
        order by file_id
    """).fetchall()]
    for file_id in files:
        with transaction(con):
            con.execute(_FILL_HL_POSITIONS, {"file_id": file_id})
    with transaction(con):
        con.execute(RAW_DDL)  # the view over the new column, committed with the layout that promises it
        con.execute("update raw.warehouse_metadata set value = '4' where key = 'raw_schema_version'")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit what the block did, or roll it back and raise the block's own error."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed transaction's own error is the one to report
            con.execute("rollback")
        raise


UPGRADES = {"3": _upgrade_from_3}


class WarehouseVersionError(WarehouseUnusable, RuntimeError):
    """The warehouse was built by a loader with another raw-layer layout."""


def raw_layout(con: duckdb.DuckDBPyConnection) -> str | None:
    """The raw layout version of an open warehouse ('1' for the first, unversioned one), None if empty."""
    tables = {row[0] for row in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()}
    if "warehouse_metadata" in tables:
        version = con.execute(
            "select value from raw.warehouse_metadata where key = 'raw_schema_version'").fetchall()
        return version[0][0] if version else "1"
    return "1" if "x12_segments" in tables else None


def check_layout(con: duckdb.DuckDBPyConnection) -> None:
    """Raise WarehouseVersionError unless the raw layer is this loader's layout (or not created yet)."""
    found = raw_layout(con)
    if found in UPGRADES:
        raise WarehouseVersionError(
            f"this warehouse has an earlier raw layout ({found}, this release reads {RAW_SCHEMA_VERSION}); "
            "`denials ingest`, `denials run` or `denials build` upgrades it in place"
        )
    if found is not None and found != RAW_SCHEMA_VERSION:
        raise WarehouseVersionError(
            f"this warehouse was built by another denials loader (raw layout {found}, this loader writes "
            f"layout {RAW_SCHEMA_VERSION}); re-ingest the files into a new warehouse file"
        )


def open_checked(path: Path) -> None:
    """Open the warehouse read-only once to check it is a DuckDB file of this loader's raw layout."""
    con = quiet_connect(path, read_only=True)
    try:
        check_layout(con)
    finally:
        con.close()


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw layer, or check that an existing one has this loader's layout (before touching
    it: an older layout's tables must not be half-converted)."""
    found = raw_layout(con)
    if found in UPGRADES:
        _upgrade(con, found)
    check_layout(con)
    con.execute(RAW_DDL)
    if found is None:
        con.execute(SEGMENT_IDS_SQL)
        con.execute("insert into raw.warehouse_metadata values ('raw_schema_version', ?)",
                    [RAW_SCHEMA_VERSION])


def _upgrade(con: duckdb.DuckDBPyConnection, found: str) -> None:
    """Upgrade the raw layer in place, then go back to the loader's memory limit (what connect set)."""
    limit = os.environ.get(UPGRADE_MEMORY_LIMIT_ENV, UPGRADE_MEMORY_LIMIT_DEFAULT)
    con.execute(f"set memory_limit = '{limit}'")
    try:
        UPGRADES[found](con)
    except duckdb.Error as error:
        # DuckDB reports running out of memory as OutOfMemoryException, or inside another error's text
        if OUT_OF_MEMORY not in str(error).lower():
            raise
        path = "this warehouse"
        with contextlib.suppress(duckdb.Error):  # the connection may be past answering
            [(path,)] = con.execute(
                "select path from duckdb_databases() where database_name = current_database()").fetchall()
        raise WarehouseUnusable(
            f"{path}: upgrading its raw layer (layout {found} to {RAW_SCHEMA_VERSION}) ran out of memory at "
            f"{limit}; set {UPGRADE_MEMORY_LIMIT_ENV} higher and run again (it resumes where it stopped)"
        ) from None
    finally:
        with contextlib.suppress(duckdb.Error):  # the upgrade's own error is the one to report
            con.execute(f"set memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
