-- out.value_list_m: the customer value list for BOSS's front desk (客户价值名单), one row per user in
-- the network at the end of :month_from..:month_to: the value model's tier and score, ARPU, MOU,
-- credit score and growth potential (dm.user_value_m), tenure, VIP tier (dm.vip_m), group class,
-- and RFM scores of 1 (worst) to 5 (best) by the month's quintiles:
--   recency    days from the last call to month end over the last 3 months (no call seen: 1)
--   frequency  the share of loaded CDR days the user was active, averaged over 3 months
--   monetary   actual revenue, averaged over 3 months
-- The quintiles are approximate (percentile_approx per month), so no window sorts a whole month in
-- one task.
with users as (
    select user_id, msisdn, cust_id, region_code, brand, plan_id, tenure_months, group_class,
           days_since_call, active_day_share_avg3, revenue_avg3, batch_month
    from dm.user_wide_m
    where batch_month between :month_from and :month_to   -- users in the network only
),

quintiles as (
    select batch_month,
           percentile_approx(days_since_call, array(0.2, 0.4, 0.6, 0.8)) as q_recency,
           percentile_approx(active_day_share_avg3, array(0.2, 0.4, 0.6, 0.8)) as q_frequency,
           percentile_approx(revenue_avg3, array(0.2, 0.4, 0.6, 0.8)) as q_monetary
    from users
    group by batch_month
),

scored as (
    select u.*,
           -- a month without the measure (all null) scores everyone 1
           if(u.days_since_call is null, 1, coalesce(5 - size(filter(q.q_recency, t -> u.days_since_call > t)), 1)) as r_score,
           coalesce(1 + size(filter(q.q_frequency, t -> coalesce(u.active_day_share_avg3, 0) > t)), 1) as f_score,
           coalesce(1 + size(filter(q.q_monetary, t -> coalesce(u.revenue_avg3, 0) > t)), 1) as m_score
    from users as u
    join quintiles as q on q.batch_month = u.batch_month
),

final as (
    select
        s.batch_month as stat_month, s.msisdn, s.cust_id, s.region_code, s.brand, s.plan_id,
        v.value_tier, v.value_score, v.arpu, v.mou, v.credit_score, v.growth_potential,
        s.tenure_months, p.vip_tier, s.group_class,
        s.days_since_call as recency_days, s.active_day_share_avg3 as frequency, s.revenue_avg3 as monetary,
        s.r_score, s.f_score, s.m_score, concat(s.r_score, s.f_score, s.m_score) as rfm_cell,
        s.batch_month
    from scored as s
    left join dm.user_value_m as v on v.user_id = s.user_id and v.batch_month = s.batch_month
    left join dm.vip_m as p on p.user_id = s.user_id and p.batch_month = s.batch_month
)

select * from final
