"""Whether a warehouse's models still hold X12 keys as text, as releases before packed keys built them.

Staging models are incremental: a build appends the new files' rows to the tables an earlier release made,
and would write packed keys into their text key columns. Such a warehouse is rebuilt from scratch once.
"""

from __future__ import annotations

from pathlib import Path

# Key columns every release built in staging; text there means the models are an earlier release's.
# hierarchical_level_id was text (file, transaction set, HL01) until levels were keyed by position.
KEY_COLUMNS = ("claim_id", "remit_claim_id", "hierarchical_level_id")


def keys_are_text(warehouse: Path) -> bool:
    from denials.warehouse import connect

    con = connect(warehouse)
    try:
        found = con.execute(
            "select count(*) from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'staging' and column_name in (select unnest(?::varchar[])) "
            "and data_type = 'VARCHAR'", [list(KEY_COLUMNS)]).fetchall()[0][0]
    finally:
        con.close()
    return bool(found)
