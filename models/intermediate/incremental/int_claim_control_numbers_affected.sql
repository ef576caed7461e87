-- One row per patient control number (837 CLM01 = 835 CLP01) a pending file (int_files_pending) carries:
-- the partitions the incremental models rebuild on this run. Every step that can change together stays
-- within one such number: remit versions and reversal chains (claim key payer + CLP01), 837<->835 matching
-- at claim and line level, reprocessing without reversal, COB pairing across payers, and administration
-- records, which attach to dose groups of the claim with their claim_control_number (CLM01). So a late
-- remit, a late 837, a reversal, a correction or an administrations file reaches exactly these rows.
-- Payer identity and re-sent ERA detection are global: int_build_scope rebuilds everything when they change.
-- Table: every partitioned model filters its inputs with it and deletes its rows of these numbers.

with

pending_files as (
    select file_id
    from {{ ref('int_files_pending') }}
),

remit_claim_numbers as (
    select patient_control_number
    from {{ ref('stg_x12_835__claims') }}
    where file_id in (select pending_files.file_id from pending_files)
),

claim_numbers as (
    select claim_control_number as patient_control_number
    from {{ ref('stg_x12_837__claims') }}
    where file_id in (select pending_files.file_id from pending_files)
),

administration_numbers as (
    select claim_control_number as patient_control_number
    from {{ ref('stg_administrations__drug_administrations') }}
    where file_id in (select pending_files.file_id from pending_files)
),

affected_numbers as (
    select patient_control_number from remit_claim_numbers
    union
    select patient_control_number from claim_numbers
    union
    select patient_control_number from administration_numbers
)

select patient_control_number
from affected_numbers
where patient_control_number is not null
