{#- Expressions shared by the marts (models/marts/) and the steps behind them
    (models/intermediate/adjudication/): every macro here renders an expression or a join condition, never a
    query; queries are models. Thresholds live here, overridable with `--vars`, so the rules that explain
    denials are reviewed in one place and never inlined per HCPCS code. -#}


{#- Tunable thresholds of the unit-error and pre-bill rules. Override any of them with
    `dbt build --vars '{marts_ndc_quantity_tolerance_units: 1}'`.
    - marts_ndc_quantity_tolerance_units: gap, in billing units, between the CTP quantity (converted to
      billing units) and the HCPCS units still called consistent. HCPCS units are whole, so 0.5 means "the
      CTP quantity rounds to the units billed": 9.999 ME for 9,999 units of a per-mcg code is consistent,
      10 ME is not. -#}
{% macro marts_setting(name) -%}
    {%- set defaults = {
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


{#- Join condition: the policy period of `policies` (int_payer_policies_in_force) in force for a row of
    `subject` (a relation with payer_id, hcpcs_code and service_date): same payer and code, and
    effective_from <= service_date < effective_to (an open end when effective_to is null). A row without a
    service date takes the latest period, the policy in force now. At most one period matches. -#}
{% macro marts_policy_in_force(policies, subject) -%}
    {{ subject }}.payer_id = {{ policies }}.payer_id
    and {{ subject }}.hcpcs_code = {{ policies }}.hcpcs_code
    and {{ policies }}.effective_from <= coalesce({{ subject }}.service_date, {{ policies }}.effective_from)
    and ({{ policies }}.effective_to is null or {{ subject }}.service_date < {{ policies }}.effective_to)
{%- endmacro %}


{#- The unit-error root causes in precedence order: the first rule a line meets is its root cause.
    1 jw_and_jz_same_line      JW and JZ on the same line (a fact of the line alone, whatever else is wrong)
    2-5 unit slips             the billed/expected ratio, from the best evidence (int_drug_line_facts:
                               administration record, NDC quantity, vial size), falls in a band of
                               seed drug_unit_slips for the code's billing unit: mcg_billed_as_mg,
                               mg_billed_as_mcg (mcg/mg codes), units_per_half_mg_slip (per-0.5 mg codes),
                               iu_scale_error (IU codes). A slip also breaks the caps and the NDC
                               quantity, so it is named before them
    6 ndc_not_of_hcpcs         the line's NDC is a known NDC (drug_ndcs) of another HCPCS code
    7 over_9999_without_split  units above the per-line system cap (drug_reference.per_line_unit_cap): the
                               quantity was not split over lines with modifier 76
    8 split_without_76         the administered dose is split over several lines and none carries 76
    9 over_per_line_limit      units above the payer's max_units_per_line in force on the service date
    10 jz_with_waste           JZ (nothing discarded) while the administration record shows waste
    11 waste_without_jw        waste recorded for the dose and no JW line in its dose group (same claim,
                               HCPCS and service date) on a line that bills the administered amount
    12 missing_jw_jz           the payer requires JW/JZ, the line bills the administered amount with neither
                               modifier and its dose group has no JW waste line (no waste billed: JZ was due)
    13 ndc_quantity_mismatch   the CTP quantity, converted to billing units (via the NDC's unit or vial
                               size), does not round to the HCPCS units (off by marts_ndc_quantity_tolerance_units
                               = 0.5 billing units or more)
    Null when no rule explains the line.
    `facts` is a relation with the columns of int_drug_line_facts. -#}
{% macro marts_unit_root_causes() -%}
    {{ return(['jw_and_jz_same_line', 'mcg_billed_as_mg', 'mg_billed_as_mcg', 'units_per_half_mg_slip',
               'iu_scale_error', 'ndc_not_of_hcpcs', 'over_9999_without_split', 'split_without_76',
               'over_per_line_limit', 'jz_with_waste', 'waste_without_jw', 'missing_jw_jz',
               'ndc_quantity_mismatch']) }}
{%- endmacro %}

{% macro marts_unit_root_cause(facts) -%}
    {%- set ndc_tolerance = marts_setting('marts_ndc_quantity_tolerance_units') -%}
    case
        when {{ facts }}.has_jw and {{ facts }}.has_jz
            then 'jw_and_jz_same_line'
        when {{ facts }}.unit_slip_root_cause is not null
            then {{ facts }}.unit_slip_root_cause
        when {{ facts }}.ndc is not null and {{ facts }}.ndc_hcpcs_code is not null
            and not {{ facts }}.is_ndc_of_hcpcs
            then 'ndc_not_of_hcpcs'
        when {{ facts }}.billed_units > {{ facts }}.per_line_unit_cap
            then 'over_9999_without_split'
        when {{ facts }}.dose_role = 'administered' and {{ facts }}.role_line_count > 1
            and not {{ facts }}.dose_group_has_76
            then 'split_without_76'
        when {{ facts }}.billed_units > {{ facts }}.payer_max_units_per_line
            then 'over_per_line_limit'
        when {{ facts }}.has_jz and {{ facts }}.wasted_billing_units > 0
            then 'jz_with_waste'
        when {{ facts }}.dose_role = 'administered'
            and {{ facts }}.wasted_billing_units > 0
            and not {{ facts }}.dose_group_has_waste_line
            then 'waste_without_jw'
        when {{ facts }}.requires_jw_jz and {{ facts }}.dose_role = 'administered'
            and not {{ facts }}.has_jw and not {{ facts }}.has_jz
            and not {{ facts }}.dose_group_has_waste_line
            then 'missing_jw_jz'
        when {{ facts }}.ndc_quantity_billing_units is not null
            and abs({{ facts }}.ndc_quantity_billing_units - {{ facts }}.billed_units) >= {{ ndc_tolerance }}
            then 'ndc_quantity_mismatch'
    end
{%- endmacro %}


{#- Unit price of a drug line's expected units, best basis first: the payer's allowed per paid unit when
    the payer allowed something (`allowed` over `units_paid`), else the quarter's ASP payment limit
    (`asp`, seed drug_asp_prices), else the charge spread over the expected units; null without expected
    units. Returns the basis name when `basis` is true, the price otherwise. -#}
{% macro marts_unit_price(allowed, units_paid, asp, charge, expected_units, basis=false) -%}
    case
        when {{ expected_units }} is null or {{ expected_units }} <= 0
            then null
        when {{ allowed }} > 0 and {{ units_paid }} > 0
            then {% if basis %}'payer_allowed'{% else %}{{ allowed }} / {{ units_paid }}{% endif %}
        when {{ asp }} is not null
            then {% if basis %}'asp_payment_limit'{% else %}{{ asp }}{% endif %}
        else {% if basis %}'billed_charge'{% else %}{{ charge }} / {{ expected_units }}{% endif %}
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
        when {{ root_cause }} in ('waste_without_jw', 'jz_with_waste', 'jw_and_jz_same_line', 'missing_jw_jz')
            then 'modifier_error'
        when {{ root_cause }} is not null then 'unit_error'
    end
{%- endmacro %}
