"""Whether a build must load the seeds again, and the dbt selection that leaves them as they are.

The seeds are reviewed reference data that changes with a release, not with a feed. Reloading them and
running their own data tests costs every build the same (26 seeds and about 80 test nodes), which in a
daily run that brings one file is a large share of the work. So a build whose seed files are exactly
those of the last build that loaded them, into a warehouse that still holds every seed table, leaves them
out: selectors.yml names the selections without the seeds and the tests that read only seeds. Tests that
read a seed and a model (a mart's outcome against the outcome seed) still run, since their model changed.

What counts as "the seed files" errs on the side of loading again: the CSVs and their YAML, every
singular test (wherever a test that reads only seeds lives), the macros any test may call,
dbt_project.yml, and the dbt version. A build from scratch
(`--full-refresh`) always loads them. The fingerprint is recorded only after a build that loaded the seeds
succeeded, so a seed test that failed runs again on the next build instead of being skipped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from denials.compaction import hold_back_merges
from denials.paths import project_root
from denials.quiet import quiet_connect

SEED_SCHEMA = "reference"
STATE_TABLE = "build_state.seeds_loaded"
# selectors.yml: the same selections as `dbt build` and `dbt build --exclude MARTS_SELECTOR`, without
# the seeds and the data tests that read only seeds
EVERYTHING_BUT_SEED_CONTENTS = "all_but_seed_contents"
BEFORE_MARTS_BUT_SEED_CONTENTS = "before_marts_but_seed_contents"
# what a seed load depends on, relative to the project root
_INPUTS = ("seeds", "tests/dbt", "macros", "dbt_project.yml", "selectors.yml")


def seeds_fingerprint(root: Path | None = None) -> str:
    """One hash of every file a seed load and its tests depend on, and of the dbt version."""
    from dbt.version import __version__ as dbt_version

    base = root or project_root()
    digest = hashlib.sha256(f"dbt {dbt_version}\n".encode())
    for name in _INPUTS:
        path = base / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(file.relative_to(base).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def seed_names(root: Path | None = None) -> list[str]:
    return sorted(path.stem for path in ((root or project_root()) / "seeds").glob("*.csv"))


def seeds_unchanged(warehouse: Path, root: Path | None = None) -> bool:
    """True when the last build that loaded the seeds had these very files, and every seed table is
    still in the warehouse. A warehouse that does not exist yet, or has no record, needs them loaded."""
    return _matches_record(warehouse, seeds_fingerprint(root), root)


def _matches_record(warehouse: Path, fingerprint: str, root: Path | None = None) -> bool:
    if not warehouse.exists():
        return False
    state_schema = STATE_TABLE.split(".")[0]
    con = quiet_connect(warehouse, read_only=True)
    try:
        tables = {name for (name,) in con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() where schema_name in (?, ?)",
            [state_schema, SEED_SCHEMA]).fetchall()}
        if STATE_TABLE not in tables:
            return False
        recorded = con.execute(f"select fingerprint from {STATE_TABLE}").fetchall()
    finally:
        con.close()
    seed_tables = {f"{SEED_SCHEMA}.{name}" for name in seed_names(root)}
    return recorded == [(fingerprint,)] and seed_tables <= tables


def record_seeds_loaded(warehouse: Path, fingerprint: str) -> None:
    """After a build that loaded the seeds and succeeded: the fingerprint of the files it loaded, as
    build_selection computed it before the build (files changed since are not what was loaded)."""
    con = quiet_connect(warehouse)
    try:
        hold_back_merges(con)
        con.execute(f"create schema if not exists {STATE_TABLE.split('.')[0]}")
        con.execute(f"create table if not exists {STATE_TABLE} (fingerprint varchar not null, "
                    "loaded_at timestamp not null)")
        con.execute("begin transaction")
        con.execute(f"delete from {STATE_TABLE}")
        con.execute(f"insert into {STATE_TABLE} values (?, current_timestamp)", [fingerprint])
        con.execute("commit")
    finally:
        con.close()


def forget_seeds_loaded(warehouse: Path) -> None:
    """Before a build that may load the seeds: until one that loads them all succeeds, the next build
    loads them too (their tables may hold files other than the recorded ones)."""
    if not warehouse.exists():
        return
    con = quiet_connect(warehouse)
    try:
        hold_back_merges(con)
        con.execute(f"create schema if not exists {STATE_TABLE.split('.')[0]}")
        con.execute(f"drop table if exists {STATE_TABLE}")
    finally:
        con.close()


def build_selection(warehouse: Path, without: str | None = None,
                    full_refresh: bool = False) -> tuple[list[str], str | None]:
    """The selection arguments of a `dbt build` of everything, or of everything but `without` (the
    marts' selector), leaving the seeds out when they are unchanged; and the seeds' fingerprint when the
    build loads them, which the caller passes to record_seeds_loaded once the build succeeded (None when
    it leaves them out)."""
    fingerprint = seeds_fingerprint()
    if not full_refresh and _matches_record(warehouse, fingerprint):
        selector = BEFORE_MARTS_BUT_SEED_CONTENTS if without else EVERYTHING_BUT_SEED_CONTENTS
        return ["--selector", selector], None
    forget_seeds_loaded(warehouse)
    return (["--exclude", without] if without else []), fingerprint
