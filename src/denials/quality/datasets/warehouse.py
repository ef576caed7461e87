"""What a dataset query may look at: the read-only connection, the tables present, the seeds; and the guard
that keeps identifiers out of every frame."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from denials.paths import MODELS_DIR, SEEDS_DIR

# Column names that hold (or may hold) identifiers or names. A dataset frame with such a column is a bug.
IDENTIFIER_COLUMN = re.compile(
    r"(control_number|patient|member|subscriber|insured|_name$|^name$|npi|ssn|birth|address|phone"
    r"|identification_code|prior_authorization|reference_number|trace_number|line_note|claim_note)"
)
ALLOWED_NAME_COLUMNS = frozenset({"file_name", "table_name", "column_name", "key_column"})


_SCHEMA_REFERENCE = re.compile(r"(?<![\w\"'./])(raw|staging|intermediate|marts|reference|quality)\.(\w+)\b")


class Skip(Exception):
    """The dataset cannot be built on this warehouse (a table or column is missing); the reason says why."""


def assert_identifier_free(name: str, columns: list[str]) -> None:
    flagged = [c for c in columns if c not in ALLOWED_NAME_COLUMNS and IDENTIFIER_COLUMN.search(c)]
    if flagged:
        raise ValueError(f"dataset {name} selects identifier columns {flagged}: "
                         "aggregate them in SQL instead")


class Warehouse:
    """What a dataset query may look at: the read-only connection, the tables present, the seeds."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seeds_dir: Path = SEEDS_DIR,
                 models_dir: Path = MODELS_DIR) -> None:
        self.con = con
        self.seeds_dir = seeds_dir
        self.models_dir = models_dir
        self.catalog = con.execute("select current_database()").fetchone()[0]
        rows = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()"
        ).fetchall()
        self._columns: dict[str, list[str]] = {}
        for schema, table, column in rows:
            self._columns.setdefault(f"{schema}.{table}", []).append(column)

    def qualify(self, sql: str) -> str:
        """Prefix the warehouse's schemas with its catalog: a file named marts.duckdb (catalog `marts`) would
        otherwise make `marts.fct_denials` ambiguous."""
        catalog = '"' + self.catalog.replace('"', '""') + '"'
        return _SCHEMA_REFERENCE.sub(lambda m: f"{catalog}.{m.group(1)}.{m.group(2)}", sql)

    def has(self, table: str) -> bool:
        return table in self._columns

    def columns(self, table: str) -> list[str]:
        return self._columns.get(table, [])

    def tables_in(self, schema: str) -> list[str]:
        return sorted(t for t in self._columns if t.split(".", 1)[0] == schema)

    def require(self, *tables: str) -> None:
        missing = [t for t in tables if not self.has(t)]
        if missing:
            raise Skip(f"table not built: {', '.join(missing)}")

    def pick(self, table: str, candidates: tuple[str, ...], role: str) -> str:
        for column in candidates:
            if column in self.columns(table):
                return column
        raise Skip(f"{table} has no column for {role} (looked for {', '.join(candidates)})")

    def seed(self, name: str) -> str:
        """A relation for a seed: the table dbt loaded into `reference`, else the CSV in seeds/."""
        if self.has(f"reference.{name}"):
            return f"reference.{name}"
        path = self.seeds_dir / f"{name}.csv"
        return f"read_csv({literal(str(path))}, header = true, all_varchar = true)"

    def seed_values(self, name: str, column: str, where: str | None = None) -> list[str]:
        sql = f"select distinct cast({column} as varchar) from {self.seed(name)}"
        if where:
            sql += f" where {where}"
        return sorted(row[0] for row in self.con.execute(self.qualify(sql)).fetchall() if row[0] is not None)


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"



def registry_join(alias: str = "counts") -> str:
    """Join that names each row's file (file_name) from the registry."""
    return f"left join raw.file_registry as files on files.file_id = {alias}.file_id"
