"""Synthetic claims, remittances and drug administrations with planted truth.

`generate()` writes DIR/837/*.837, DIR/835/*.835, DIR/administrations/administrations.csv,
DIR/truth/truth_lines.csv and DIR/manifest.json; `generate_command` is the click command for
`denials generate`. Same arguments, same bytes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from denials.generate.cli import generate_command
from denials.generate.engine import (
    CLAIMS_PER_BATCH,
    CLAIMS_PER_FILE,
    DEFAULT_END_DATE,
    DEFAULT_SPAN_DAYS,
    RATE_DEFAULTS,
    GenerationSummary,
    Settings,
    resolve_rates,
    run,
)
from denials.generate.scenarios import SCENARIOS


def generate(
    out_dir: Path,
    claims: int,
    seed: int,
    *,
    end_date: date | str = DEFAULT_END_DATE,
    span_days: int = DEFAULT_SPAN_DAYS,
    reference_dir: Path | str | None = None,
    claims_per_file: int = CLAIMS_PER_FILE,
    claims_per_batch: int = CLAIMS_PER_BATCH,
    workers: int = 1,
    scenario_weights: dict[str, float] | None = None,
    **rates: Any,
) -> GenerationSummary:
    """Generate `claims` 837 claims and everything that follows from them into `out_dir`.

    `rates` override `RATE_DEFAULTS` (e.g. `denial_rate=0.2`); `scenario_weights` change the mix
    within a scenario kind. `workers` only changes speed, never the output.
    """
    settings = Settings(
        out_dir=Path(out_dir),
        claims=int(claims),
        seed=int(seed),
        end_date=date.fromisoformat(end_date) if isinstance(end_date, str) else end_date,
        span_days=int(span_days),
        reference_dir=Path(reference_dir) if reference_dir is not None else None,
        claims_per_file=int(claims_per_file),
        claims_per_batch=int(claims_per_batch),
        rates=resolve_rates(rates),
        scenario_weights=dict(scenario_weights or {}),
    )
    return run(settings, workers=workers)


__all__ = ["RATE_DEFAULTS", "SCENARIOS", "GenerationSummary", "generate", "generate_command"]
