"""837 staging over the public 837 samples, against an independent walk of their hierarchy.

What every claim should get is read from each file as the guide nests it (TR3 2.3.2.1): a claim belongs
to the last HL before its CLM; a level's parent is the level its HL02 names, which must come before it;
the payer (NM1*PR) sits in the subscriber level (HL03 22, the claim's own level or its parent) and the
billing provider (NM1*85) in the subscriber level's parent. Many public files (imsweb's, among them
x12_many_claims.txt with 820 claims) number each billing provider's levels from 1 again in one
transaction set, so "the level HL02 names" is the nearest earlier one with that HL01. Their claims must
each come out once, with their own levels' payer and provider.

A hand-written file adds what none of the samples has: two billing providers in one transaction set,
both numbered HL*1, with patient levels under subscribers, each with its own NPI, payer and birth date.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from denials.ingest import ingest_paths
from tests.generate.x12_split import interchanges
from tests.models.dbt_helpers import query, run_dbt

pytestmark = pytest.mark.slow

SELECTION = ["staging.x12_837", "stg_raw__x12_segments"]


@dataclass
class Level:
    code: str | None
    parent: Level | None
    names: dict[str, list[str]] = field(default_factory=dict)  # NM101 -> the first NM1 with it
    birth_date: str | None = None
    has_dmg: bool = False

    @property
    def subscriber(self) -> Level | None:
        return self if self.code == "22" else self.parent

    def first(self, entity: str, index: int) -> str | None:
        elements = self.names.get(entity)
        return (elements[index] or None) if elements is not None and len(elements) > index else None


@dataclass(frozen=True)
class ExpectedClaim:
    claim_control_number: str
    payer_name: str | None
    billing_provider_npi: str | None
    birth_date: str | None


def expected_claims(path: Path) -> list[ExpectedClaim]:
    claims: list[ExpectedClaim] = []
    for interchange in interchanges(path, encoding="latin-1", lenient=True):
        in_837 = False
        by_id: dict[str, Level] = {}
        level: Level | None = None
        in_claim = False
        for elements in interchange.segments:
            segment = elements[0]
            if segment == "ST":
                in_837 = len(elements) > 1 and elements[1] == "837"
                by_id, level, in_claim = {}, None, False
            elif not in_837:
                continue
            elif segment == "HL":
                parent = by_id.get(at(elements, 2) or "")
                level = Level(code=at(elements, 3), parent=parent)
                by_id[at(elements, 1) or ""] = level
                in_claim = False
            elif segment == "NM1" and level is not None and not in_claim and len(elements) > 1:
                level.names.setdefault(elements[1], elements)
            elif segment == "DMG" and level is not None and not in_claim and not level.has_dmg:
                level.has_dmg = True  # the first DMG speaks; a date only in the D8 format (CCYYMMDD)
                level.birth_date = calendar_date(at(elements, 2)) if at(elements, 1) == "D8" else None
            elif segment == "CLM" and level is not None:
                in_claim = True
                subscriber = level.subscriber
                billing = subscriber.parent if subscriber is not None else None
                npi = None
                if billing is not None and billing.first("85", 8) == "XX":
                    npi = billing.first("85", 9)
                claims.append(ExpectedClaim(
                    claim_control_number=elements[1],
                    payer_name=subscriber.first("PR", 3) if subscriber is not None else None,
                    billing_provider_npi=npi,
                    birth_date=level.birth_date,
                ))
    return claims


def calendar_date(text: str | None) -> str | None:
    """CCYYMMDD when it is a date on the calendar (pyx12's bad_elements.txt has a 13th month)."""
    try:
        return datetime.strptime(text or "", "%Y%m%d").strftime("%Y%m%d")
    except ValueError:
        return None


def at(elements: list[str], index: int) -> str | None:
    return (elements[index] or None) if len(elements) > index else None


def x12_file(segments: list[str]) -> str:
    """An 837P interchange around `segments` (one transaction set), with the trailer counts right."""
    isa = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *261201*1200*^*00501*"
           "000000001*0*P*:")
    body = ["ST*837*0001*005010X222A1", "BHT*0019*00*REF1*20261201*1200*CH", *segments]
    body.append(f"SE*{len(body) + 1}*0001")
    return "~\n".join([isa, "GS*HC*SUBMITTER*RECEIVER*20261201*1200*1*X*005010X222A1", *body,
                       "GE*1*1", "IEA*1*000000001"]) + "~\n"


def provider_levels(npi: str, payer: str, claims: list[tuple[str, str]]) -> list[str]:
    """A billing provider level numbered HL*1, its subscriber HL*2 and, per claim, a patient level
    (HL*3, HL*4, ...) with its own birth date: the numbering restarts for every provider."""
    segments = ["HL*1**20*1", f"NM1*85*2*CLINIC*****XX*{npi}",
                "HL*2*1*22*1", "SBR*P*18*GROUP******CI", "NM1*IL*1*DOE*JANE****MI*M1",
                f"NM1*PR*2*{payer}*****PI*{payer[:5]}"]
    for number, (control_number, birth_date) in enumerate(claims, start=3):
        segments += [f"HL*{number}*2*23*0", "PAT*19", "NM1*QC*1*DOE*KID", f"DMG*D8*{birth_date}*F",
                     f"CLM*{control_number}*100***11:B:1*Y*A*Y*Y", "HI*ABK:D66",
                     "LX*1", "SV1*HC:J7189*100*UN*1***1"]
    return segments


@pytest.fixture(scope="module")
def built(samples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("public837")
    handmade = tmp / "handmade" / "two-providers-numbered-alike.837"
    handmade.parent.mkdir()
    handmade.write_text(x12_file(
        provider_levels("1111111112", "FIRST PAYER", [("A1", "20100101"), ("A2", "20120202")])
        + provider_levels("2222222224", "SECOND PAYER", [("B1", "20140303")])
    ))
    warehouse = tmp / "warehouse.duckdb"
    report = ingest_paths([samples_dir, handmade.parent], warehouse)
    run_dbt(["build", "--select", *SELECTION, "--quiet"], warehouse, tmp)
    loaded = {outcome.source_path: outcome for outcome in report.files if outcome.status == "loaded"}
    return {"warehouse": warehouse, "loaded": loaded, "handmade": handmade}


def staged_claims(warehouse: Path) -> dict[str, Counter]:
    rows = query(warehouse, """
        select registry.source_path, claims.claim_control_number, claims.payer_name,
            claims.billing_provider_npi, strftime(patients.patient_birth_date, '%Y%m%d')
        from staging.stg_x12_837__claims as claims
        inner join raw.file_registry as registry on claims.file_id = registry.file_id
        left join staging.stg_x12_837__patients as patients on claims.claim_id = patients.claim_id
    """)
    by_file: dict[str, Counter] = {}
    for source_path, *claim in rows:
        by_file.setdefault(source_path, Counter())[ExpectedClaim(*claim)] += 1
    return by_file


def test_every_claim_gets_its_own_levels_once(built: dict) -> None:
    staged = staged_claims(built["warehouse"])
    expected = {path: Counter(expected_claims(Path(path))) for path in built["loaded"]}
    expected = {path: claims for path, claims in expected.items() if claims}
    # the files whose levels repeat HL01 are in the comparison, the largest among them
    assert sum(expected[path].total() for path in expected if path.endswith("x12_many_claims.txt")) == 820
    assert set(staged) == set(expected)
    for path, claims in expected.items():
        assert staged[path] == claims, path


def test_two_providers_numbered_alike_keep_their_own_npi_payer_and_patients(built: dict) -> None:
    staged = staged_claims(built["warehouse"])[str(built["handmade"])]
    assert staged == Counter([
        ExpectedClaim("A1", "FIRST PAYER", "1111111112", "20100101"),
        ExpectedClaim("A2", "FIRST PAYER", "1111111112", "20120202"),
        ExpectedClaim("B1", "SECOND PAYER", "2222222224", "20140303"),
    ])
    providers = query(built["warehouse"], f"""
        select claims.claim_control_number, providers.party_role, providers.npi, providers.organization_name
        from staging.stg_x12_837__claim_providers as providers
        inner join staging.stg_x12_837__claims as claims on providers.claim_id = claims.claim_id
        inner join raw.file_registry as registry on claims.file_id = registry.file_id
        where registry.source_path = '{built["handmade"]}'
        order by 1, 2
    """)
    assert providers == [
        ("A1", "billing_provider", "1111111112", "CLINIC"), ("A1", "payer", None, "FIRST PAYER"),
        ("A2", "billing_provider", "1111111112", "CLINIC"), ("A2", "payer", None, "FIRST PAYER"),
        ("B1", "billing_provider", "2222222224", "CLINIC"), ("B1", "payer", None, "SECOND PAYER"),
    ]


def test_the_loader_warns_of_repeated_hl01_naming_the_first(built: dict) -> None:
    handmade = built["loaded"][str(built["handmade"])]
    # segments: ISA 1, GS 2, ST 3, BHT 4; the first provider's levels take 6 + 2 x 8 = 22 segments, so its
    # second billing provider HL*1 is segment 5 + 22 = 27; HL*1, HL*2 and HL*3 repeat there
    [warning] = [text for text in handmade.warnings if "HL01" in text]
    assert warning.startswith("3 HL segment(s) repeat the HL01 of an earlier level")
    assert "(first at segment 27)" in warning
    unique_ids = [outcome for path, outcome in built["loaded"].items()
                  if path.endswith("LinuxForHealth__x12/two-claims-same-provider.837")]
    assert unique_ids and not any("HL01" in text for text in unique_ids[0].warnings)
