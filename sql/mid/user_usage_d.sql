-- mid.user_usage_d: one row per MSISDN and CDR day with usage, for the days :date_from..:date_to,
-- with the user who held the MSISDN that day (null for numbers not ours, e.g. visiting roamers).
-- Billed duration (计费时长, docs/domain.md §5): each call rounded up to its billing unit - 6-second
-- units for long-distance calls, whole minutes for all other calls - then summed; a long-distance
-- call under 3 s is free and has no billed duration.
-- Every delivered call CDR is a valid CDR (有效话单), including free calls under 3 s; SMS, data and
-- VAS records are counted apart.
-- A call is local or long distance (call_type) and, apart, roaming or not (roam_type). Local and
-- long-distance calls (local_calls, ld_calls) are those at home. Roaming (漫游出访): our users
-- roaming in the province (roam_in_calls), in another province or abroad (roam_out_calls;
-- roam_intl_calls abroad); roam_fee (漫游费) = roaming call fees + roaming long-distance fees
-- (roam_ld_fee, 漫游长途费). visit_* are other networks' subscribers roaming in ours (漫游来访),
-- visit_intl_* those from abroad among them. Data volume is up + down (data_up_kb, data_down_kb).
-- Off-net (网外) means any other network, fixed lines included; fixed_calls is that subset.
--
-- Each source is summed per user and day on its own, then the sources' rows are combined.
-- Fees: the CDR interfaces declare a record's fee as decimal(8,2), so Spark sums them as longs
-- of fen and only marks the result as yuan (its DecimalAggregates rule). A sum of a wider decimal
-- is added as BigDecimal, and converting fen to yuan afterwards went through a double per value:
-- each cost seconds on 10M CDRs. A conditional fee is null when the condition fails (not 0, which
-- would widen the type). Distinct contacts are counted per month (mid.user_usage_m): they do not
-- add up over days.
with voice as (
    select
        msisdn,
        batch_date,
        count(*) as voice_calls,
        sum(if(direction = 'MO', 1, 0)) as voice_mo_calls,
        sum(duration) as voice_seconds,
        sum(if(direction = 'MO', duration, 0)) as voice_mo_seconds,
        sum(case when call_type = 'LD' and duration < 3 then 0
                 when call_type = 'LD' then (cast(duration as bigint) + 5) div 6 * 6
                 else (cast(duration as bigint) + 59) div 60 * 60 end) as billed_seconds,
        sum(if(call_type = 'LOCAL' and roam_type = 'HOME', 1, 0)) as local_calls,
        sum(if(call_type = 'LD' and roam_type = 'HOME', 1, 0)) as ld_calls,
        sum(if(roam_type = 'PROV', 1, 0)) as roam_in_calls,
        sum(if(roam_type in ('NATIONAL', 'INTL'), 1, 0)) as roam_out_calls,
        sum(if(roam_type = 'INTL', 1, 0)) as roam_intl_calls,
        sum(if(other_net <> 'ONNET', 1, 0)) as offnet_calls,
        sum(if(other_net = 'FIXED', 1, 0)) as fixed_calls,
        sum(if(other_net <> 'ONNET', duration, 0)) as offnet_seconds,
        sum(fwd_flag) as fwd_calls,
        sum(if(fwd_flag = 1 and fwd_net <> 'ONNET', 1, 0)) as fwd_offnet_calls,
        sum(if(fwd_flag = 1 and fwd_net <> 'ONNET', duration, 0)) as fwd_offnet_seconds,
        sum(std_fee) as voice_std_fee,
        sum(act_fee) as voice_fee,
        sum(if(other_net <> 'ONNET', act_fee, null)) as offnet_fee,
        sum(if(call_type = 'LD' and roam_type = 'HOME', act_fee, null)) as ld_fee,
        sum(if(roam_type in ('PROV', 'NATIONAL', 'INTL'), act_fee, null)) as roam_fee,
        sum(if(roam_type in ('PROV', 'NATIONAL', 'INTL') and call_type = 'LD', act_fee, null)) as roam_ld_fee,
        sum(if(roam_type = 'INTL', act_fee, null)) as roam_intl_fee,
        sum(if(roam_type in ('VISIT', 'VISIT_INTL'), 1, 0)) as visit_calls,
        sum(if(roam_type in ('VISIT', 'VISIT_INTL'), act_fee, null)) as visit_fee,
        sum(if(roam_type = 'VISIT_INTL', 1, 0)) as visit_intl_calls,
        sum(if(roam_type = 'VISIT_INTL', act_fee, null)) as visit_intl_fee,
        sum(if(other_net <> 'ONNET' and direction = 'MO', (cast(duration as bigint) + 59) div 60, 0)) as offnet_mo_minutes
    from ods.cdr_voice
    where batch_date between :date_from and :date_to
    group by msisdn, batch_date
),

sms as (
    select
        msisdn,
        batch_date,
        count(*) as sms_count,
        sum(if(direction = 'MO', 1, 0)) as sms_mo_count,
        sum(if(other_net <> 'ONNET', 1, 0)) as sms_offnet_count,
        sum(fee) as sms_fee
    from ods.cdr_sms
    where batch_date between :date_from and :date_to
    group by msisdn, batch_date
),

data as (
    select
        msisdn,
        batch_date,
        count(*) as data_records,
        sum(up_kb + down_kb) as data_kb,
        sum(up_kb) as data_up_kb,
        sum(down_kb) as data_down_kb,
        sum(fee) as data_fee
    from ods.cdr_data
    where batch_date between :date_from and :date_to
    group by msisdn, batch_date
),

vas as (
    select
        msisdn,
        batch_date,
        count(*) as vas_count,
        sum(fee) as vas_fee
    from ods.vas_usage
    where batch_date between :date_from and :date_to
    group by msisdn, batch_date
),

-- the subscription that held the number that day: a re-issued MSISDN is in the day's snapshot
-- twice, the closed former holder and the new one (in the network)
users as (
    select msisdn, user_id, batch_date
    from (
        select msisdn, user_id, batch_date,
               row_number() over (partition by msisdn, batch_date order by status = 'CLOSED', status_date desc, user_id) as holder
        from ods.user
        where batch_date between :date_from and :date_to
    )
    where holder = 1
),

-- at most one row per user and day from each source, with nulls for the other sources' columns
sources as (
    select
        msisdn, batch_date, voice_calls, voice_mo_calls, voice_seconds, voice_mo_seconds, billed_seconds,
        local_calls, ld_calls, roam_in_calls, roam_out_calls, roam_intl_calls, offnet_calls, fixed_calls, offnet_seconds,
        fwd_calls, fwd_offnet_calls, voice_std_fee, voice_fee, offnet_fee, ld_fee, roam_fee, roam_ld_fee, roam_intl_fee,
        visit_calls, visit_fee, visit_intl_calls, visit_intl_fee, offnet_mo_minutes, fwd_offnet_seconds,
        null as sms_count, null as sms_mo_count, null as sms_offnet_count, null as sms_fee,
        null as data_records, null as data_kb, null as data_up_kb, null as data_down_kb, null as data_fee,
        null as vas_count, null as vas_fee
    from voice
    union all
    select
        msisdn, batch_date, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        sms_count, sms_mo_count, sms_offnet_count, sms_fee, null, null, null, null, null, null, null
    from sms
    union all
    select
        msisdn, batch_date, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, data_records, data_kb, data_up_kb, data_down_kb, data_fee, null, null
    from data
    union all
    select
        msisdn, batch_date, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, vas_count, vas_fee
    from vas
),

-- max() picks each source's single row: no arithmetic, so the fees stay longs underneath
per_user as (
    select
        msisdn,
        batch_date,
        max(voice_calls) as voice_calls,
        max(voice_mo_calls) as voice_mo_calls,
        max(voice_seconds) as voice_seconds,
        max(voice_mo_seconds) as voice_mo_seconds,
        max(billed_seconds) as billed_seconds,
        max(local_calls) as local_calls,
        max(ld_calls) as ld_calls,
        max(roam_in_calls) as roam_in_calls,
        max(roam_out_calls) as roam_out_calls,
        max(roam_intl_calls) as roam_intl_calls,
        max(offnet_calls) as offnet_calls,
        max(fixed_calls) as fixed_calls,
        max(offnet_seconds) as offnet_seconds,
        max(fwd_calls) as fwd_calls,
        max(fwd_offnet_calls) as fwd_offnet_calls,
        max(fwd_offnet_seconds) as fwd_offnet_seconds,
        max(voice_std_fee) as voice_std_fee,
        max(voice_fee) as voice_fee,
        max(offnet_fee) as offnet_fee,
        max(ld_fee) as ld_fee,
        max(roam_fee) as roam_fee,
        max(roam_ld_fee) as roam_ld_fee,
        max(roam_intl_fee) as roam_intl_fee,
        max(visit_calls) as visit_calls,
        max(visit_fee) as visit_fee,
        max(visit_intl_calls) as visit_intl_calls,
        max(visit_intl_fee) as visit_intl_fee,
        max(offnet_mo_minutes) as offnet_mo_minutes,
        max(sms_count) as sms_count,
        max(sms_mo_count) as sms_mo_count,
        max(sms_offnet_count) as sms_offnet_count,
        max(sms_fee) as sms_fee,
        max(data_records) as data_records,
        max(data_kb) as data_kb,
        max(data_up_kb) as data_up_kb,
        max(data_down_kb) as data_down_kb,
        max(data_fee) as data_fee,
        max(vas_count) as vas_count,
        max(vas_fee) as vas_fee
    from sources
    group by msisdn, batch_date
),

final as (
    select
        p.msisdn,
        u.user_id,
        coalesce(p.voice_calls, 0) as voice_calls,
        coalesce(p.voice_mo_calls, 0) as voice_mo_calls,
        coalesce(p.voice_calls - p.voice_mo_calls, 0) as voice_mt_calls,
        coalesce(p.voice_seconds, 0) as voice_seconds,
        coalesce(p.voice_mo_seconds, 0) as voice_mo_seconds,
        cast(coalesce(p.billed_seconds, 0) / 60 as decimal(14, 1)) as billed_minutes,
        coalesce(p.local_calls, 0) as local_calls,
        coalesce(p.ld_calls, 0) as ld_calls,
        coalesce(p.roam_in_calls, 0) as roam_in_calls,
        coalesce(p.roam_out_calls, 0) as roam_out_calls,
        coalesce(p.roam_intl_calls, 0) as roam_intl_calls,
        coalesce(p.voice_calls - p.offnet_calls, 0) as onnet_calls,
        coalesce(p.offnet_calls, 0) as offnet_calls,
        coalesce(p.fixed_calls, 0) as fixed_calls,
        coalesce(p.offnet_seconds, 0) as offnet_seconds,
        coalesce(p.fwd_calls, 0) as fwd_calls,
        coalesce(p.fwd_offnet_calls, 0) as fwd_offnet_calls,
        coalesce(p.fwd_offnet_seconds, 0) as fwd_offnet_seconds,
        coalesce(p.voice_std_fee, 0) as voice_std_fee,
        coalesce(p.voice_fee, 0) as voice_fee,
        coalesce(p.offnet_fee, 0) as offnet_fee,
        coalesce(p.ld_fee, 0) as ld_fee,
        coalesce(p.roam_fee, 0) as roam_fee,
        coalesce(p.roam_ld_fee, 0) as roam_ld_fee,
        coalesce(p.roam_intl_fee, 0) as roam_intl_fee,
        coalesce(p.visit_calls, 0) as visit_calls,
        coalesce(p.visit_fee, 0) as visit_fee,
        coalesce(p.visit_intl_calls, 0) as visit_intl_calls,
        coalesce(p.visit_intl_fee, 0) as visit_intl_fee,
        coalesce(p.offnet_mo_minutes, 0) as offnet_mo_minutes,
        coalesce(p.sms_count, 0) as sms_count,
        coalesce(p.sms_mo_count, 0) as sms_mo_count,
        coalesce(p.sms_offnet_count, 0) as sms_offnet_count,
        coalesce(p.sms_fee, 0) as sms_fee,
        coalesce(p.data_records, 0) as data_records,
        coalesce(p.data_kb, 0) as data_kb,
        coalesce(p.data_up_kb, 0) as data_up_kb,
        coalesce(p.data_down_kb, 0) as data_down_kb,
        coalesce(p.data_fee, 0) as data_fee,
        coalesce(p.vas_count, 0) as vas_count,
        coalesce(p.vas_fee, 0) as vas_fee,
        coalesce(p.voice_fee, 0) + coalesce(p.sms_fee, 0) + coalesce(p.data_fee, 0)
            + coalesce(p.vas_fee, 0) as total_fee,
        p.batch_date
    from per_user as p
    left join users as u on u.msisdn = p.msisdn and u.batch_date = p.batch_date
)

select * from final
