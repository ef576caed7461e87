"""Run a generation: chunks of claims streamed to disk, then the truth files and the manifest.

The run is cut into chunks of `claims_per_file` claims. A chunk owns its random stream (seeded from
the run seed and its number), its block of control numbers and its output files, so chunks can be
generated in any order or in parallel and the bytes are always the same. Inside a chunk, claims are
built one group at a time and written as they go: 837 text per submission batch, 835 text per
payment cycle, truth and administration rows immediately. Only one batch is held in memory.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import random
import shutil
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from denials.generate import catalog, x12_835, x12_837
from denials.generate.adjudicate import adjudicate
from denials.generate.encounters import Context
from denials.generate.envelope import ControlNumbers
from denials.generate.model import Claim
from denials.generate.reference import Reference, load_reference
from denials.generate.scenarios import SCENARIOS, Scenario
from denials.generate.truth import ADMINISTRATION_HEADER, TRUTH_HEADER, Tally, administration_rows, truth_rows

RATE_DEFAULTS: dict[str, float] = {
    # Share of claim groups planted with a denial scenario; with about half of a denied claim's
    # lines denied this lands near 10% of lines denied, the commonly reported industry level.
    "denial_rate": 0.15,
    "not_remitted_rate": 0.08,
    # Of the unremitted claims, the share carrying a problem a pre-bill rule should catch.
    "prebill_problem_share": 0.4,
    "reversal_rate": 0.015,
    "split_rate": 0.01,
    "secondary_rate": 0.04,
    # Medicare Part B drug claims paid short of the ASP basis (the underpaid scenario).
    "underpayment_rate": 0.03,
    "institutional_rate": 0.15,
    # Per check: chance of an overpayment recovery (WO); interest (L6) at half this rate.
    "plb_rate": 0.06,
    "documentation_note_rate": 0.3,
}
KIND_RATES: dict[str, str] = {
    "denial": "denial_rate",
    "overturn": "reversal_rate",
    "split": "split_rate",
    "secondary": "secondary_rate",
    "underpaid": "underpayment_rate",
}
# Reprocessing without reversal: the remit value and the CLP07 version the later adjudication carries.
REPROCESSED: dict[str, int] = {"reprocess_same_icn": 0, "reprocess_new_icn": 1}
DEFAULT_END_DATE = date(2025, 6, 30)
DEFAULT_SPAN_DAYS = 365
CLAIMS_PER_FILE = 50_000
CLAIMS_PER_BATCH = 1_000
_BATCH_DAYS = 7
_NUMBER_BLOCK = 100_000  # control numbers per chunk; ISA13 has 9 digits, so up to 9,999 chunks


@dataclass(frozen=True, slots=True)
class Settings:
    out_dir: Path
    claims: int
    seed: int
    end_date: date
    span_days: int
    reference_dir: Path | None
    claims_per_file: int
    claims_per_batch: int
    rates: dict[str, float]
    scenario_weights: dict[str, float]

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.span_days - 1)


@dataclass(slots=True)
class FileInfo:
    path: str  # relative to the output directory, with forward slashes
    bytes: int
    sha256: str


@dataclass(slots=True)
class ChunkResult:
    index: int
    tally: Tally
    files: list[FileInfo]
    parts: tuple[Path, Path]  # administration and truth rows, merged in chunk order


@dataclass(frozen=True, slots=True)
class GenerationSummary:
    out_dir: Path
    seed: int
    claims: int
    lines: int
    administrations: int
    files: tuple[Path, ...]
    scenario_claims: dict[str, int]
    outcomes: dict[str, int]
    manifest_path: Path
    counts: dict[str, int] = field(default_factory=dict)


def resolve_rates(overrides: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(overrides) - set(RATE_DEFAULTS))
    if unknown:
        raise TypeError(f"unknown rate(s) {', '.join(unknown)}; known: {', '.join(sorted(RATE_DEFAULTS))}")
    rates = {**RATE_DEFAULTS, **{key: float(value) for key, value in overrides.items()}}
    for key, value in rates.items():
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{key} must be between 0 and 1, got {value}")
    return rates


def scenario_table(
    rates: dict[str, float], weights: dict[str, float], reference: Reference
) -> tuple[list[float], list[Scenario], list[str]]:
    """Cumulative probabilities over available scenarios, and the names the seeds cannot support."""
    unknown = sorted(set(weights) - set(SCENARIOS))
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}")
    available = [s for s in SCENARIOS.values() if s.available(reference)]
    unavailable = sorted(s.name for s in SCENARIOS.values() if not s.available(reference))
    kind_rate = {kind: rates[key] for kind, key in KIND_RATES.items()}
    kind_rate["not_remitted"] = rates["not_remitted_rate"] * (1 - rates["prebill_problem_share"])
    kind_rate["prebill"] = rates["not_remitted_rate"] * rates["prebill_problem_share"]
    kind_rate["clean"] = 1.0 - sum(kind_rate.values())
    if kind_rate["clean"] < 0:
        raise ValueError("rates add up to more than 1: nothing is left for clean claims")
    weight_of = {s.name: float(weights.get(s.name, s.weight)) for s in available}
    kind_weight: Counter[str] = Counter()
    for s in available:
        kind_weight[s.kind] += weight_of[s.name]
    cumulative: list[float] = []
    chosen: list[Scenario] = []
    total = 0.0
    for s in available:
        if weight_of[s.name] <= 0 or kind_weight[s.kind] <= 0:
            continue
        total += kind_rate[s.kind] * weight_of[s.name] / kind_weight[s.kind]
        cumulative.append(total)
        chosen.append(s)
    return cumulative, chosen, unavailable


def _id_prefix(seed: int) -> str:
    # Letters only, so claim ids from different seeds differ and the digits after them are the ordinal.
    value = seed * 2654435761 % 26**3
    return "".join(chr(65 + (value // 26**power) % 26) for power in (2, 1, 0))


def _components(reference: Reference, chunk: int) -> dict[str, str]:
    # Every third 835 file uses '>' as its component separator (Stedi's guide does), so readers must
    # honour ISA16 rather than assume ':'. One separator per file: pyx12, like many tools, reads the
    # delimiters of a file's first ISA only, although X12 lets each interchange declare its own.
    separator = ">" if chunk % 3 == 1 else ":"
    return {payer_id: separator for payer_id in reference.payers}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _ChunkWriter:
    """Generates one chunk: its 837 file, its 835 file, and its truth/administration parts."""

    def __init__(self, settings: Settings, index: int, first_ordinal: int, count: int) -> None:
        self.settings = settings
        self.index = index
        self.count = count
        self.first_ordinal = first_ordinal
        self.reference = load_reference(settings.reference_dir)
        self.rng = random.Random(f"{settings.seed}:chunk:{index}")
        self.prefix = _id_prefix(settings.seed)
        self.ctx = Context(
            rng=self.rng,
            reference=self.reference,
            seed=settings.seed,
            id_prefix=self.prefix,
            first_ordinal=first_ordinal,
            total_claims=settings.claims,
            start_date=settings.start_date,
            span_days=settings.span_days,
            rates=settings.rates,
        )
        self.cumulative, self.scenarios, _ = scenario_table(
            settings.rates, settings.scenario_weights, self.reference
        )
        self.fallback = SCENARIOS["clean"]
        self.components = _components(self.reference, index)
        self.provider_index = {provider.npi: i for i, provider in enumerate(catalog.PROVIDERS)}
        self.tally = Tally()
        self.batch837 = x12_837.Batch837()
        self.batch835 = x12_835.Batch835()
        self.numbers837 = ControlNumbers(index * _NUMBER_BLOCK)
        self.numbers835 = ControlNumbers(index * _NUMBER_BLOCK)
        self.pending: list[tuple[int, str, date, int, tuple[str, int, int, int], str]] = []
        self.batch_number = 0
        self.min_turnaround = min(pricing.turnaround_days[0] for pricing in catalog.PAYER_PRICING.values())

    # ------------------------------------------------------------------ claims

    def _pick(self, remaining: int) -> Scenario:
        for _ in range(20):
            position = bisect.bisect_right(self.cumulative, self.rng.random())
            picked = self.scenarios[position] if position < len(self.scenarios) else self.fallback
            if picked.claims <= remaining:
                return picked
        return self.fallback

    def _payer_claim_number(self, claim: Claim, version: int) -> str:
        received = claim.claim_date + timedelta(days=1)
        return f"{received:%y%j}{claim.submission_id[len(self.prefix) :]}{version}"

    def _remit(self, claim: Claim, provider_index: int) -> None:
        rng = self.rng
        pricing = catalog.PAYER_PRICING.get(claim.payer.payer_type, catalog.DEFAULT_PRICING)
        cs = self.components[claim.payer.payer_id]
        claim.payer_claim_number = self._payer_claim_number(claim, 0)
        adjudicate(claim, rng, self.reference.payment)
        first = x12_835.render_claim(claim, cs)
        paid_on = claim.claim_date + timedelta(days=rng.randint(*pricing.turnaround_days))
        self.batch835.add(claim.payer.payer_id, paid_on, provider_index, first, claim.claim_id)
        self.tally.segments["CLP"] += 1
        self.tally.segments["SVC"] += first[3]
        if claim.remit not in ("overturn", *REPROCESSED):
            return
        claim.original_denials = {i: line.denial for i, line in enumerate(claim.lines) if line.denial}
        for line in claim.lines:
            line.denial = None
        if claim.remit == "overturn":
            # The reversal resends the first adjudication negated; the correction pays the lines.
            # Both travel together in a later 835, reversal first (TR3 1.10.2.8).
            claim.claim_remarks = [*claim.claim_remarks, "N690"]  # alert: reversal due to provider appeal
            reversal = x12_835.render_claim(claim, cs, sign=-1, status="22")
            claim.payer_claim_number = self._payer_claim_number(claim, 1)
            adjudicate(claim, rng, self.reference.payment)
            correction = x12_835.render_claim(claim, cs)
            combined = (
                reversal[0] + correction[0],
                reversal[1] + correction[1],
                reversal[2] + correction[2],
                reversal[3] + correction[3],
            )
        else:
            # Reprocessed without a reversal: the later 835 carries the new adjudication alone, under the
            # first CLP07 or a new one, as payers do when they re-adjudicate on their own initiative.
            claim.payer_claim_number = self._payer_claim_number(claim, REPROCESSED[claim.remit])
            adjudicate(claim, rng, self.reference.payment)
            combined = x12_835.render_claim(claim, cs)
        later = x12_835.check_date(paid_on) + timedelta(days=rng.randint(21, 70))
        due = self.batch_number + rng.randint(1, 3)
        self.pending.append((due, claim.payer.payer_id, later, provider_index, combined, claim.claim_id))
        self.tally.segments["CLP"] += 2 if claim.remit == "overturn" else 1
        self.tally.segments["SVC"] += combined[3]

    def _emit(self, claim: Claim, admin_out: TextIO, truth_out: TextIO) -> None:
        provider_index = self.provider_index[claim.provider.npi]
        if claim.remit != "none":
            self._remit(claim, provider_index)
        text, segments = x12_837.render_claim(claim)
        self.batch837.add(claim, provider_index, text, segments)
        admin_out.writelines(administration_rows(claim, self.tally))
        truth_out.writelines(truth_rows(claim, self.tally))

    # ------------------------------------------------------------------ batches

    def _flush(
        self, batch: list[Claim], files: tuple[TextIO, TextIO, TextIO, TextIO], *, final: bool
    ) -> None:
        """Submit a batch: its claims share the batch's submission date, then get remitted."""
        out837, out835, admin_out, truth_out = files
        if batch:
            submitted = max(claim.claim_date for claim in batch)
            for claim in batch:
                claim.claim_date = submitted
                self._emit(claim, admin_out, truth_out)
        self.tally.segments["ST_837"] += self.batch837.write(out837, catalog.PROVIDERS, self.numbers837)
        self.batch837 = x12_837.Batch837()
        keep = []
        for item in self.pending:
            due, payer_id, on, provider_index, loop, claim_id = item
            if final or due <= self.batch_number:
                self.batch835.add(payer_id, on, provider_index, loop, claim_id)
            else:
                keep.append(item)
        self.pending = keep
        # No claim still to come can be paid sooner than this, so checks dated before it are complete.
        close_before = None if final else self.ctx.nominal_date + timedelta(days=self.min_turnaround + 1)
        if len(self.batch835):
            counts = self.batch835.write(
                out835,
                payers=self.reference.payers,
                providers=catalog.PROVIDERS,
                components=self.components,
                numbers=self.numbers835,
                rng=self.rng,
                plb_rate=self.settings.rates["plb_rate"],
                trace_prefix=f"{self.index + 1:04d}",
                close_before=close_before,
            )
            self.tally.segments["ST_835"] += counts["transactions"]
            self.tally.segments["ISA_835"] += counts["interchanges"]
            self.tally.segments["PLB"] += counts["plb_segments"]
        self.batch_number += 1

    def run(self) -> ChunkResult:
        settings = self.settings
        out = settings.out_dir
        name = f"{self.index + 1:04d}"
        path837 = out / "837" / f"claims_{name}.837"
        path835 = out / "835" / f"remits_{name}.835"
        parts = out / ".parts"
        admin_part = parts / f"administrations_{name}.csv"
        truth_part = parts / f"truth_{name}.csv"
        buffer = 1 << 20
        with (
            path837.open("w", encoding="ascii", newline="", buffering=buffer) as out837,
            path835.open("w", encoding="ascii", newline="", buffering=buffer) as out835,
            admin_part.open("w", encoding="utf-8", newline="", buffering=buffer) as admin_out,
            truth_part.open("w", encoding="utf-8", newline="", buffering=buffer) as truth_out,
        ):
            files = (out837, out835, admin_out, truth_out)
            batch: list[Claim] = []
            window_start = date.min
            emitted = 0
            while emitted < self.count:
                self.ctx.begin_group(self.first_ordinal + emitted)
                # A billing run goes out at least weekly, or sooner when it is full.
                if batch and (
                    len(batch) >= settings.claims_per_batch
                    or (self.ctx.nominal_date - window_start).days >= _BATCH_DAYS
                ):
                    self._flush(batch, files, final=False)
                    batch = []
                if not batch:
                    window_start = self.ctx.nominal_date
                for claim in self._pick(self.count - emitted).build(self.ctx):
                    for number, line in enumerate(claim.lines, 1):
                        line.control_number = f"{claim.submission_id}-{number}"
                    for number, dose in enumerate(claim.doses, 1):
                        dose.administration_id = f"{claim.submission_id}-A{number}"
                    batch.append(claim)
                    emitted += 1
            self._flush(batch, files, final=True)
        files_written = [
            FileInfo(path.relative_to(out).as_posix(), path.stat().st_size, _sha256(path))
            for path in (path837, path835)
        ]
        return ChunkResult(self.index, self.tally, files_written, (admin_part, truth_part))


def _run_chunk(job: tuple[Settings, int, int, int]) -> ChunkResult:
    settings, index, first, count = job
    return _ChunkWriter(settings, index, first, count).run()


def _merge(parts: list[Path], header: str, target: Path) -> None:
    with target.open("wb") as out:
        out.write(header.encode("utf-8"))
        for part in parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)


def run(settings: Settings, workers: int = 1) -> GenerationSummary:
    if settings.claims < 1:
        raise ValueError("claims must be at least 1")
    reference = load_reference(settings.reference_dir)
    _, _, unavailable = scenario_table(settings.rates, settings.scenario_weights, reference)
    out = settings.out_dir
    for folder in ("837", "835", "administrations", "truth", ".parts"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    # A previous, larger run into the same folder would leave files this run's manifest does not
    # list, and a loader pointed at the folder would ingest them; only our own names are removed.
    for stale in (*(out / "837").glob("claims_*.837"), *(out / "835").glob("remits_*.835")):
        stale.unlink()
    jobs = []
    for index, first in enumerate(range(0, settings.claims, settings.claims_per_file)):
        jobs.append((settings, index, first, min(settings.claims_per_file, settings.claims - first)))
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            results = list(pool.map(_run_chunk, jobs))
    else:
        results = [_run_chunk(job) for job in jobs]

    tally = Tally()
    for result in results:
        tally.merge(result.tally)
    admin_path = out / "administrations" / "administrations.csv"
    truth_path = out / "truth" / "truth_lines.csv"
    _merge([r.parts[0] for r in results], ADMINISTRATION_HEADER, admin_path)
    _merge([r.parts[1] for r in results], TRUTH_HEADER, truth_path)
    shutil.rmtree(out / ".parts")

    files = [info for result in results for info in result.files]
    files += [
        FileInfo(path.relative_to(out).as_posix(), path.stat().st_size, _sha256(path))
        for path in (admin_path, truth_path)
    ]
    counts = {
        "claims": sum(tally.scenario_claims.values()),
        "lines": sum(tally.scenario_lines.values()),
        "administrations": tally.administrations,
        "clp_segments": tally.segments["CLP"],
        "svc_segments": tally.segments["SVC"],
        "plb_segments": tally.segments["PLB"],
        "transactions_837": tally.segments["ST_837"],
        "transactions_835": tally.segments["ST_835"],
        "interchanges_835": tally.segments["ISA_835"],
    }
    manifest = {
        "generator": "denials.generate",
        "format_version": 1,
        "seed": settings.seed,
        "claims": settings.claims,
        "parameters": {
            "end_date": settings.end_date.isoformat(),
            "span_days": settings.span_days,
            "claims_per_file": settings.claims_per_file,
            "claims_per_batch": settings.claims_per_batch,
            "rates": settings.rates,
            "scenario_weights": {
                s.name: settings.scenario_weights.get(s.name, s.weight) for s in SCENARIOS.values()
            },
        },
        "reference_files": reference.fingerprints,
        "counts": counts,
        "scenarios": {
            s.name: {
                "kind": s.kind,
                "claims": tally.scenario_claims.get(s.name, 0),
                "lines": tally.scenario_lines.get(s.name, 0),
            }
            for s in SCENARIOS.values()
        },
        "unavailable_scenarios": unavailable,
        "outcomes": dict(sorted(tally.outcomes.items())),
        "denial_categories": dict(sorted(tally.categories.items())),
        "files": [{"path": f.path, "bytes": f.bytes, "sha256": f.sha256} for f in files],
    }
    manifest_path = out / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return GenerationSummary(
        out_dir=out,
        seed=settings.seed,
        claims=counts["claims"],
        lines=counts["lines"],
        administrations=tally.administrations,
        files=tuple(out / f.path for f in files) + (manifest_path,),
        scenario_claims=dict(tally.scenario_claims),
        outcomes=dict(tally.outcomes),
        manifest_path=manifest_path,
        counts=counts,
    )


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))
