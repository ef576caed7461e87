"""What a build of the partitioned (incremental) models covered, read back for the run's stage line.

The intermediate and mart models partitioned by patient control number (macros/incremental.sql) rebuild
only the numbers the new files carry, unless a global input changed (int_build_scope). The pipeline says
which it was; counts only, never a value (the numbers are PHI).
"""

from __future__ import annotations

from pathlib import Path

from denials.compaction import hold_back_merges
from denials.quiet import quiet_connect

SCOPE_TABLE = "intermediate.int_build_scope"
AFFECTED_TABLE = "intermediate.int_claim_control_numbers_affected"


def build_scope_summary(warehouse: Path) -> str | None:
    """'rebuilt in full: <reason>' or 'incremental: N claim numbers affected'; None when the warehouse has
    no build scope (nothing built yet, or an older project)."""
    con = quiet_connect(warehouse)
    try:
        hold_back_merges(con)
        tables = {name for (name,) in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() where schema_name = 'intermediate'"
        ).fetchall()}
        if SCOPE_TABLE not in tables or AFFECTED_TABLE not in tables:
            return None
        scope = con.execute(f"select is_full_rebuild, rebuild_reason from {SCOPE_TABLE}").fetchone()
        if scope is None:
            return None
        if scope[0]:
            return f"rebuilt in full: {scope[1]}"
        (affected,) = con.execute(f"select count(*) from {AFFECTED_TABLE}").fetchone()
        return f"incremental: {affected} claim numbers affected"
    finally:
        con.close()
