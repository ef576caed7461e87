"""A site whose payers no seed knows: the payers, payer_policies and payer_aliases seeds emptied.

Every payer then takes its type from the claim filing indicator (837 SBR09, 835 CLP06) and the default
policies and appeal windows of that type (DOMAIN.md: Medicare redetermination 120 days). Checked against
a build of the same files with the shipped seeds, whose marts test_marts_recover_truth.py holds to the
truth: the same lines match their claims, the same denials carry the same categories and dollars, and
no row is left without a payer type or an appeal deadline.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from denials.generate import generate
from denials.ingest import ingest_paths
from tests.models.dbt_helpers import REPO_ROOT, project_copy, query, run_dbt

pytestmark = pytest.mark.slow

CLAIMS, SEED = 800, 5
PAYER_SEEDS = ("payers", "payer_policies", "payer_aliases")


def project_without_payer_seeds(target: Path) -> Path:
    """A copy of the dbt project whose payer seeds hold their header only."""
    headers = {name: (REPO_ROOT / "seeds" / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"
               for name in PAYER_SEEDS}
    return project_copy(target, seeds=headers)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("no_payer_seeds")
    generate(tmp / "gen", claims=CLAIMS, seed=SEED)
    built = {}
    for name in ("seeded", "unseeded"):
        warehouse = tmp / name / "denials.duckdb"
        folders = [tmp / "gen" / folder for folder in ("837", "835", "administrations")]
        report = ingest_paths(folders, warehouse)
        assert {file.status for file in report.files} == {"loaded"}
        built[name] = warehouse
    run_dbt(["build", "--quiet"], built["seeded"], tmp / "seeded")
    run_dbt(["build", "--quiet"], built["unseeded"], tmp / "unseeded",
            project_dir=project_without_payer_seeds(tmp / "project"))
    yield built


def test_the_seeds_really_were_empty(warehouses: dict[str, Path]) -> None:
    for name in PAYER_SEEDS:
        assert query(warehouses["unseeded"], f"select count(*) from reference.{name}") == [(0,)], name
    assert query(warehouses["seeded"], "select count(*) from reference.payers")[0][0] > 0


def test_every_row_has_a_payer_type_and_an_appeal_deadline(warehouses: dict[str, Path]) -> None:
    unseeded = warehouses["unseeded"]
    assert query(unseeded, "select count(*) from marts.fct_adjudicated_lines "
                          "where payer_type is null or payer_type = 'unknown'") == [(0,)]
    assert query(unseeded, "select count(*) from marts.mart_appeal_worklist "
                          "where appeal_deadline is null") == [(0,)]
    assert query(unseeded, "select count(*) from marts.mart_appeal_worklist")[0][0] > 0
    # Medicare's redetermination window is 120 days (DOMAIN.md), whatever the seeds say
    medicare = query(unseeded, """
        select distinct date_diff('day', denial_remit_date, appeal_deadline) from marts.mart_appeal_worklist
        where payer_type = 'medicare'""")
    assert medicare == [(120,)]


def test_matching_and_denials_equal_the_seeded_build(warehouses: dict[str, Path]) -> None:
    matched = "select adjudicated_line_id, claim_line_id, match_method from marts.fct_adjudicated_lines"
    denials = ("select denial_id, denial_category, denied_amount, primary_carc_code, final_status "
               "from marts.fct_denials")
    for sql in (matched, denials):
        seeded, unseeded = set(query(warehouses["seeded"], sql)), set(query(warehouses["unseeded"], sql))
        assert seeded and seeded == unseeded, f"{len(seeded ^ unseeded)} rows differ: {sql}"
