-- out.boss_care_m: the care list for BOSS (客户关怀, docs/domain.md §6.3): the care campaign's treated
-- users with the care action their segment is matched to, and its control group as SURVEY_ONLY:
-- BOSS gives them no care, only the satisfaction survey (满意度回访) every listed user gets, so
-- satisfaction can be compared treated against control (dm.campaign_eval_m, dm.care_eval_m).
with targets as (
    select campaign_id, user_id, msisdn, target_rank,
           if(grp = 'treated', action_code, 'SURVEY_ONLY') as action_code,
           if(grp = 'treated', action_desc, 'Satisfaction survey only (control group: no care action)') as action_desc,
           channel, batch_month
    from out.campaign_target_m
    where batch_month >= :month_from and batch_month <= :month_to
      and campaign_id = 'care'
),
value as (
    select user_id, batch_month, value_tier
    from dm.user_value_m
    where batch_month >= :month_from and batch_month <= :month_to
),
segment as (
    select user_id, batch_month, segment_desc
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
        t.campaign_id, t.msisdn,
        c.cust_name,
        g.segment_desc,
        v.value_tier,
        t.action_code as care_action, t.action_desc as care_desc, t.channel,
        t.batch_month as analysis_month,
        t.batch_month
    from targets t
    left join value v on v.user_id = t.user_id and v.batch_month = t.batch_month
    left join segment g on g.user_id = t.user_id and g.batch_month = t.batch_month
    left join customer c on c.user_id = t.user_id and c.batch_month = t.batch_month
)
select * from final
