"""Names shared by the loader, the generator and the models (docs/contracts.md says what they mean)."""

# The drug-administrations CSV, in the order the generator writes it (the loader accepts any order).
ADMINISTRATION_COLUMNS = (
    "administration_id",
    "claim_control_number",
    "line_control_number",
    "hcpcs_code",
    "ndc",
    "administered_amount",
    "administered_unit",
    "wasted_amount",
    "patient_weight_kg",
    "administered_at",
)
