"""What a payer should pay for a drug line, as the seeds say, and how the `underpaid` scenario falls short.

Medicare Part B pays a separately payable drug on the ASP basis (Social Security Act 1847A, seed
drug_payment_rules): the quarter's payment limit (seed drug_asp_prices, which already holds ASP + 6%)
times the paid units is the allowed amount; the deductible comes off it, then the 20% coinsurance, then
sequestration (CO-253) from what is left (cgsmedicare.com cope26401). mart_drug_underpayments expects
exactly that, so the generator prices Medicare drug lines through the same two seeds (read by
reference.py) and a clean Medicare drug line is never flagged.

A payer with a row in the user's payer_drug_contract_rates (none in the demo; a test writes one) pays
that payer's drug lines the contracted allowed per unit, less the patient's share its plan sets, and that
contract comes first, as in the mart.

An underpaid line is priced short in one of three ways payers really do it, each showing on the 835 as a
larger CO-45 (the payer's own contractual write-off), never as a denial:

- `prior_quarter_rate`: an older quarter's payment limit (prices rise, so it pays less; ASP basis only);
- `units_short`: fewer units priced than the units the remit says it paid;
- `short_payment`: a plain 5-20% short payment of the allowed amount.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

UNDERPAYMENT_CAUSES = ("prior_quarter_rate", "units_short", "short_payment")
_CENT = Decimal("0.01")


def quarter_start(on: date) -> date:
    return date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)


def _quarters_before(on: date, count: int) -> date:
    months = on.year * 12 + on.month - 1 - 3 * count
    return quarter_start(date(months // 12, months % 12 + 1, 1))


def basis_points(rate: Decimal) -> int:
    return int((rate * 10000).to_integral_value(ROUND_HALF_UP))


def dollars_to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class PaymentRule:
    """One drug_payment_rules row: a rule for a payer type over [effective_from, effective_to)."""

    name: str
    payer_type: str
    rate: Decimal | None
    carc: str
    effective_from: date
    effective_to: date | None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


@dataclass(frozen=True, slots=True)
class ContractRate:
    """One payer_drug_contract_rates row: contracted allowed per unit over [effective_from, effective_to)."""

    allowed_per_unit: Decimal
    effective_from: date
    effective_to: date | None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)


@dataclass(frozen=True, slots=True)
class PaymentBasis:
    """What a payer should pay one drug line: its allowed per unit and, on the ASP basis, the Part B
    coinsurance and sequestration rates in force (a contract leaves the patient's share to the plan)."""

    name: str  # medicare_asp | contracted_rate, as mart_drug_underpayments names them
    allowed_per_unit: Decimal
    coinsurance: Decimal = Decimal(0)
    sequestration: Decimal = Decimal(0)

    def allowed(self, units: int, per_unit: Decimal | None = None) -> int:
        """Allowed cents for `units` at the basis' rate (or another rate, for a planted short payment)."""
        return dollars_to_cents((per_unit or self.allowed_per_unit) * units)

    def expected_paid(self, units: int, deductible_cents: int, patient_cents: int) -> Decimal:
        """The payment in dollars, unrounded. On the ASP basis: (limit x units - deductible) x (1 -
        coinsurance) x (1 - sequestration), the order the statute and the MACs give (seed
        drug_payment_rules); on a contract: contracted allowed x units less the patient's share (PR)."""
        if self.name == "contracted_rate":
            return self.allowed_per_unit * units - Decimal(patient_cents) / 100
        deductible = Decimal(deductible_cents) / 100
        return (
            (self.allowed_per_unit * units - deductible) * (1 - self.coinsurance) * (1 - self.sequestration)
        )


@dataclass(frozen=True, slots=True)
class DrugPayment:
    """drug_asp_prices (payment limit per billing unit, by code and quarter), drug_payment_rules, and the
    user's payer_drug_contract_rates (by payer and code; the demo's seed has none)."""

    asp_limits: dict[tuple[str, date], Decimal] = field(default_factory=dict)
    rules: tuple[PaymentRule, ...] = ()
    contracts: dict[tuple[str, str], tuple[ContractRate, ...]] = field(default_factory=dict)

    def rate(self, name: str, payer_type: str, on: date) -> Decimal | None:
        """The rate of a rule for a payer type in force on a date; None when no such rule is in force."""
        for rule in self.rules:
            if rule.name == name and rule.payer_type == payer_type and rule.in_force(on):
                return rule.rate
        return None

    def asp_limit(self, payer_type: str, hcpcs: str, on: date) -> Decimal | None:
        """Allowed per unit on the ASP basis: the quarter's payment limit x the rule's multiplier; None
        when the payer type has no ASP rule in force or the seed has no price for that quarter."""
        multiplier = self.rate("asp_payment_limit", payer_type, on)
        price = self.asp_limits.get((hcpcs, quarter_start(on)))
        return None if multiplier is None or price is None else price * multiplier

    def basis(self, payer_id: str, payer_type: str, hcpcs: str, on: date) -> PaymentBasis | None:
        """The payer's contract for the code where one is in force, else the ASP basis, else None (priced
        on a share of the charge), in the precedence mart_drug_underpayments gives them."""
        for contract in self.contracts.get((payer_id, hcpcs), ()):
            if contract.in_force(on):
                return PaymentBasis("contracted_rate", contract.allowed_per_unit)
        limit = self.asp_limit(payer_type, hcpcs, on)
        if limit is None:
            return None
        return PaymentBasis(
            "medicare_asp",
            limit,
            coinsurance=self.rate("coinsurance", payer_type, on) or Decimal(0),
            sequestration=self.rate("sequestration", payer_type, on) or Decimal(0),
        )

    def pays_on_a_basis(self, payer_id: str, payer_type: str) -> bool:
        """Does this payer have a contract or an ASP rule, i.e. can one of its drug lines be underpaid?"""
        return payer_type in self.asp_payer_types() or any(key[0] == payer_id for key in self.contracts)

    def asp_payer_types(self) -> frozenset[str]:
        return frozenset(rule.payer_type for rule in self.rules if rule.name == "asp_payment_limit")

    @property
    def shortfall_tolerance(self) -> Decimal:
        """Dollars a shortfall must exceed before the warehouse counts it as an underpayment."""
        rates = [rule.rate for rule in self.rules if rule.name == "shortfall_tolerance"]
        return max((rate for rate in rates if rate is not None), default=Decimal(0))


def short_allowed(
    cause: str, basis: PaymentBasis, payment: DrugPayment, payer_type: str, hcpcs: str, on: date, units: int,
    rng: random.Random,
) -> tuple[str, int]:
    """The allowed cents an underpaid line is priced at, and the cause that priced it.

    An older quarter's rate applies to the ASP basis only; with no older price, or none lower, the line
    gets a plain short payment instead.
    """
    if cause == "prior_quarter_rate":
        older = None
        if basis.name == "medicare_asp":
            older = payment.asp_limit(payer_type, hcpcs, _quarters_before(on, rng.randint(2, 6)))
        if older is not None and older < basis.allowed_per_unit:
            return cause, basis.allowed(units, older)
        cause = "short_payment"
    if cause == "units_short" and units > 1:
        short = max(1, units * rng.randint(5, 20) // 100)
        return cause, basis.allowed(units - short)
    return "short_payment", basis.allowed(units) * (100 - rng.randint(5, 20)) // 100
