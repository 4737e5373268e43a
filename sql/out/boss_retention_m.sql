-- out.boss_retention_m: the retention list for BOSS (客户挽留, docs/domain.md §6.1): the retention
-- campaign's treated users (out.campaign_target_m; the control group is never sent) in priority
-- order, with the fields the document lists. Text fields never carry the file delimiter.
with targets as (
    select user_id, msisdn, target_rank, batch_month
    from out.campaign_target_m
    where batch_month >= :month_from and batch_month <= :month_to
      and campaign_id = 'retention' and grp = 'treated'
),
scores as (
    select user_id, batch_month, churn_prob, churn_reasons, churn_features
    from dm.churn_score_m
    where batch_month >= :month_from and batch_month <= :month_to
),
value as (
    select user_id, batch_month, arpu, mou, credit_score, growth_potential, value_tier
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
final as (
    select
        row_number() over (partition by t.batch_month order by t.target_rank) as list_rank,
        t.msisdn,
        c.cust_name,
        g.segment_id,
        g.segment_desc,
        t.batch_month as analysis_month,
        v.arpu, v.mou, v.credit_score, v.growth_potential, v.value_tier,
        s.churn_reasons as churn_reason,
        s.churn_features,
        s.churn_prob,
        t.batch_month
    from targets t
    join scores s on s.user_id = t.user_id and s.batch_month = t.batch_month
    left join value v on v.user_id = t.user_id and v.batch_month = t.batch_month
    left join segment g on g.user_id = t.user_id and g.batch_month = t.batch_month
    left join customer c on c.user_id = t.user_id and c.batch_month = t.batch_month
)
select * from final
