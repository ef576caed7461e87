"""The scenario registry: each planted scenario is a builder registered under its name and kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from denials.generate.encounters import Context
from denials.generate.model import Claim
from denials.generate.reference import Reference

Builder = Callable[[Context], list[Claim]]
KINDS = ("clean", "denial", "overturn", "split", "secondary", "not_remitted", "prebill", "underpaid")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    kind: str
    weight: float
    build: Builder
    claims: int  # claims one build emits
    available: Callable[[Reference], bool]
    summary: str


SCENARIOS: dict[str, Scenario] = {}


def _always(_: Reference) -> bool:
    return True


def scenario(
    name: str,
    *,
    kind: str,
    weight: float = 1.0,
    claims: int = 1,
    available: Callable[[Reference], bool] = _always,
) -> Callable[[Builder], Builder]:
    """Register a builder. `available` says whether the loaded seeds can support it at all."""
    if kind not in KINDS:
        raise ValueError(f"unknown scenario kind {kind!r}")

    def register(build: Builder) -> Builder:
        if name in SCENARIOS:
            raise ValueError(f"scenario {name!r} registered twice")
        summary = (build.__doc__ or name).strip().splitlines()[0]
        SCENARIOS[name] = Scenario(name, kind, weight, build, claims, available, summary)
        return build

    return register

