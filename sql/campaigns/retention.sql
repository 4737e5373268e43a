-- Campaign retention: users whose churn probability is at least :min_prob, prioritised by
-- :rank_by ('expected_loss': churn probability x the revenue of the next 3 months if retained;
-- 'value_score': the most valuable first; 'uplift': the churn a contact prevents, from the uplift
-- model, x that revenue, falling back to expected loss while no uplift model exists).
with scores as (
    select user_id, msisdn, churn_prob, churn_reasons, batch_month
    from dm.churn_score_m
    where batch_month >= :month_from and batch_month <= :month_to
      and churn_prob >= :min_prob
),
uplift as (
    select user_id, batch_month, uplift
    from dm.uplift_score_m
    where batch_month >= :month_from and batch_month <= :month_to
),
value as (
    select user_id, batch_month, value_score, predicted_revenue_3m
    from dm.user_value_m
    where batch_month >= :month_from and batch_month <= :month_to
),
final as (
    select s.user_id, s.msisdn,
           case when :rank_by = 'value_score' then cast(v.value_score as double)
                when :rank_by = 'uplift' and u.uplift is not null then u.uplift * cast(v.predicted_revenue_3m as double)
                else s.churn_prob * cast(v.predicted_revenue_3m as double) end as priority,
           s.churn_reasons as reason
    from scores s
    left join value v on v.user_id = s.user_id and v.batch_month = s.batch_month
    left join uplift u on u.user_id = s.user_id and u.batch_month = s.batch_month
)
select * from final
