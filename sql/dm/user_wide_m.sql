-- dm.user_wide_m: the mining wide table, one row per user in the network at the end of each month
-- (:month_from..:month_to). Features read only months up to the row's own month (no leakage):
-- levels, 3-month means (of the months the user has), changes from last month, mix shares,
-- billing, payment, arrears, complaints, tenure, contract, handset, multi-SIM, call-graph and
-- relationship-network (dm.user_network_m)
-- features. CDR-based measures are scaled to 30 CDR days (months are loaded with different CDR
-- coverage, see mid.user_usage_m.cdr_days) and are null for months without CDRs.
-- churn_1m / churn_3m come from dm.churn_label_m; null until the horizon is loaded.
-- group_class is BASS's class of the user's group (dm.group_customer_m), not BOSS's.
with profile as (
    select *, year(to_date(batch_month || '-01')) * 12 + month(to_date(batch_month || '-01')) as month_idx
    from mid.user_profile_m
    where batch_month between date_format(add_months(:month_start, -2), 'yyyy-MM') and :month_to
),

usage as (
    select *
    from mid.user_usage_m
    where batch_month between date_format(add_months(:month_start, -2), 'yyyy-MM') and :month_to
),

bills as (
    select *
    from mid.user_bill_m
    where batch_month between date_format(add_months(:month_start, -2), 'yyyy-MM') and :month_to
),

complaints as (
    select *
    from mid.user_complaint_m
    where batch_month between date_format(add_months(:month_start, -2), 'yyyy-MM') and :month_to
      and user_id is not null
),

terminals as (
    select *
    from mid.user_terminal_m
    where batch_month between :month_from and :month_to
      and user_id is not null
),

-- the relationship network; influence is PageRank relative to the month's average, so months of
-- different sizes compare
network as (
    select user_id, batch_month, social_churn_exposure, in_out_balance,
           cast(community_size as double) as community_size, influence as pagerank_rel
    from dm.user_network_m
    where batch_month between :month_from and :month_to
),

groups as (
    select group_id, batch_month, group_class
    from dm.group_customer_m
    where batch_month between :month_from and :month_to
),

labels as (
    select user_id, batch_month, churn_1m, churn_3m
    from dm.churn_label_m
    where batch_month between :month_from and :month_to
),

base as (
    select
        p.user_id, p.batch_month, p.month_idx,
        cast(b.bill_act_fee as double) as revenue,
        cast(b.usage_fee as double) as usage_fee,
        cast(b.rent_fee as double) as rent_fee,
        cast(b.bill_discount as double) as discount,
        cast(b.local_call_fee as double) as local_call_fee,
        cast(b.ld_call_fee as double) as ld_call_fee,
        cast(b.roam_fee as double) as roam_fee,
        cast(b.sms_fee as double) as sms_fee,
        cast(b.data_fee as double) as data_fee,
        cast(b.vas_fee as double) as vas_fee,
        cast(b.pay_amount as double) as pay_amount,
        cast(b.pay_count as double) as pay_count,
        cast(b.balance as double) as balance,
        cast(b.arrears_amt as double) as arrears_amt,
        cast(b.arrears_days as double) as arrears_days,
        cast(coalesce(c.complaints, 0) as double) as complaints,
        cast(coalesce(c.cmp_unresolved, 0) as double) as cmp_unresolved,
        cast(g.voice_calls * 30.0 / g.cdr_days as double) as voice_calls,
        cast(g.voice_seconds / 60.0 * 30 / g.cdr_days as double) as voice_minutes,
        cast(g.billed_minutes * 30.0 / g.cdr_days as double) as billed_minutes,
        cast(g.sms_count * 30.0 / g.cdr_days as double) as sms_count,
        cast(g.data_kb / 1024.0 * 30 / g.cdr_days as double) as data_mb,
        cast(g.active_days * 1.0 / g.cdr_days as double) as active_day_share,
        cast(g.contacts * 1.0 as double) as contacts,
        cast(g.offnet_calls * 30.0 / g.cdr_days as double) as offnet_calls,
        cast(g.fwd_offnet_calls * 30.0 / g.cdr_days as double) as fwd_offnet_calls,
        cast(g.offnet_contacts * 1.0 as double) as offnet_contacts,
        cast(try_divide(g.offnet_calls, g.voice_calls) as double) as offnet_call_share,
        g.last_call_date
    from profile as p
    left join usage as g on g.user_id = p.user_id and g.batch_month = p.batch_month
    left join bills as b on b.user_id = p.user_id and b.batch_month = p.batch_month
    left join complaints as c on c.user_id = p.user_id and c.batch_month = p.batch_month
),

targets as (
    select *
    from profile
    where batch_month between :month_from and :month_to
      and in_net
),

trends as (
    select
        t.user_id, t.batch_month,
        sum(if(w.month_idx = t.month_idx, w.revenue, null)) as revenue,
        avg(w.revenue) as revenue_avg3,
        sum(if(w.month_idx = t.month_idx, w.revenue, null)) - sum(if(w.month_idx = t.month_idx - 1, w.revenue, null)) as revenue_chg1,
        sum(if(w.month_idx = t.month_idx, w.usage_fee, null)) as usage_fee,
        avg(w.usage_fee) as usage_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.usage_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.usage_fee, null)) as usage_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.rent_fee, null)) as rent_fee,
        avg(w.rent_fee) as rent_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.rent_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.rent_fee, null)) as rent_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.discount, null)) as discount,
        avg(w.discount) as discount_avg3,
        sum(if(w.month_idx = t.month_idx, w.discount, null)) - sum(if(w.month_idx = t.month_idx - 1, w.discount, null)) as discount_chg1,
        sum(if(w.month_idx = t.month_idx, w.local_call_fee, null)) as local_call_fee,
        avg(w.local_call_fee) as local_call_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.local_call_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.local_call_fee, null)) as local_call_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.ld_call_fee, null)) as ld_call_fee,
        avg(w.ld_call_fee) as ld_call_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.ld_call_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.ld_call_fee, null)) as ld_call_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.roam_fee, null)) as roam_fee,
        avg(w.roam_fee) as roam_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.roam_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.roam_fee, null)) as roam_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.sms_fee, null)) as sms_fee,
        avg(w.sms_fee) as sms_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.sms_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.sms_fee, null)) as sms_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.data_fee, null)) as data_fee,
        avg(w.data_fee) as data_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.data_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.data_fee, null)) as data_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.vas_fee, null)) as vas_fee,
        avg(w.vas_fee) as vas_fee_avg3,
        sum(if(w.month_idx = t.month_idx, w.vas_fee, null)) - sum(if(w.month_idx = t.month_idx - 1, w.vas_fee, null)) as vas_fee_chg1,
        sum(if(w.month_idx = t.month_idx, w.pay_amount, null)) as pay_amount,
        avg(w.pay_amount) as pay_amount_avg3,
        sum(if(w.month_idx = t.month_idx, w.pay_amount, null)) - sum(if(w.month_idx = t.month_idx - 1, w.pay_amount, null)) as pay_amount_chg1,
        sum(if(w.month_idx = t.month_idx, w.pay_count, null)) as pay_count,
        avg(w.pay_count) as pay_count_avg3,
        sum(if(w.month_idx = t.month_idx, w.pay_count, null)) - sum(if(w.month_idx = t.month_idx - 1, w.pay_count, null)) as pay_count_chg1,
        sum(if(w.month_idx = t.month_idx, w.balance, null)) as balance,
        avg(w.balance) as balance_avg3,
        sum(if(w.month_idx = t.month_idx, w.balance, null)) - sum(if(w.month_idx = t.month_idx - 1, w.balance, null)) as balance_chg1,
        sum(if(w.month_idx = t.month_idx, w.arrears_amt, null)) as arrears_amt,
        avg(w.arrears_amt) as arrears_amt_avg3,
        sum(if(w.month_idx = t.month_idx, w.arrears_amt, null)) - sum(if(w.month_idx = t.month_idx - 1, w.arrears_amt, null)) as arrears_amt_chg1,
        sum(if(w.month_idx = t.month_idx, w.arrears_days, null)) as arrears_days,
        avg(w.arrears_days) as arrears_days_avg3,
        sum(if(w.month_idx = t.month_idx, w.arrears_days, null)) - sum(if(w.month_idx = t.month_idx - 1, w.arrears_days, null)) as arrears_days_chg1,
        sum(if(w.month_idx = t.month_idx, w.complaints, null)) as complaints,
        avg(w.complaints) as complaints_avg3,
        sum(if(w.month_idx = t.month_idx, w.complaints, null)) - sum(if(w.month_idx = t.month_idx - 1, w.complaints, null)) as complaints_chg1,
        sum(if(w.month_idx = t.month_idx, w.cmp_unresolved, null)) as cmp_unresolved,
        avg(w.cmp_unresolved) as cmp_unresolved_avg3,
        sum(if(w.month_idx = t.month_idx, w.cmp_unresolved, null)) - sum(if(w.month_idx = t.month_idx - 1, w.cmp_unresolved, null)) as cmp_unresolved_chg1,
        sum(if(w.month_idx = t.month_idx, w.voice_calls, null)) as voice_calls,
        avg(w.voice_calls) as voice_calls_avg3,
        sum(if(w.month_idx = t.month_idx, w.voice_calls, null)) - sum(if(w.month_idx = t.month_idx - 1, w.voice_calls, null)) as voice_calls_chg1,
        sum(if(w.month_idx = t.month_idx, w.voice_minutes, null)) as voice_minutes,
        avg(w.voice_minutes) as voice_minutes_avg3,
        sum(if(w.month_idx = t.month_idx, w.voice_minutes, null)) - sum(if(w.month_idx = t.month_idx - 1, w.voice_minutes, null)) as voice_minutes_chg1,
        sum(if(w.month_idx = t.month_idx, w.billed_minutes, null)) as billed_minutes,
        avg(w.billed_minutes) as billed_minutes_avg3,
        sum(if(w.month_idx = t.month_idx, w.billed_minutes, null)) - sum(if(w.month_idx = t.month_idx - 1, w.billed_minutes, null)) as billed_minutes_chg1,
        sum(if(w.month_idx = t.month_idx, w.sms_count, null)) as sms_count,
        avg(w.sms_count) as sms_count_avg3,
        sum(if(w.month_idx = t.month_idx, w.sms_count, null)) - sum(if(w.month_idx = t.month_idx - 1, w.sms_count, null)) as sms_count_chg1,
        sum(if(w.month_idx = t.month_idx, w.data_mb, null)) as data_mb,
        avg(w.data_mb) as data_mb_avg3,
        sum(if(w.month_idx = t.month_idx, w.data_mb, null)) - sum(if(w.month_idx = t.month_idx - 1, w.data_mb, null)) as data_mb_chg1,
        sum(if(w.month_idx = t.month_idx, w.active_day_share, null)) as active_day_share,
        avg(w.active_day_share) as active_day_share_avg3,
        sum(if(w.month_idx = t.month_idx, w.active_day_share, null)) - sum(if(w.month_idx = t.month_idx - 1, w.active_day_share, null)) as active_day_share_chg1,
        sum(if(w.month_idx = t.month_idx, w.contacts, null)) as contacts,
        avg(w.contacts) as contacts_avg3,
        sum(if(w.month_idx = t.month_idx, w.contacts, null)) - sum(if(w.month_idx = t.month_idx - 1, w.contacts, null)) as contacts_chg1,
        sum(if(w.month_idx = t.month_idx, w.offnet_calls, null)) as offnet_calls,
        avg(w.offnet_calls) as offnet_calls_avg3,
        sum(if(w.month_idx = t.month_idx, w.offnet_calls, null)) - sum(if(w.month_idx = t.month_idx - 1, w.offnet_calls, null)) as offnet_calls_chg1,
        sum(if(w.month_idx = t.month_idx, w.fwd_offnet_calls, null)) as fwd_offnet_calls,
        avg(w.fwd_offnet_calls) as fwd_offnet_calls_avg3,
        sum(if(w.month_idx = t.month_idx, w.fwd_offnet_calls, null)) - sum(if(w.month_idx = t.month_idx - 1, w.fwd_offnet_calls, null)) as fwd_offnet_calls_chg1,
        sum(if(w.month_idx = t.month_idx, w.offnet_contacts, null)) as offnet_contacts,
        avg(w.offnet_contacts) as offnet_contacts_avg3,
        sum(if(w.month_idx = t.month_idx, w.offnet_contacts, null)) - sum(if(w.month_idx = t.month_idx - 1, w.offnet_contacts, null)) as offnet_contacts_chg1,
        sum(if(w.month_idx = t.month_idx, w.offnet_call_share, null)) as offnet_call_share,
        avg(w.offnet_call_share) as offnet_call_share_avg3,
        sum(if(w.month_idx = t.month_idx, w.offnet_call_share, null)) - sum(if(w.month_idx = t.month_idx - 1, w.offnet_call_share, null)) as offnet_call_share_chg1,
        count(distinct w.month_idx) as months_seen,
        -- recency: 3 = not in the last 3 months
        datediff(last_day(to_date(t.batch_month || '-01')), max(w.last_call_date)) as days_since_call,
        coalesce(max(t.month_idx) - max(if(w.pay_count > 0, w.month_idx, null)), 3) as months_since_payment,
        coalesce(max(t.month_idx) - max(if(w.complaints > 0, w.month_idx, null)), 3) as months_since_complaint
    from targets as t
    join base as w on w.user_id = t.user_id and w.month_idx between t.month_idx - 2 and t.month_idx
    group by t.user_id, t.batch_month
),

final as (
    select
        t.user_id, t.msisdn, t.cust_id,
        t.region_code, t.brand, t.plan_id, t.net_gen, t.sim_type, t.channel_id, t.status,
        t.tenure_months, t.age, t.gender, t.cust_type, t.vip_tier,
        t.group_id is not null as group_member, gc.group_class,
        t.pay_method, t.paying_accounts, t.rent_paid_by_other, cast(t.monthly_fee as double) as monthly_fee,
        t.contract_type, t.contract_type is not null as has_contract, t.contract_months_left,
        t.contract_months_left between 0 and 3 as contract_ends_3m,
        t.is_new,
        r.* except (user_id, batch_month),
        -- trends: this month against the 3-month mean (1 = steady, 0 = stopped)
        try_divide(r.revenue, r.revenue_avg3) as revenue_trend,
        try_divide(r.voice_minutes, r.voice_minutes_avg3) as voice_minutes_trend,
        try_divide(r.data_mb, r.data_mb_avg3) as data_mb_trend,
        try_divide(r.sms_count, r.sms_count_avg3) as sms_count_trend,
        try_divide(r.contacts, r.contacts_avg3) as contacts_trend,
        try_divide(r.active_day_share, r.active_day_share_avg3) as active_day_share_trend,
        case when t.tenure_months < 6 then '00-05' when t.tenure_months < 12 then '06-11'
             when t.tenure_months < 24 then '12-23' when t.tenure_months < 48 then '24-47' else '48+' end as tenure_band,
        -- interactions a linear model cannot build itself
        if(t.contract_months_left between 0 and 3, 1 - least(coalesce(try_divide(r.voice_minutes, r.voice_minutes_avg3), 1), 1), 0)
            as contract_end_x_usage_drop,
        coalesce(r.complaints_avg3, 0) * coalesce(r.offnet_call_share, 0) as complaints_x_offnet_share,
        if(t.tenure_months < 12, coalesce(r.arrears_days, 0), 0) as new_user_x_arrears_days,
        try_divide(g.offnet_seconds, g.voice_seconds) as offnet_seconds_share,
        try_divide(g.fwd_calls, g.voice_calls) as fwd_share,
        try_divide(g.fwd_offnet_calls, g.voice_calls) as fwd_offnet_share,
        try_divide(g.voice_mo_calls, g.voice_calls) as mo_call_share,
        try_divide(g.ld_calls, g.voice_calls) as ld_call_share,
        try_divide(g.roam_in_calls + g.roam_out_calls, g.voice_calls) as roam_call_share,
        try_divide(g.offnet_contacts, g.contacts) as offnet_contact_share,
        try_divide(g.sms_offnet_count, g.sms_count) as sms_offnet_share,
        try_divide(b.data_fee, b.bill_act_fee) as data_fee_share,
        try_divide(b.vas_fee, b.bill_act_fee) as vas_fee_share,
        try_divide(b.rent_fee, b.bill_act_fee) as rent_share,
        try_divide(b.bill_discount, b.bill_std_fee) as discount_rate,
        try_divide(b.pay_amount, b.bill_act_fee) as pay_ratio,
        try_divide(b.pay_bank_collect, b.pay_amount) as bank_collect_share,
        try_divide(b.pay_topup_card, b.pay_amount) as topup_card_share,
        b.main_pay_channel,
        coalesce(b.stop_count, 0) as stop_count,
        coalesce(c.max_level, 0) as complaint_max_level,
        coalesce(c.cmp_network, 0) as complaints_network,
        coalesce(c.cmp_billing, 0) as complaints_billing,
        c.avg_satisfaction,
        c.min_satisfaction,
        c.avg_reply_hours,
        m.lte_capable,
        m.maker as handset_maker,
        m.imei_changed,
        m.shared_msisdns,
        m.multi_sim,
        g.cdr_days,
        n.social_churn_exposure,
        n.pagerank_rel,
        n.community_size,
        n.in_out_balance,
        l.churn_1m,
        l.churn_3m,
        t.batch_month
    from targets as t
    join trends as r on r.user_id = t.user_id and r.batch_month = t.batch_month
    left join usage as g on g.user_id = t.user_id and g.batch_month = t.batch_month
    left join bills as b on b.user_id = t.user_id and b.batch_month = t.batch_month
    left join complaints as c on c.user_id = t.user_id and c.batch_month = t.batch_month
    left join terminals as m on m.user_id = t.user_id and m.batch_month = t.batch_month
    left join network as n on n.user_id = t.user_id and n.batch_month = t.batch_month
    left join labels as l on l.user_id = t.user_id and l.batch_month = t.batch_month
    left join groups as gc on gc.group_id = t.group_id and gc.batch_month = t.batch_month
)

select * from final
