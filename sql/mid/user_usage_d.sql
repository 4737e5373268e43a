-- mid.user_usage_d: one row per MSISDN and CDR day with usage, for the days :date_from..:date_to.
-- Billed duration (计费时长, DOMAIN.md §5): each call rounded up to its billing unit - 6-second
-- units for long-distance calls, whole minutes for all other calls - then summed.
-- Every delivered CDR is a valid CDR (有效话单), including free calls under 3 s.
-- Off-net (网外) means any other network, fixed lines included; fixed_calls is that subset.
with voice as (
    select msisdn, other_party, duration, direction, call_type, other_net, fwd_flag, fwd_net, std_fee, act_fee, batch_date
    from ods.cdr_voice
    where batch_date between :date_from and :date_to
),

sms as (
    select msisdn, other_party, direction, other_net, fee, batch_date
    from ods.cdr_sms
    where batch_date between :date_from and :date_to
),

data as (
    select msisdn, up_kb, down_kb, fee, batch_date
    from ods.cdr_data
    where batch_date between :date_from and :date_to
),

vas as (
    select msisdn, fee, batch_date
    from ods.vas_usage
    where batch_date between :date_from and :date_to
),

users as (
    select msisdn, user_id, batch_date
    from ods.user
    where batch_date between :date_from and :date_to
),

voice_rows as (
    select
        msisdn, batch_date,
        1 as voice_calls,
        if(direction = 'MO', 1, 0) as voice_mo_calls,
        duration as voice_seconds,
        if(direction = 'MO', duration, 0) as voice_mo_seconds,
        case when call_type = 'LD' then ceil(duration / 6) * 6
             else ceil(duration / 60) * 60 end as billed_seconds,
        if(call_type = 'LOCAL', 1, 0) as local_calls,
        if(call_type = 'LD', 1, 0) as ld_calls,
        if(call_type = 'ROAM_IN', 1, 0) as roam_in_calls,
        if(call_type = 'ROAM_OUT', 1, 0) as roam_out_calls,
        if(other_net <> 'ONNET', 1, 0) as offnet_calls,
        if(other_net = 'FIXED', 1, 0) as fixed_calls,
        if(other_net <> 'ONNET', duration, 0) as offnet_seconds,
        fwd_flag as fwd_calls,
        if(fwd_flag = 1 and fwd_net <> 'ONNET', 1, 0) as fwd_offnet_calls,
        std_fee as voice_std_fee,
        act_fee as voice_fee,
        if(other_net <> 'ONNET', act_fee, 0) as offnet_fee,
        if(call_type = 'LD', act_fee, 0) as ld_fee,
        if(call_type in ('ROAM_IN', 'ROAM_OUT'), act_fee, 0) as roam_fee,
        0 as sms_count, 0 as sms_mo_count, 0 as sms_offnet_count, 0 as sms_fee,
        0 as data_records, 0 as data_kb, 0 as data_fee,
        0 as vas_count, 0 as vas_fee
    from voice
),

sms_rows as (
    select msisdn, batch_date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           1, if(direction = 'MO', 1, 0), if(other_net <> 'ONNET', 1, 0), fee, 0, 0, 0, 0, 0
    from sms
),

data_rows as (
    select msisdn, batch_date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 1, up_kb + down_kb, fee, 0, 0
    from data
),

vas_rows as (
    select msisdn, batch_date, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 1, fee
    from vas
),

usage_rows as (
    select * from voice_rows
    union all
    select * from sms_rows
    union all
    select * from data_rows
    union all
    select * from vas_rows
),

per_user as (
    select
        msisdn,
        batch_date,
        sum(voice_calls) as voice_calls,
        sum(voice_mo_calls) as voice_mo_calls,
        sum(voice_seconds) as voice_seconds,
        sum(voice_mo_seconds) as voice_mo_seconds,
        cast(sum(billed_seconds) / 60 as decimal(14, 1)) as billed_minutes,
        sum(local_calls) as local_calls,
        sum(ld_calls) as ld_calls,
        sum(roam_in_calls) as roam_in_calls,
        sum(roam_out_calls) as roam_out_calls,
        sum(offnet_calls) as offnet_calls,
        sum(fixed_calls) as fixed_calls,
        sum(offnet_seconds) as offnet_seconds,
        sum(fwd_calls) as fwd_calls,
        sum(fwd_offnet_calls) as fwd_offnet_calls,
        sum(voice_std_fee) as voice_std_fee,
        sum(voice_fee) as voice_fee,
        sum(offnet_fee) as offnet_fee,
        sum(ld_fee) as ld_fee,
        sum(roam_fee) as roam_fee,
        sum(sms_count) as sms_count,
        sum(sms_mo_count) as sms_mo_count,
        sum(sms_offnet_count) as sms_offnet_count,
        sum(sms_fee) as sms_fee,
        sum(data_records) as data_records,
        sum(data_kb) as data_kb,
        sum(data_fee) as data_fee,
        sum(vas_count) as vas_count,
        sum(vas_fee) as vas_fee
    from usage_rows
    group by msisdn, batch_date
),

contacts as (
    select
        msisdn,
        batch_date,
        count(distinct other_party) as contacts,
        count(distinct if(other_net <> 'ONNET', other_party, null)) as offnet_contacts
    from (
        select msisdn, other_party, other_net, batch_date from voice
        union all
        select msisdn, other_party, other_net, batch_date from sms
    )
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
        p.billed_minutes,
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
        p.voice_std_fee,
        p.voice_fee,
        p.offnet_fee,
        p.ld_fee,
        p.roam_fee,
        p.sms_count,
        p.sms_mo_count,
        p.sms_offnet_count,
        p.sms_fee,
        p.data_records,
        p.data_kb,
        p.data_fee,
        p.vas_count,
        p.vas_fee,
        coalesce(c.contacts, 0) as contacts,
        coalesce(c.offnet_contacts, 0) as offnet_contacts,
        p.voice_fee + p.sms_fee + p.data_fee + p.vas_fee as total_fee,
        p.batch_date
    from per_user as p
    left join contacts as c on c.msisdn = p.msisdn and c.batch_date = p.batch_date
    left join users as u on u.msisdn = p.msisdn and u.batch_date = p.batch_date
)

select * from final
