-- mid.user_usage_d: one row per MSISDN and CDR day with usage, for the days :date_from..:date_to.
-- Billed duration (计费时长, DOMAIN.md §5): each call rounded up to its billing unit - 6-second
-- units for long-distance calls, whole minutes for all other calls - then summed.
-- Every delivered CDR is a valid CDR (有效话单), including free calls under 3 s.
-- Off-net (网外) means any other network, fixed lines included; fixed_calls is that subset.
--
-- Each source is summed per user and day on its own, then the small per-user rows are combined.
-- Fees are summed in fen as bigint: a sum of decimal(10,2) is a decimal(20,2), which Spark adds
-- as BigDecimal and which doubled the cost of this table. Distinct contacts are counted per month
-- (mid.user_usage_m): they do not add up over days.
with voice as (
    select
        msisdn,
        batch_date,
        count(*) as voice_calls,
        sum(if(direction = 'MO', 1, 0)) as voice_mo_calls,
        sum(duration) as voice_seconds,
        sum(if(direction = 'MO', duration, 0)) as voice_mo_seconds,
        sum(case when call_type = 'LD' then ceil(duration / 6) * 6
                 else ceil(duration / 60) * 60 end) as billed_seconds,
        sum(if(call_type = 'LOCAL', 1, 0)) as local_calls,
        sum(if(call_type = 'LD', 1, 0)) as ld_calls,
        sum(if(call_type = 'ROAM_IN', 1, 0)) as roam_in_calls,
        sum(if(call_type = 'ROAM_OUT', 1, 0)) as roam_out_calls,
        sum(if(other_net <> 'ONNET', 1, 0)) as offnet_calls,
        sum(if(other_net = 'FIXED', 1, 0)) as fixed_calls,
        sum(if(other_net <> 'ONNET', duration, 0)) as offnet_seconds,
        sum(fwd_flag) as fwd_calls,
        sum(if(fwd_flag = 1 and fwd_net <> 'ONNET', 1, 0)) as fwd_offnet_calls,
        sum(cast(std_fee * 100 as bigint)) as voice_std_fen,
        sum(cast(act_fee * 100 as bigint)) as voice_fen,
        sum(if(other_net <> 'ONNET', cast(act_fee * 100 as bigint), 0)) as offnet_fen,
        sum(if(call_type = 'LD', cast(act_fee * 100 as bigint), 0)) as ld_fen,
        sum(if(call_type in ('ROAM_IN', 'ROAM_OUT'), cast(act_fee * 100 as bigint), 0)) as roam_fen
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
        sum(cast(fee * 100 as bigint)) as sms_fen
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
        sum(cast(fee * 100 as bigint)) as data_fen
    from ods.cdr_data
    where batch_date between :date_from and :date_to
    group by msisdn, batch_date
),

vas as (
    select
        msisdn,
        batch_date,
        count(*) as vas_count,
        sum(cast(fee * 100 as bigint)) as vas_fen
    from ods.vas_usage
    where batch_date between :date_from and :date_to
    group by msisdn, batch_date
),

users as (
    select msisdn, user_id, batch_date
    from ods.user
    where batch_date between :date_from and :date_to
),

-- one row per user and day from each source; the sums below add each source's single row
sources as (
    select
        msisdn, batch_date, voice_calls, voice_mo_calls, voice_seconds, voice_mo_seconds, billed_seconds,
        local_calls, ld_calls, roam_in_calls, roam_out_calls, offnet_calls, fixed_calls, offnet_seconds,
        fwd_calls, fwd_offnet_calls, voice_std_fen, voice_fen, offnet_fen, ld_fen, roam_fen,
        0 as sms_count, 0 as sms_mo_count, 0 as sms_offnet_count, 0 as sms_fen,
        0 as data_records, 0 as data_kb, 0 as data_fen, 0 as vas_count, 0 as vas_fen
    from voice
    union all
    select
        msisdn, batch_date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        sms_count, sms_mo_count, sms_offnet_count, sms_fen, 0, 0, 0, 0, 0
    from sms
    union all
    select
        msisdn, batch_date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, data_records, data_kb, data_fen, 0, 0
    from data
    union all
    select
        msisdn, batch_date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, vas_count, vas_fen
    from vas
),

per_user as (
    select
        msisdn,
        batch_date,
        sum(voice_calls) as voice_calls,
        sum(voice_mo_calls) as voice_mo_calls,
        sum(voice_seconds) as voice_seconds,
        sum(voice_mo_seconds) as voice_mo_seconds,
        sum(billed_seconds) as billed_seconds,
        sum(local_calls) as local_calls,
        sum(ld_calls) as ld_calls,
        sum(roam_in_calls) as roam_in_calls,
        sum(roam_out_calls) as roam_out_calls,
        sum(offnet_calls) as offnet_calls,
        sum(fixed_calls) as fixed_calls,
        sum(offnet_seconds) as offnet_seconds,
        sum(fwd_calls) as fwd_calls,
        sum(fwd_offnet_calls) as fwd_offnet_calls,
        sum(voice_std_fen) as voice_std_fen,
        sum(voice_fen) as voice_fen,
        sum(offnet_fen) as offnet_fen,
        sum(ld_fen) as ld_fen,
        sum(roam_fen) as roam_fen,
        sum(sms_count) as sms_count,
        sum(sms_mo_count) as sms_mo_count,
        sum(sms_offnet_count) as sms_offnet_count,
        sum(sms_fen) as sms_fen,
        sum(data_records) as data_records,
        sum(data_kb) as data_kb,
        sum(data_fen) as data_fen,
        sum(vas_count) as vas_count,
        sum(vas_fen) as vas_fen
    from sources
    group by msisdn, batch_date
),

final as (
    select
        p.msisdn,
        u.user_id,
        p.voice_calls,
        p.voice_mo_calls,
        p.voice_calls - p.voice_mo_calls as voice_mt_calls,
        p.voice_seconds,
        p.voice_mo_seconds,
        cast(p.billed_seconds / 60 as decimal(14, 1)) as billed_minutes,
        p.local_calls,
        p.ld_calls,
        p.roam_in_calls,
        p.roam_out_calls,
        p.voice_calls - p.offnet_calls as onnet_calls,
        p.offnet_calls,
        p.fixed_calls,
        p.offnet_seconds,
        p.fwd_calls,
        p.fwd_offnet_calls,
        cast(p.voice_std_fen / 100 as decimal(14, 2)) as voice_std_fee,
        cast(p.voice_fen / 100 as decimal(14, 2)) as voice_fee,
        cast(p.offnet_fen / 100 as decimal(14, 2)) as offnet_fee,
        cast(p.ld_fen / 100 as decimal(14, 2)) as ld_fee,
        cast(p.roam_fen / 100 as decimal(14, 2)) as roam_fee,
        p.sms_count,
        p.sms_mo_count,
        p.sms_offnet_count,
        cast(p.sms_fen / 100 as decimal(14, 2)) as sms_fee,
        p.data_records,
        p.data_kb,
        cast(p.data_fen / 100 as decimal(14, 2)) as data_fee,
        p.vas_count,
        cast(p.vas_fen / 100 as decimal(14, 2)) as vas_fee,
        cast((p.voice_fen + p.sms_fen + p.data_fen + p.vas_fen) / 100 as decimal(14, 2)) as total_fee,
        p.batch_date
    from per_user as p
    left join users as u on u.msisdn = p.msisdn and u.batch_date = p.batch_date
)

select * from final
