-- mid.user_usage_d: one row per MSISDN with usage on :batch_date.
-- Billed duration (计费时长, DOMAIN.md §5): each call rounded up to its billing unit - 6-second
-- units for long-distance calls, whole minutes for all other calls - then summed.
-- Every delivered CDR is a valid CDR (有效话单), including free calls under 3 s.
with voice as (
    select msisdn, duration, direction, call_type, other_net, fwd_flag, fwd_net, std_fee, act_fee
    from ods.cdr_voice
    where batch_date = :batch_date
),

sms as (
    select msisdn, fee
    from ods.cdr_sms
    where batch_date = :batch_date
),

data as (
    select msisdn, up_kb, down_kb, fee
    from ods.cdr_data
    where batch_date = :batch_date
),

users as (
    select msisdn, user_id
    from ods.user
    where batch_date = :batch_date
),

voice_rows as (
    select
        msisdn,
        1 as voice_calls,
        if(direction = 'MO', 1, 0) as voice_mo_calls,
        duration as voice_seconds,
        case when call_type = 'LD' then ceil(duration / 6) * 6
             else ceil(duration / 60) * 60 end as billed_seconds,
        if(call_type = 'LD', 1, 0) as ld_calls,
        if(call_type in ('ROAM_IN', 'ROAM_OUT'), 1, 0) as roam_calls,
        if(other_net <> 'ONNET', 1, 0) as offnet_calls,
        if(fwd_flag = 1 and fwd_net <> 'ONNET', 1, 0) as fwd_offnet_calls,
        std_fee as voice_std_fee,
        act_fee as voice_fee,
        if(other_net <> 'ONNET', act_fee, 0) as offnet_fee,
        0 as sms_count, 0 as sms_fee, 0 as data_kb, 0 as data_fee
    from voice
),

sms_rows as (
    select msisdn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, fee, 0, 0
    from sms
),

data_rows as (
    select msisdn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, up_kb + down_kb, fee
    from data
),

usage_rows as (
    select * from voice_rows
    union all
    select * from sms_rows
    union all
    select * from data_rows
),

per_user as (
    select
        msisdn,
        sum(voice_calls) as voice_calls,
        sum(voice_mo_calls) as voice_mo_calls,
        sum(voice_seconds) as voice_seconds,
        cast(sum(billed_seconds) / 60 as decimal(14, 1)) as billed_minutes,
        sum(ld_calls) as ld_calls,
        sum(roam_calls) as roam_calls,
        sum(offnet_calls) as offnet_calls,
        sum(fwd_offnet_calls) as fwd_offnet_calls,
        sum(voice_std_fee) as voice_std_fee,
        sum(voice_fee) as voice_fee,
        sum(offnet_fee) as offnet_fee,
        sum(sms_count) as sms_count,
        sum(sms_fee) as sms_fee,
        sum(data_kb) as data_kb,
        sum(data_fee) as data_fee
    from usage_rows
    group by msisdn
),

final as (
    select
        p.msisdn,
        u.user_id,
        p.voice_calls,
        p.voice_mo_calls,
        p.voice_seconds,
        p.billed_minutes,
        p.ld_calls,
        p.roam_calls,
        p.offnet_calls,
        p.fwd_offnet_calls,
        p.voice_std_fee,
        p.voice_fee,
        p.offnet_fee,
        p.sms_count,
        p.sms_fee,
        p.data_kb,
        p.data_fee,
        p.voice_fee + p.sms_fee + p.data_fee as total_fee,
        cast(:batch_date as date) as batch_date
    from per_user as p
    left join users as u on u.msisdn = p.msisdn
)

select * from final
