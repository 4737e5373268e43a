-- mid.user_usage_m: per MSISDN and user per month usage: the month's daily rows summed, the days
-- with usage, and the call graph over the whole month (distinct contacts, and how many are on other networks).
-- cdr_days says how many CDR days of the month are loaded: months before the CDR history starts
-- have fewer (or none), and consumers must not read a short month as low usage. A re-issued
-- number has a row for each user who held it in the month, each with the days mid.user_usage_d
-- gave that user; usage of numbers that are not ours has user_id null. Join users on user_id.
with daily as (
    select *, date_format(batch_date, 'yyyy-MM') as batch_month
    from mid.user_usage_d
    where batch_date between :month_start and :month_end
),

loaded_days as (
    select batch_month, count(distinct batch_date) as cdr_days
    from daily
    group by batch_month
),

-- each (user, other party) once, then counted: one aggregation instead of one per distinct count.
-- A CDR belongs to the user who held its MSISDN that day (mid.user_usage_d says who).
pairs as (
    select
        c.msisdn, d.user_id, d.batch_month, c.other_party,
        max(if(c.other_net = 'ONNET', 1, 0)) as onnet,
        max(if(c.other_net <> 'ONNET', 1, 0)) as offnet
    from (
        select msisdn, other_party, other_net, batch_date
        from ods.cdr_voice
        where batch_date between :month_start and :month_end
        union all
        select msisdn, other_party, other_net, batch_date
        from ods.cdr_sms
        where batch_date between :month_start and :month_end
    ) as c
    join daily as d on d.msisdn = c.msisdn and d.batch_date = c.batch_date
    where c.other_party is not null
    group by c.msisdn, d.user_id, d.batch_month, c.other_party
),

graph as (
    select
        msisdn, user_id, batch_month,
        count(*) as contacts,
        sum(onnet) as onnet_contacts,
        sum(offnet) as offnet_contacts
    from pairs
    group by msisdn, user_id, batch_month
),

per_user as (
    select
        msisdn, batch_month,
        user_id,
        count(*) as active_days,
        sum(voice_calls) as voice_calls, sum(voice_mo_calls) as voice_mo_calls, sum(voice_mt_calls) as voice_mt_calls,
        sum(voice_seconds) as voice_seconds, sum(voice_mo_seconds) as voice_mo_seconds,
        sum(billed_minutes) as billed_minutes,
        sum(local_calls) as local_calls, sum(ld_calls) as ld_calls,
        sum(roam_in_calls) as roam_in_calls, sum(roam_out_calls) as roam_out_calls, sum(roam_intl_calls) as roam_intl_calls,
        sum(onnet_calls) as onnet_calls, sum(offnet_calls) as offnet_calls, sum(fixed_calls) as fixed_calls,
        sum(offnet_seconds) as offnet_seconds,
        sum(fwd_calls) as fwd_calls, sum(fwd_offnet_calls) as fwd_offnet_calls, sum(fwd_offnet_seconds) as fwd_offnet_seconds,
        sum(voice_std_fee) as voice_std_fee, sum(voice_fee) as voice_fee, sum(offnet_fee) as offnet_fee,
        sum(ld_fee) as ld_fee, sum(roam_fee) as roam_fee, sum(roam_ld_fee) as roam_ld_fee, sum(roam_intl_fee) as roam_intl_fee,
        sum(visit_calls) as visit_calls, sum(visit_fee) as visit_fee,
        sum(visit_intl_calls) as visit_intl_calls, sum(visit_intl_fee) as visit_intl_fee,
        sum(offnet_mo_minutes) as offnet_mo_minutes,
        sum(sms_count) as sms_count, sum(sms_mo_count) as sms_mo_count, sum(sms_offnet_count) as sms_offnet_count,
        sum(sms_fee) as sms_fee,
        sum(data_records) as data_records, sum(data_kb) as data_kb, sum(data_up_kb) as data_up_kb, sum(data_down_kb) as data_down_kb, sum(data_fee) as data_fee,
        sum(vas_count) as vas_count, sum(vas_fee) as vas_fee,
        sum(total_fee) as total_fee,
        max(if(voice_calls > 0, batch_date, null)) as last_call_date
    from daily
    group by msisdn, user_id, batch_month
),

final as (
    select
        p.*,
        coalesce(g.contacts, 0) as contacts,
        coalesce(g.onnet_contacts, 0) as onnet_contacts,
        coalesce(g.offnet_contacts, 0) as offnet_contacts,
        d.cdr_days
    from per_user as p
    join loaded_days as d on d.batch_month = p.batch_month
    left join graph as g on g.msisdn = p.msisdn and g.user_id <=> p.user_id and g.batch_month = p.batch_month
)

select * from final
