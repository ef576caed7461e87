{#- Helpers for the marts (models/marts/). Thresholds live here, overridable with `--vars`, so the
    rules that explain denials are reviewed in one place and never inlined per HCPCS code. -#}


{#- Tunable thresholds of the unit-error and pre-bill rules. Override any of them with
    `dbt build --vars '{marts_unit_ratio_band: 2.5}'`.
    - marts_unit_ratio_band: a billed/expected ratio within this factor of 1/1000 (or 1000) is a
      mcg<->mg magnitude slip (band 2 accepts 0.0005-0.002 and 500-2000).
    - marts_ndc_quantity_tolerance_units: gap, in billing units, between the CTP quantity (converted to
      billing units) and the HCPCS units still called consistent. HCPCS units are whole, so 0.5 means "the
      CTP quantity rounds to the units billed": 9.999 ME for 9,999 units of a per-mcg code is consistent,
      10 ME is not. -#}
{% macro marts_setting(name) -%}
    {%- set defaults = {
        'marts_unit_ratio_band': 2,
        'marts_ndc_quantity_tolerance_units': 0.5,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("marts_setting: unknown setting " ~ name) }}
    {%- endif -%}
    {{ return(var(name, defaults[name])) }}
{%- endmacro %}


{#- Reference date of the worklist and of every "days left" figure: the dbt var `as_of_date`
    (ISO date) when given, else the latest remittance date in the data, so a rebuild of the same
    warehouse gives the same answer whatever the wall clock says. `latest_remit_date_sql` is a scalar
    subquery over the models' own inputs. -#}
{% macro marts_as_of_date(latest_remit_date_sql) -%}
    {%- set as_of = var('as_of_date', none) -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        ({{ latest_remit_date_sql }})
    {%- endif -%}
{%- endmacro %}


{#- Safe ratio: null when the denominator is null or zero. -#}
{% macro marts_ratio(numerator, denominator, type='decimal(18, 6)') -%}
    cast(cast({{ numerator }} as decimal(38, 10)) / nullif(cast({{ denominator }} as decimal(38, 10)), 0) as {{ type }})
{%- endmacro %}


{#- Allocates `amount` over the rows of one allocation (the rows sharing `allocation_key`, a partition-by
    list) in proportion to `weight` out of `total_weight`: each row's share is truncated toward zero to whole
    cents, and the row where `is_last_share` is true takes the rounding remainder (the amount less the other
    rows' shares), so the shares add up to the amount exactly. Used for claim-level amounts spread over a
    claim's lines. A row with a zero total weight gets 0 (the last row, the whole amount). -#}
{% macro marts_allocate_cents(amount, weight, total_weight, allocation_key, is_last_share) -%}
    {%- set share = 'coalesce(' ~ marts_truncated_cents_share(amount, weight, total_weight) ~ ', 0)' -%}
    case
        when {{ is_last_share }}
            then {{ amount }}
            - sum(case when {{ is_last_share }} then 0 else {{ share }} end) over (partition by {{ allocation_key }})
        else {{ share }}
    end
{%- endmacro %}


{#- The share of `amount` that `weight` earns out of `total_weight`, truncated toward zero to whole cents:
    floor(|amount| x weight / total) with the amount's sign, computed on integer cents so no float rounding
    creeps in, and a reversal's (negated) share is exactly the negation of the original share. Null when
    total_weight is zero. Dispatched: DuckDB has integer division (//); the default floors a decimal
    division. -#}
{% macro marts_truncated_cents_share(amount, weight, total_weight) -%}
    {{ return(adapter.dispatch('marts_truncated_cents_share', 'denials')(amount, weight, total_weight)) }}
{%- endmacro %}

{% macro default__marts_truncated_cents_share(amount, weight, total_weight) -%}
    cast(
        sign({{ amount }})
        * floor(
            cast(abs(round({{ amount }} * 100)) as decimal(38, 0)) * cast(round({{ weight }} * 100) as decimal(38, 0))
            / nullif(cast(round({{ total_weight }} * 100) as decimal(38, 0)), 0)
        ) * cast(0.01 as decimal(3, 2))
        as decimal(18, 2)
    )
{%- endmacro %}

{% macro duckdb__marts_truncated_cents_share(amount, weight, total_weight) -%}
    cast(
        cast(
            sign({{ amount }})
            * (
                cast(abs(round({{ amount }} * 100)) as hugeint) * cast(round({{ weight }} * 100) as hugeint)
                // nullif(cast(round({{ total_weight }} * 100) as hugeint), 0)
            )
            as decimal(18, 0)
        ) * cast(0.01 as decimal(3, 2))
        as decimal(18, 2)
    )
{%- endmacro %}


{#- A line's modifiers as one readable text, 'JW:76' style (empty text when the line has none). Every
    part is made non-null first, so it behaves the same whether the adapter's concat skips nulls or not.
    `prefix` names the columns (<prefix>procedure_modifier_1..4). -#}
{% macro marts_modifier_text(prefix='') -%}
    {{ dbt.concat([
        "coalesce(" ~ prefix ~ "procedure_modifier_1, '')",
        "case when " ~ prefix ~ "procedure_modifier_2 is not null then " ~ dbt.concat(["':'", prefix ~ "procedure_modifier_2"]) ~ " else '' end",
        "case when " ~ prefix ~ "procedure_modifier_3 is not null then " ~ dbt.concat(["':'", prefix ~ "procedure_modifier_3"]) ~ " else '' end",
        "case when " ~ prefix ~ "procedure_modifier_4 is not null then " ~ dbt.concat(["':'", prefix ~ "procedure_modifier_4"]) ~ " else '' end"
    ]) }}
{%- endmacro %}


{#- ===================================================================================================
    Rules shared by the denial marts and the pre-bill mart, so a past denial and an unbilled claim are
    judged by the same SQL.
    =================================================================================================== -#}


{#- The payer policy in force for each row of `relation` (columns payer_id, hcpcs_code, service_date and
    the key `key_column`): the payer_policies row of the payer and code with the latest effective_from not
    after the service date. Rows without a policy are absent (left join the result). -#}
{% macro marts_policies_in_force(relation, key_column) -%}
    select
        {{ key_column }},
        requires_prior_auth,
        max_units_per_line,
        requires_jw_jz,
        effective_from
    from (
        select
            {{ relation }}.{{ key_column }},
            payer_policies.requires_prior_auth,
            payer_policies.max_units_per_line,
            payer_policies.requires_jw_jz,
            payer_policies.effective_from,
            row_number() over (
                partition by {{ relation }}.{{ key_column }}
                order by payer_policies.effective_from desc
            ) as policy_rank
        from {{ relation }}
        inner join {{ ref('payer_policies') }} as payer_policies
            on
                {{ relation }}.payer_id = payer_policies.payer_id
                and {{ relation }}.hcpcs_code = payer_policies.hcpcs_code
                and payer_policies.effective_from <= coalesce({{ relation }}.service_date, payer_policies.effective_from)
    ) as policies_ranked
    where policy_rank = 1
{%- endmacro %}


{#- Every 837 drug line (int_drug_lines_with_administrations) with what its dose group and the payer's
    policy add: whether the dose group has a JW waste line or a 76 line, and the payer's per-line unit
    limit and JW/JZ and auth requirements on the service date. The input of marts_unit_root_cause. -#}
{% macro marts_drug_line_facts() -%}
    with

    drug_lines as (
        select
            claim_line_id,
            claim_id,
            claim_control_number,
            line_control_number,
            payer_id,
            hcpcs_code,
            service_from_date as service_date,
            has_jw,
            has_jz,
            has_76,
            billed_units,
            line_charge_amount,
            billing_unit_size,
            billing_unit_measure,
            per_line_unit_cap,
            ndc,
            ndc_quantity,
            ndc_unit_code,
            ndc_quantity_billing_units,
            dose_group_key,
            dose_role,
            administration_match_method,
            administration_count,
            administered_unit,
            administered_amount,
            wasted_amount,
            administered_billing_units,
            wasted_billing_units,
            expected_billed_units,
            role_billed_units,
            role_line_count,
            billed_to_expected_ratio
        from {{ ref('int_drug_lines_with_administrations') }}
    ),

    dose_group_flags as (
        select
            dose_group_key,
            max(case when has_jw and not has_jz then 1 else 0 end) = 1 as dose_group_has_waste_line,
            max(case when has_76 then 1 else 0 end) = 1 as dose_group_has_76
        from drug_lines
        group by dose_group_key
    ),

    policies as (
        {{ marts_policies_in_force('drug_lines', 'claim_line_id') }}
    )

    select
        drug_lines.claim_line_id,
        drug_lines.claim_id,
        drug_lines.claim_control_number,
        drug_lines.line_control_number,
        drug_lines.payer_id,
        drug_lines.hcpcs_code,
        drug_lines.service_date,
        drug_lines.has_jw,
        drug_lines.has_jz,
        drug_lines.has_76,
        drug_lines.billed_units,
        drug_lines.line_charge_amount,
        drug_lines.billing_unit_size,
        drug_lines.billing_unit_measure,
        drug_lines.per_line_unit_cap,
        drug_lines.ndc,
        drug_lines.ndc_quantity,
        drug_lines.ndc_unit_code,
        drug_lines.ndc_quantity_billing_units,
        drug_lines.dose_group_key,
        drug_lines.dose_role,
        drug_lines.administration_match_method,
        drug_lines.administration_count,
        drug_lines.administered_unit,
        drug_lines.administered_amount,
        drug_lines.wasted_amount,
        drug_lines.administered_billing_units,
        drug_lines.wasted_billing_units,
        drug_lines.expected_billed_units,
        drug_lines.role_billed_units,
        drug_lines.role_line_count,
        drug_lines.billed_to_expected_ratio,
        coalesce(dose_group_flags.dose_group_has_waste_line, false) as dose_group_has_waste_line,
        coalesce(dose_group_flags.dose_group_has_76, false) as dose_group_has_76,
        policies.max_units_per_line as payer_max_units_per_line,
        policies.requires_jw_jz,
        policies.requires_prior_auth
    from drug_lines
    left join dose_group_flags
        on drug_lines.dose_group_key = dose_group_flags.dose_group_key
    left join policies
        on drug_lines.claim_line_id = policies.claim_line_id
{%- endmacro %}


{#- The unit-error root causes in precedence order: the first rule a line meets is its root cause.
    1 jw_and_jz_same_line      JW and JZ on the same line (a fact of the line alone, whatever else is wrong)
    2 mcg_billed_as_mg         billed / expected units within the band around 1/1000 (a mg figure billed as
                               units of a per-mcg code); a magnitude slip also breaks the unit caps and the
                               NDC quantity, so it is named before them
    3 mg_billed_as_mcg         the same around 1000
    4 over_9999_without_split  units above the per-line system cap (drug_reference.per_line_unit_cap): the
                               quantity was not split over lines with modifier 76
    5 over_per_line_limit      units above the payer's max_units_per_line in force on the service date
    6 jz_with_waste            JZ (nothing discarded) while the administration record shows waste
    7 waste_without_jw         waste recorded for the dose and no JW line in its dose group (same claim,
                               HCPCS and service date) on a line that bills the administered amount
    8 ndc_quantity_mismatch    the CTP quantity, converted to billing units (via the NDC's unit or vial
                               size), does not round to the HCPCS units (off by marts_ndc_quantity_tolerance_units
                               = 0.5 billing units or more)
    Null when no rule explains the line (e.g. no administration record and nothing else wrong).
    `facts` is a relation with the columns of marts_drug_line_facts. -#}
{% macro marts_unit_root_causes() -%}
    {{ return(['jw_and_jz_same_line', 'mcg_billed_as_mg', 'mg_billed_as_mcg', 'over_9999_without_split',
               'over_per_line_limit', 'jz_with_waste', 'waste_without_jw', 'ndc_quantity_mismatch']) }}
{%- endmacro %}

{% macro marts_unit_root_cause(facts) -%}
    {%- set band = marts_setting('marts_unit_ratio_band') -%}
    {%- set ndc_tolerance = marts_setting('marts_ndc_quantity_tolerance_units') -%}
    case
        when {{ facts }}.has_jw and {{ facts }}.has_jz
            then 'jw_and_jz_same_line'
        when {{ facts }}.billed_to_expected_ratio >= {{ 1 / (1000 * band) }}
            and {{ facts }}.billed_to_expected_ratio <= {{ band / 1000 }}
            then 'mcg_billed_as_mg'
        when {{ facts }}.billed_to_expected_ratio >= {{ 1000 / band }}
            and {{ facts }}.billed_to_expected_ratio <= {{ 1000 * band }}
            then 'mg_billed_as_mcg'
        when {{ facts }}.billed_units > {{ facts }}.per_line_unit_cap
            then 'over_9999_without_split'
        when {{ facts }}.billed_units > {{ facts }}.payer_max_units_per_line
            then 'over_per_line_limit'
        when {{ facts }}.has_jz and {{ facts }}.wasted_billing_units > 0
            then 'jz_with_waste'
        when {{ facts }}.dose_role = 'administered'
            and {{ facts }}.wasted_billing_units > 0
            and not {{ facts }}.dose_group_has_waste_line
            then 'waste_without_jw'
        when {{ facts }}.ndc_quantity_billing_units is not null
            and abs({{ facts }}.ndc_quantity_billing_units - {{ facts }}.billed_units) >= {{ ndc_tolerance }}
            then 'ndc_quantity_mismatch'
    end
{%- endmacro %}


{#- Position of a root cause in the precedence above (1 = checked first); null for null. -#}
{% macro marts_unit_root_cause_precedence(root_cause) -%}
    case {{ root_cause }}
        {%- for cause in marts_unit_root_causes() %}
        when '{{ cause }}' then {{ loop.index }}
        {%- endfor %}
    end
{%- endmacro %}


{#- Pre-bill rule family of a unit-error root cause: JW/JZ problems are modifier_error, the rest
    unit_error (the names of the generator's expected_prebill_rule). -#}
{% macro marts_prebill_rule_for_root_cause(root_cause) -%}
    case
        when {{ root_cause }} in ('waste_without_jw', 'jz_with_waste', 'jw_and_jz_same_line') then 'modifier_error'
        when {{ root_cause }} is not null then 'unit_error'
    end
{%- endmacro %}


{#- Per (claim_id, hcpcs_code) row of `claim_drugs`: the claim's diagnoses (837 HI, principal first) and
    what the labeled_diagnoses seed says about them for that drug. A diagnosis absent from the seed is
    unknown, not off-label; is_off_label needs a known off-label diagnosis and no labeled one. -#}
{% macro marts_diagnosis_labels(claim_drugs) -%}
    select
        {{ claim_drugs }}.claim_id,
        {{ claim_drugs }}.hcpcs_code,
        count(diagnoses.diagnosis_code) as diagnosis_count,
        max(case when diagnoses.is_principal then diagnoses.diagnosis_code_with_dot end) as principal_diagnosis_code,
        {{ dbt.listagg('diagnoses.diagnosis_code_with_dot', "'|'", 'order by diagnoses.diagnosis_ordinal') }}
            as diagnosis_codes,
        {{ dbt.listagg(
            'case when labeled_diagnoses.is_labeled then diagnoses.diagnosis_code_with_dot end',
            "'|'", 'order by diagnoses.diagnosis_ordinal') }} as labeled_diagnosis_codes,
        {{ dbt.listagg(
            'case when not labeled_diagnoses.is_labeled then diagnoses.diagnosis_code_with_dot end',
            "'|'", 'order by diagnoses.diagnosis_ordinal') }} as off_label_diagnosis_codes,
        max(case when labeled_diagnoses.is_labeled then 1 else 0 end) = 1 as has_labeled_diagnosis,
        max(case when not labeled_diagnoses.is_labeled then 1 else 0 end) = 1 as has_off_label_diagnosis
    from {{ claim_drugs }}
    left join {{ ref('stg_x12_837__diagnoses') }} as diagnoses
        on {{ claim_drugs }}.claim_id = diagnoses.claim_id
    left join {{ ref('labeled_diagnoses') }} as labeled_diagnoses
        on
            {{ claim_drugs }}.hcpcs_code = labeled_diagnoses.hcpcs_code
            and diagnoses.diagnosis_code_with_dot = labeled_diagnoses.icd10_code
    group by
        {{ claim_drugs }}.claim_id,
        {{ claim_drugs }}.hcpcs_code
{%- endmacro %}
