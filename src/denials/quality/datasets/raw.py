"""Raw-layer datasets: they run right after ingest, before dbt."""

from __future__ import annotations

from denials.quality.datasets.warehouse import Warehouse


def raw_file_registry(wh: Warehouse) -> str:
    wh.require("raw.file_registry")
    # SE01/GE01/IEA01 mismatches are the loader's count warnings (src/denials/x12/envelope.py).
    return """
        select
            file_id,
            file_name,
            file_kind,
            status,
            case when status <> 'loaded' then coalesce(trim(reason), '') <> '' end as has_reason,
            case when status = 'loaded' and file_kind = 'x12' then
                len(list_filter(coalesce(warnings, []),
                                lambda w: regexp_matches(w, '^(SE01|GE01|IEA01) '))) > 0
            end as has_count_warning
        from raw.file_registry
    """


def raw_remittance_resends(wh: Warehouse) -> str:
    wh.require("raw.file_registry", "raw.x12_transactions", "raw.x12_segments")
    # The same payment (BPR02 amount, TRN02 trace, TRN03 originating company, N1*PR payer id) in two
    # loaded files: a re-sent remittance under a new envelope, whose hash differs, so the loader could
    # not call it a duplicate. Counting both would double the money. The later file is the re-send.
    return """
        with loaded_files as (
            select file_id, file_name from raw.file_registry where status = 'loaded'
        ),
        remit_transactions as (
            select transactions.file_id, transactions.transaction_seq
            from raw.x12_transactions as transactions
            inner join loaded_files on loaded_files.file_id = transactions.file_id
            where transactions.transaction_set_id = '835'
        ),
        payments as (
            select
                segments.file_id,
                segments.transaction_seq,
                max(case when segments.segment_id = 'BPR'
                    then try_cast(segments.elements[2] as decimal(18, 2)) end) as paid_amount,
                max(case when segments.segment_id = 'TRN' then segments.elements[2] end) as trace,
                max(case when segments.segment_id = 'TRN' then segments.elements[3] end) as trace_payer,
                max(case when segments.segment_id = 'N1' and segments.elements[1] = 'PR'
                    then segments.elements[4] end) as payer
            from raw.x12_segments as segments
            inner join remit_transactions
                on remit_transactions.file_id = segments.file_id
                and remit_transactions.transaction_seq = segments.transaction_seq
            where segments.segment_id in ('BPR', 'TRN', 'N1') and segments.loop_id in ('header', '1000A')
            group by segments.file_id, segments.transaction_seq
        ),
        keyed as (
            select
                file_id,
                min(file_id) over (partition by paid_amount, trace, trace_payer, payer) as first_file_id
            from payments
            where trace is not null
        )
        select
            loaded_files.file_id,
            loaded_files.file_name,
            count(keyed.file_id) as transaction_count,
            count(keyed.file_id) filter (where keyed.first_file_id <> keyed.file_id)
                as resent_transaction_count,
            min(keyed.first_file_id) filter (where keyed.first_file_id <> keyed.file_id)
                as first_sent_in_file_id
        from keyed
        inner join loaded_files on loaded_files.file_id = keyed.file_id
        group by loaded_files.file_id, loaded_files.file_name
    """

