-- dm.care_eval_m: what care did (客户关怀, docs/domain.md §6.3), per care campaign, care action,
-- segment and list month, once the outcomes are known: the treated users against the control
-- users matched to the same action (held back at random, sent to BOSS for the satisfaction survey
-- alone), so the differences are the action's effect in that segment. Care is for satisfaction and
-- loyalty: the survey's mean answer (1-5) with a 95 % normal interval of the difference, staying
-- (churn within the outcome months), the spend kept (mean bill after over before) and complaints
-- per user and month over the outcome months. A month whose outcomes are not all known has no row.
with targets as (
    select t.campaign_id, t.user_id, t.grp, t.action_code, t.outcome_months, t.batch_month, r.satisfaction
    from out.campaign_target_m t
    left join mid.campaign_response_m r
      on r.campaign_id = t.campaign_id and r.user_id = t.user_id and r.batch_month = t.batch_month
    where t.batch_month >= :month_from and t.batch_month <= :month_to
      and t.campaign_kind = 'care'
),
segments as (
    select user_id, batch_month, segment_desc
    from dm.user_segment_m
    where batch_month >= :month_from and batch_month <= :month_to
),
labels as (
    select user_id, batch_month, churn_1m, churn_3m
    from dm.churn_label_m
    where batch_month >= :month_from and batch_month <= :month_to
),
bills as (
    select user_id, batch_month, bill_act_fee
    from mid.user_bill_m
    where batch_month >= :month_from
),
after as (
    select t.campaign_id, t.user_id, t.batch_month, coalesce(sum(b.bill_act_fee), 0) / max(t.outcome_months) as bill_after
    from targets t
    left join bills b
      on b.user_id = t.user_id and b.batch_month > t.batch_month
     and b.batch_month <= date_format(add_months(to_date(t.batch_month || '-01'), t.outcome_months), 'yyyy-MM')
    group by t.campaign_id, t.user_id, t.batch_month
),
complained as (
    select t.campaign_id, t.user_id, t.batch_month, coalesce(sum(c.complaints), 0) / max(t.outcome_months) as complaints_after
    from targets t
    left join mid.user_complaint_m c
      on c.user_id = t.user_id and c.batch_month > t.batch_month
     and c.batch_month <= date_format(add_months(to_date(t.batch_month || '-01'), t.outcome_months), 'yyyy-MM')
    group by t.campaign_id, t.user_id, t.batch_month
),
outcomes as (
    select t.*, coalesce(s.segment_desc, 'no segment') as segment_desc,
           case t.outcome_months when 1 then l.churn_1m when 3 then l.churn_3m end as churned,
           coalesce(b0.bill_act_fee, 0) as bill_before, a.bill_after, k.complaints_after
    from targets t
    join after a on a.campaign_id = t.campaign_id and a.user_id = t.user_id and a.batch_month = t.batch_month
    join complained k on k.campaign_id = t.campaign_id and k.user_id = t.user_id and k.batch_month = t.batch_month
    left join segments s on s.user_id = t.user_id and s.batch_month = t.batch_month
    left join labels l on l.user_id = t.user_id and l.batch_month = t.batch_month
    left join bills b0 on b0.user_id = t.user_id and b0.batch_month = t.batch_month
),
per_group as (
    select campaign_id, action_code, segment_desc, batch_month,
           count_if(grp = 'treated') as treated,
           count_if(grp = 'control') as control,
           count_if(churned is null) as unknown_outcomes,
           count(case when grp = 'treated' then satisfaction end) as surveyed_treated,
           count(case when grp = 'control' then satisfaction end) as surveyed_control,
           avg(case when grp = 'treated' then satisfaction end) as satisfaction_treated,
           avg(case when grp = 'control' then satisfaction end) as satisfaction_control,
           var_samp(case when grp = 'treated' then satisfaction end) as var_treated,
           var_samp(case when grp = 'control' then satisfaction end) as var_control,
           avg(case when grp = 'treated' then cast(churned as int) end) as churn_treated,
           avg(case when grp = 'control' then cast(churned as int) end) as churn_control,
           avg(case when grp = 'treated' then bill_before end) as before_treated,
           avg(case when grp = 'control' then bill_before end) as before_control,
           avg(case when grp = 'treated' then bill_after end) as after_treated,
           avg(case when grp = 'control' then bill_after end) as after_control,
           avg(case when grp = 'treated' then complaints_after end) as complaints_treated,
           avg(case when grp = 'control' then complaints_after end) as complaints_control
    from outcomes
    group by campaign_id, action_code, segment_desc, batch_month
),
final as (
    select campaign_id, action_code, segment_desc, treated, control, surveyed_treated, surveyed_control,
           satisfaction_treated, satisfaction_control,
           satisfaction_treated - satisfaction_control as satisfaction_uplift,
           satisfaction_treated - satisfaction_control
             - 1.96 * sqrt(var_treated / surveyed_treated + var_control / surveyed_control) as satisfaction_ci_low,
           satisfaction_treated - satisfaction_control
             + 1.96 * sqrt(var_treated / surveyed_treated + var_control / surveyed_control) as satisfaction_ci_high,
           churn_treated, churn_control,
           cast(try_divide(after_treated, before_treated) as double) as arpu_kept_treated,
           cast(try_divide(after_control, before_control) as double) as arpu_kept_control,
           cast(complaints_treated as double) as complaints_treated,
           cast(complaints_control as double) as complaints_control,
           batch_month
    from per_group
    where unknown_outcomes = 0 and treated > 0 and control > 0
)
select * from final
