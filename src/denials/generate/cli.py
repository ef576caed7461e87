"""`denials generate`: the click command the lead registers on the `denials` group."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from denials.generate.engine import (
    CLAIMS_PER_FILE,
    DEFAULT_END_DATE,
    DEFAULT_SPAN_DAYS,
    RATE_DEFAULTS,
    default_workers,
)
from denials.generate.scenarios import SCENARIOS

_RATE_HELP = {
    "denial_rate": "Share of claim groups planted with a denial scenario.",
    "not_remitted_rate": "Share of claims that get no 835.",
    "prebill_problem_share": "Share of unremitted claims carrying a problem a pre-bill rule should flag.",
    "reversal_rate": "Share of claims denied, then reversed and paid in a later 835.",
    "split_rate": "Share of claims with a dose split across lines with modifier 76.",
    "secondary_rate": "Share of claims sent to a secondary payer (CLP02=2, OA-23).",
    "underpayment_rate": "Share of claims: Medicare Part B drug claims paid short of the ASP basis.",
    "institutional_rate": "Share of claims billed on 837I by a hospital outpatient department.",
    "plb_rate": "Chance per check of a WO recoupment (L6 interest at half this).",
    "documentation_note_rate": "Share of drug claims with an NTE documentation note.",
}


def _rate_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for name in reversed(sorted(RATE_DEFAULTS)):
        command = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=click.FloatRange(0.0, 1.0),
            default=RATE_DEFAULTS[name],
            show_default=True,
            help=_RATE_HELP.get(name, ""),
        )(command)
    return command


def _weights(values: tuple[str, ...]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for value in values:
        name, sep, weight = value.partition("=")
        if not sep or name not in SCENARIOS:
            raise click.BadParameter(f"expected NAME=WEIGHT with NAME one of: {', '.join(SCENARIOS)}")
        try:
            weights[name] = float(weight)
        except ValueError as error:
            raise click.BadParameter(f"weight for {name} is not a number: {weight!r}") from error
    return weights


@click.command("generate")
@click.option(
    "--claims", type=click.IntRange(min=1), default=10_000, show_default=True, help="837 claims to generate."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Output folder."
)
@click.option(
    "--end-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=DEFAULT_END_DATE.isoformat(),
    show_default=True,
    help="Last date of service.",
)
@click.option(
    "--span-days",
    type=click.IntRange(min=1),
    default=DEFAULT_SPAN_DAYS,
    show_default=True,
    help="Days of service the claims spread over, ending at --end-date.",
)
@click.option(
    "--reference-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder with drug_reference/drug_ndcs/payers/payer_policies CSVs [default: the project's seeds/].",
)
@click.option("--claims-per-file", type=click.IntRange(min=1), default=CLAIMS_PER_FILE, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=default_workers(),
    show_default=True,
    help="Processes; output bytes do not depend on it.",
)
@click.option(
    "--scenario-weight",
    "scenario_weights",
    multiple=True,
    metavar="NAME=WEIGHT",
    help="Relative weight of a scenario within its kind (repeatable).",
)
@_rate_options
def generate_command(
    claims: int,
    seed: int,
    out_dir: Path,
    end_date: datetime,
    span_days: int,
    reference_dir: Path | None,
    claims_per_file: int,
    workers: int,
    scenario_weights: tuple[str, ...],
    **rates: float,
) -> None:
    """Synthetic 837 claims, 835 remittances and drug administrations with planted truth."""
    from denials.generate import generate  # the package imports this module: resolve at call time

    summary = generate(
        out_dir,
        claims,
        seed,
        end_date=end_date.date(),
        span_days=span_days,
        reference_dir=reference_dir,
        claims_per_file=claims_per_file,
        workers=workers,
        scenario_weights=_weights(scenario_weights),
        **rates,
    )
    counts = summary.counts
    click.echo(
        f"{counts['claims']:,} claims, {counts['lines']:,} lines, {counts['clp_segments']:,} remitted claim "
        f"payments, {counts['administrations']:,} administrations -> {summary.out_dir}"
    )
    outcomes = ", ".join(f"{name} {count:,}" for name, count in sorted(summary.outcomes.items()))
    click.echo(f"line outcomes: {outcomes}")
    click.echo(f"manifest: {summary.manifest_path}")
