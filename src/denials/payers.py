"""`denials payers`: every payer the warehouse has seen, with its resolved type, policies and volume.

Payer ids and names are not PHI, so they are printed; nothing about patients or claims is. A payer that
no seed lists runs on the defaults of its payer type (seeds/payer_type_defaults.csv and
seeds/payer_type_policy_defaults.csv); it is flagged so a user can give it its own rows in their payer
override file (denials.payer_overrides: outside seeds/, so upgrades keep it), and payers that file
sets are flagged as such. Unresolved 835 payer identifiers are listed too: a row in
seeds/payer_aliases.csv settles each.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import duckdb
from rich.console import Console
from rich.table import Table

from denials.payer_overrides import default_path
from denials.warehouse import WAREHOUSE_ENV, connect, resolve_warehouse

console = Console(stderr=True)

PAYERS_SQL = """
with
claim_payers as (
    select ids.payer_key as payer_id, count(*) as claim_count, sum(claims.total_charge_amount) as billed
    from staging.stg_x12_837__claims as claims
    inner join intermediate.int_payer_identifiers_resolved as ids
        on ids.side = '837' and ids.identifier_type = 'NM1_PR_ID' and claims.payer_id = ids.identifier_value
    group by ids.payer_key
),
paid as (
    select resolved_payer_id as payer_id, sum(claim_paid_amount) as paid
    from intermediate.int_claims_matched_to_remits
    where is_final
    group by resolved_payer_id
),
policies as (
    select
        payer_id,
        string_agg(distinct case when requires_prior_auth then hcpcs_code end, ' ' order by
            case when requires_prior_auth then hcpcs_code end) as prior_auth_codes,
        bool_or(requires_jw_jz) as requires_jw_jz
    from intermediate.int_payer_policies_in_force
    where effective_to is null
    group by payer_id
)
select
    payers.payer_id, payers.payer_name, payers.payer_type, payers.payer_type_source,
    payers.appeal_window_days, coalesce(policies.prior_auth_codes, ''),
    coalesce(policies.requires_jw_jz, false),
    case
        when payers.has_overrides then 'overrides'
        when payers.has_own_policies then 'own'
        else 'defaults'
    end as policy_source,
    coalesce(claim_payers.claim_count, 0), coalesce(claim_payers.billed, 0), coalesce(paid.paid, 0)
from intermediate.int_payers_resolved as payers
left join claim_payers on payers.payer_id = claim_payers.payer_id
left join paid on payers.payer_id = paid.payer_id
left join policies on payers.payer_id = policies.payer_id
order by payers.payer_id
"""

UNRESOLVED_SQL = """
select identifier_type, identifier_value, resolution_method
from intermediate.int_payer_identifiers_resolved
where side = '835' and payer_key is null and identifier_type != 'N1_PR_NAME'
order by identifier_type, identifier_value
"""


def payer_rows(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """(payers, unresolved 835 identifiers) as read from the built warehouse."""
    return con.execute(PAYERS_SQL).fetchall(), con.execute(UNRESOLVED_SQL).fetchall()


@click.command("payers")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"DuckDB warehouse file. Default: ${WAREHOUSE_ENV}, else ./warehouse/denials.duckdb.")
def payers_command(warehouse: Path | None) -> None:
    """List every payer seen, its resolved type, policies, claim count and dollars; flag defaults."""
    out = Console()  # built per call: it sizes itself to the terminal (or $COLUMNS) of this run
    target = resolve_warehouse(warehouse)
    if not target.exists():
        console.print(f"[red]no warehouse at {target}: run `denials ingest` and `denials build` first[/red]")
        sys.exit(2)
    con = connect(target, read_only=True)
    try:
        payers, unresolved = payer_rows(con)
    except duckdb.CatalogException:
        console.print(f"[red]{target} has no payer models: run `denials build` first[/red]")
        sys.exit(2)
    finally:
        con.close()
    table = Table(title="Payers")
    for column in ("payer", "name", "type", "type from", "appeal days", "prior auth", "JW/JZ", "policies",
                   "claims", "billed $", "paid $"):
        table.add_column(column, justify="right" if column in ("appeal days", "claims", "billed $", "paid $")
                         else "left")
    shown = {"defaults": "[yellow]defaults[/yellow]", "overrides": "[cyan]overrides[/cyan]", "own": "own"}
    for (payer_id, name, payer_type, source, appeal, prior_auth, jw_jz, policy_source,
         claims, billed, paid) in payers:
        table.add_row(
            payer_id, name or "", payer_type, source, "" if appeal is None else str(appeal), prior_auth,
            "yes" if jw_jz else "no", shown[policy_source],
            f"{claims:,}", f"{billed:,.2f}", f"{paid:,.2f}",
        )
    out.print(table)
    on_defaults = sum(1 for row in payers if row[7] == "defaults")
    overridden = sum(1 for row in payers if row[7] == "overrides")
    if overridden:
        out.print(f"{overridden} payer(s) use your override file.")
    if on_defaults:
        out.print(f"{on_defaults} payer(s) run on the defaults of their type: give them rows in your payer "
                  f"override file ({default_path()}, or --payer-overrides on `denials run`) to override.")
    if unresolved:
        out.print(f"[yellow]{len(unresolved)} 835 payer identifier(s) resolve to no payer[/yellow] "
                  "(add rows to seeds/payer_aliases.csv):")
        for identifier_type, value, method in unresolved:
            out.print(f"  {identifier_type} {value} ({method})")
