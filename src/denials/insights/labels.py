"""Words for codes: category names and descriptions, CARC/RARC descriptions, column titles.

Descriptions come from the reference seeds (reference.denial_categories, carc_codes, rarc_codes) of the
published database; a code's name is its snake_case spelled as words, with X12 and billing acronyms in
capitals, so a new category or root cause in a seed reads well without a change here.
"""

from __future__ import annotations

import duckdb

ACRONYMS = {"jw", "jz", "ndc", "iu", "npi", "carc", "rarc", "hcpcs", "id", "asp"}

COLUMN_TITLES = {
    "kpi_month": "Month", "payer_name": "Payer", "payer_type": "Payer type", "drug_code": "HCPCS",
    "product_name": "Product", "procedure_code": "HCPCS", "procedure_modifiers": "Modifiers",
    "billing_provider_npi": "Billing NPI", "service_date": "Service date",
    "first_remit_date": "First remit", "denial_remit_date": "Denial remit",
    "claim_control_number": "Claim no.", "line_control_number": "Line no.", "line_number": "Line",
    "denial_category": "Category", "category": "Category", "reason": "Reason",
    "primary_group_code": "Group", "primary_carc_code": "CARC", "primary_rarc_code": "RARC",
    "carc_description": "CARC meaning", "rarc_description": "RARC meaning",
    "billed_amount": "Billed", "paid_amount": "Paid", "initial_denied_amount": "Initially denied",
    "denied_amount": "Still denied", "final_denied_amount": "Still denied",
    "recoverable_amount": "Recoverable", "dollars_at_stake": "$ at stake", "dollars_at_risk": "$ at risk",
    "appeal_deadline": "Appeal deadline", "days_left": "Days left", "final_status": "Status",
    "units_billed": "Units billed", "billed_units": "Units billed",
    "expected_billed_units": "Units expected", "root_cause": "Root cause",
    "rule_name": "Rule", "rule_detail": "Detail", "diagnosis_label_status": "Diagnosis vs label",
    "principal_diagnosis_code": "Principal dx", "diagnosis_codes": "Diagnoses", "has_note": "Note sent",
    "has_documentation_rarc": "Documentation RARC", "policy_requires_auth": "Policy requires auth",
    "auth_number_location": "Auth number sent", "auth_issue": "Auth issue",
    "remit_file_id": "Remit file", "remit_segment_position": "Remit segment",
    "claim_file_id": "837 file", "claim_segment_position": "837 segment",
    "adjudicated_lines": "Lines", "lines": "Lines", "denied_lines": "Denied lines",
    "initial_denial_rate": "Denial rate", "initial_denial_rate_dollars": "Denial rate ($)",
    "first_pass_yield": "First-pass yield", "denial_overturn_rate": "Overturn rate",
    "avoidable_denial_share": "Avoidable share", "avg_days_service_to_payment": "Days to payment",
    "trailing_rate": "Trailing 3 months", "latest_rate": "Latest month", "drift": "Drift",
    "payer_rank": "Rank in payer", "worklist_rank": "Rank", "underbilled_amount": "Left unbilled",
    "segment_position": "Position", "segment_id": "Segment", "loop_id": "Loop",
    "segment_text": "Segment as received",
}


def words(code: object) -> str:
    """`coordination_of_benefits` -> `Coordination of benefits`; `waste_without_jw` -> `Waste without JW`."""
    if code is None or code == "":
        return "Unknown"
    parts = str(code).split("_")
    spelled = [part.upper() if part in ACRONYMS else part for part in parts]
    first = spelled[0]
    spelled[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(spelled)


def title(column: str) -> str:
    return COLUMN_TITLES.get(column, words(column))


def category_descriptions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute("select denial_category, description from reference.denial_categories").fetchall()
    return {code: description for code, description in rows}


def category_labels(codes: list[str]) -> dict[str, str]:
    return {code: words(code) for code in codes}
