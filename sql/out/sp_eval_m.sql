-- out.sp_eval_m: SP evaluation (SP 评估) per SP service and month :month_from..:month_to, from the
-- VAS records of the loaded CDR days (a user of a service: one who used it on one of them).
--   users, records, revenue, revenue_share   the service's users, uses and fees; share of all VAS fees
--   vas_complaints, complaints_per_k         VAS complaints of the month by its users' MSISDNs, per 1,000 users
--   prev_users, lapsed_users, unsub_rate     last month's users still in the network, those who did not
--                                            use it this month, and their share (BOSS delivers no
--                                            unsubscription events, so a lapse stands for one)
--   churned_users, churn_rate                last month's users who left this month
--   expected_churn_rate, churn_ratio         the churn this month of users of the same brand and city,
--                                            averaged over those users; churn_rate over it
--   score, sp_rank                           revenue_share × (1 − unsub_rate) ÷ (1 + complaints_per_k / 10)
--                                            ÷ max(churn_ratio, 1): revenue, discounted for unhappy users;
--                                            rank 1 is the best service of the month
--   warning                                  which of :complaints_per_k, :unsub_rate, :churn_ratio it exceeds
with months as (
    select date_format(m, 'yyyy-MM') as batch_month
    from (select explode(sequence(:month_start, :month_to_start, interval 1 month)) as m)
),

vas as (
    select v.msisdn, d.user_id, v.sp_code, v.service_code, v.fee, date_format(v.batch_date, 'yyyy-MM') as batch_month
    from ods.vas_usage as v
    join mid.user_usage_d as d on d.msisdn = v.msisdn and d.batch_date = v.batch_date
    where v.batch_date between add_months(:month_start, -1) and :month_end
      and d.batch_date between add_months(:month_start, -1) and :month_end
),

subscribers as (
    select distinct batch_month, sp_code, service_code, user_id, msisdn from vas where user_id is not null
),

usage as (
    select batch_month, sp_code, service_code, count(distinct user_id) as users, count(*) as records, sum(fee) as revenue
    from vas
    where batch_month >= :month_from
    group by batch_month, sp_code, service_code
),

vas_total as (
    select batch_month, sum(revenue) as all_revenue from usage group by batch_month
),

complaints as (
    select s.batch_month, s.sp_code, s.service_code, count(*) as vas_complaints
    from ods.complaint as c
    join subscribers as s on s.msisdn = c.msisdn and s.batch_month = c.batch_month
    where c.batch_month between :month_from and :month_to and c.category = 'VAS'
    group by s.batch_month, s.sp_code, s.service_code
),

profile as (
    select user_id, brand, region_code, in_net, churned_in_month, in_net_at_start, batch_month
    from mid.user_profile_m
    where batch_month between :month_from and :month_to
),

-- the month's churn of the users in the network on its first day, by brand and city
cell_churn as (
    select batch_month, brand, region_code, avg(cast(churned_in_month as int)) as rate
    from profile
    where in_net_at_start
    group by batch_month, brand, region_code
),

-- last month's users of each service, as they are this month
followed as (
    select m.batch_month, s.sp_code, s.service_code, s.user_id, p.churned_in_month, c.rate as expected,
           p.in_net and n.user_id is null as lapsed
    from months as m
    join subscribers as s on s.batch_month = date_format(add_months(to_date(m.batch_month || '-01'), -1), 'yyyy-MM')
    join profile as p on p.user_id = s.user_id and p.batch_month = m.batch_month
    left join cell_churn as c on c.batch_month = p.batch_month and c.brand = p.brand and c.region_code = p.region_code
    left join subscribers as n
      on n.user_id = s.user_id and n.batch_month = m.batch_month and n.sp_code = s.sp_code and n.service_code = s.service_code
    where p.in_net_at_start
),

cohort as (
    select batch_month, sp_code, service_code,
           count(*) as prev_users,
           count_if(lapsed) as lapsed_users,
           count_if(churned_in_month) as churned_users,
           avg(expected) as expected_churn_rate
    from followed
    group by batch_month, sp_code, service_code
),

measures as (
    select
        s.batch_month, s.sp_code, s.sp_name, s.service_code, s.service_name, s.price,
        coalesce(u.users, 0) as users,
        coalesce(u.records, 0) as records,
        coalesce(u.revenue, 0) as revenue,
        try_divide(u.revenue, t.all_revenue) as revenue_share,
        coalesce(c.vas_complaints, 0) as vas_complaints,
        try_divide(1000.0 * coalesce(c.vas_complaints, 0), u.users) as complaints_per_k,
        coalesce(h.prev_users, 0) as prev_users,
        coalesce(h.lapsed_users, 0) as lapsed_users,
        try_divide(h.lapsed_users, h.prev_users - h.churned_users) as unsub_rate,
        coalesce(h.churned_users, 0) as churned_users,
        try_divide(h.churned_users, h.prev_users) as churn_rate,
        h.expected_churn_rate,
        try_divide(try_divide(h.churned_users, h.prev_users), h.expected_churn_rate) as churn_ratio
    from mid.sp_m as s
    left join usage as u on u.batch_month = s.batch_month and u.sp_code = s.sp_code and u.service_code = s.service_code
    left join vas_total as t on t.batch_month = s.batch_month
    left join complaints as c on c.batch_month = s.batch_month and c.sp_code = s.sp_code and c.service_code = s.service_code
    left join cohort as h on h.batch_month = s.batch_month and h.sp_code = s.sp_code and h.service_code = s.service_code
    where s.batch_month between :month_from and :month_to
),

scored as (
    select *,
           coalesce(revenue_share, 0) * (1 - coalesce(unsub_rate, 0)) / (1 + coalesce(complaints_per_k, 0) / 10)
               / greatest(coalesce(churn_ratio, 1), 1) as score
    from measures
),

final as (
    select
        batch_month as stat_month, sp_code, sp_name, service_code, service_name, price, users, records, revenue,
        revenue_share, vas_complaints, complaints_per_k, prev_users, lapsed_users, unsub_rate, churned_users, churn_rate,
        expected_churn_rate, churn_ratio, score,
        rank() over (partition by batch_month order by score desc, revenue desc, sp_code, service_code) as sp_rank,
        nullif(concat_ws('；',
            if(complaints_per_k > :complaints_per_k, concat('投诉率 ', format_number(complaints_per_k, 1), '‰'), null),
            if(unsub_rate > :unsub_rate, concat('退订率 ', format_number(100 * unsub_rate, 0), '%'), null),
            if(churn_ratio > :churn_ratio, concat('用户离网率为同类用户的 ', format_number(churn_ratio, 1), ' 倍'), null)), '') as warning,
        batch_month
    from scored
)

select * from final
