"""A built warehouse, published: what the app and the report read."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture(scope="session")
def published_warehouse(built_warehouse: Path) -> Path:
    from denials.publish import publish, published_path

    if not published_path(built_warehouse).exists():
        publish(built_warehouse, "tests")
    return built_warehouse


@pytest.fixture
def marts(published_warehouse: Path):  # noqa: ANN201 - a DuckDB connection
    """The published marts, queried directly by the tests (read-only)."""
    from denials.publish import connect_published

    con: duckdb.DuckDBPyConnection = connect_published(published_warehouse)
    yield con
    con.close()
