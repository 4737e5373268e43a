-- out.boss_retention_m: the retention list for BOSS (客户挽留, DOMAIN.md §6.1).
-- Users whose churn probability is at least :min_prob, at most :max_rows a month, ranked by
-- :rank_by: 'expected_loss' (churn probability × the revenue of the next 3 months if retained) or
-- 'value_score' (the most valuable first). Text fields never carry the file delimiter.
with scores as (
    select user_id, msisdn, churn_prob, churn_reasons, churn_features, batch_month
    from dm.churn_score_m
    where batch_month >= :month_from and batch_month <= :month_to
      and churn_prob >= :min_prob
),
value as (
    select user_id, batch_month, arpu, mou, credit_score, growth_potential, value_score, value_tier,
           predicted_revenue_3m
    from dm.user_value_m
    where batch_month >= :month_from and batch_month <= :month_to
),
segment as (
    select user_id, batch_month, segment_id, segment_desc
    from dm.user_segment_m
    where batch_month >= :month_from and batch_month <= :month_to
),
customer as (
    select w.user_id, w.batch_month, c.cust_name
    from dm.user_wide_m w
    left join mid.customer_m c on c.cust_id = w.cust_id and c.batch_month = w.batch_month
    where w.batch_month >= :month_from and w.batch_month <= :month_to
),
listed as (
    select
        row_number() over (partition by s.batch_month
                           order by case when :rank_by = 'value_score' then v.value_score
                                         else s.churn_prob * v.predicted_revenue_3m end desc nulls last,
                                    s.churn_prob desc, s.msisdn) as list_rank,
        s.msisdn,
        replace(c.cust_name, '|', '/') as cust_name,
        g.segment_id,
        replace(g.segment_desc, '|', '/') as segment_desc,
        s.batch_month as analysis_month,
        v.arpu, v.mou, v.credit_score, v.growth_potential, v.value_tier,
        replace(s.churn_reasons, '|', '/') as churn_reason,
        replace(s.churn_features, '|', '/') as churn_features,
        s.churn_prob,
        s.batch_month
    from scores s
    left join value v on v.user_id = s.user_id and v.batch_month = s.batch_month
    left join segment g on g.user_id = s.user_id and g.batch_month = s.batch_month
    left join customer c on c.user_id = s.user_id and c.batch_month = s.batch_month
)
select *
from listed
where list_rank <= :max_rows
