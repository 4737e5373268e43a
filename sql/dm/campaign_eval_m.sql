-- dm.campaign_eval_m: what each campaign's list of the month did (模型评估, docs/domain.md §10),
-- once its outcomes are known: the treated users (sent to BOSS) against the control group (held
-- back at random within the same priority deciles), so differences are the campaign's effect.
--   churn_*            share who left within the campaign's outcome_months after the list month
--   uplift             churn_control - churn_treated: churners prevented per treated user, with
--                      Newcombe's 95 % interval (from the two rates' Wilson score intervals, so it
--                      stays honest when a group has no or few churners)
--   arpu_*             mean bill of the list month (before) and mean monthly bill over the outcome
--                      months (after; a user who left counts 0)
--   incremental_revenue (arpu_after_treated - arpu_after_control) x outcome months x treated
--   roi                (incremental_revenue - cost) / cost, cost = contacted x cost_per_contact
--   arpu_kept_*        arpu_after / arpu_before: the share of the spend kept (loyalty, with churn_*)
--   complaints_*       complaints per user over the outcome months (mid.user_complaint_m)
--   satisfaction_*     mean answer (1-5) of BOSS's satisfaction survey (fb_care: care lists send the
--                      control group too, for the survey alone); satisfaction_uplift = treated -
--                      control with a 95 % normal interval; null where no group was surveyed
-- A month whose outcomes are not all known yet has no row.
with targets as (
    select t.campaign_id, t.campaign_kind, t.user_id, t.grp, t.outcome_months, t.cost_per_contact, t.batch_month,
           r.contacted, r.responded, r.satisfaction
    from out.campaign_target_m t
    left join mid.campaign_response_m r
      on r.campaign_id = t.campaign_id and r.user_id = t.user_id and r.batch_month = t.batch_month
    where t.batch_month >= :month_from and t.batch_month <= :month_to
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
    select t.*, k.complaints_after,
           case t.outcome_months when 1 then l.churn_1m when 3 then l.churn_3m end as churned,
           coalesce(b0.bill_act_fee, 0) as bill_before,
           a.bill_after
    from targets t
    join after a on a.campaign_id = t.campaign_id and a.user_id = t.user_id and a.batch_month = t.batch_month
    join complained k on k.campaign_id = t.campaign_id and k.user_id = t.user_id and k.batch_month = t.batch_month
    left join labels l on l.user_id = t.user_id and l.batch_month = t.batch_month
    left join bills b0 on b0.user_id = t.user_id and b0.batch_month = t.batch_month
),
per_group as (
    select campaign_id, campaign_kind, batch_month, max(outcome_months) as outcome_months,
           max(cost_per_contact) as cost_per_contact,
           count(*) as targeted,
           count_if(grp = 'treated') as treated,
           count_if(grp = 'control') as control,
           count_if(grp = 'treated' and contacted) as contacted,
           count_if(grp = 'treated' and responded) as responded,
           count_if(churned is null) as unknown_outcomes,
           avg(case when grp = 'treated' then cast(churned as int) end) as churn_treated,
           avg(case when grp = 'control' then cast(churned as int) end) as churn_control,
           avg(case when grp = 'treated' then bill_before end) as arpu_before_treated,
           avg(case when grp = 'control' then bill_before end) as arpu_before_control,
           avg(case when grp = 'treated' then bill_after end) as arpu_after_treated,
           avg(case when grp = 'control' then bill_after end) as arpu_after_control,
           avg(case when grp = 'treated' then complaints_after end) as complaints_treated,
           avg(case when grp = 'control' then complaints_after end) as complaints_control,
           count(case when grp = 'treated' then satisfaction end) as surveyed_treated,
           count(case when grp = 'control' then satisfaction end) as surveyed_control,
           avg(case when grp = 'treated' then satisfaction end) as satisfaction_treated,
           avg(case when grp = 'control' then satisfaction end) as satisfaction_control,
           var_samp(case when grp = 'treated' then satisfaction end) as satisfaction_var_treated,
           var_samp(case when grp = 'control' then satisfaction end) as satisfaction_var_control
    from outcomes
    group by campaign_id, campaign_kind, batch_month
),
wilson as (   -- each rate's 95 % Wilson score interval (z = 1.96)
    select *,
           (churn_treated + 1.9208 / treated) / (1 + 3.8416 / treated)
             - 1.96 * sqrt(churn_treated * (1 - churn_treated) / treated + 0.9604 / (treated * treated))
               / (1 + 3.8416 / treated) as t_low,
           (churn_treated + 1.9208 / treated) / (1 + 3.8416 / treated)
             + 1.96 * sqrt(churn_treated * (1 - churn_treated) / treated + 0.9604 / (treated * treated))
               / (1 + 3.8416 / treated) as t_high,
           (churn_control + 1.9208 / control) / (1 + 3.8416 / control)
             - 1.96 * sqrt(churn_control * (1 - churn_control) / control + 0.9604 / (control * control))
               / (1 + 3.8416 / control) as c_low,
           (churn_control + 1.9208 / control) / (1 + 3.8416 / control)
             + 1.96 * sqrt(churn_control * (1 - churn_control) / control + 0.9604 / (control * control))
               / (1 + 3.8416 / control) as c_high
    from per_group
    where unknown_outcomes = 0 and treated > 0 and control > 0
),
final as (
    select campaign_id, campaign_kind, targeted, treated, control, contacted, responded,
           try_divide(responded, treated) as response_rate,
           outcome_months, churn_treated, churn_control,
           churn_control - churn_treated as uplift,
           churn_control - churn_treated
             - sqrt(power(churn_control - c_low, 2) + power(t_high - churn_treated, 2)) as uplift_ci_low,
           churn_control - churn_treated
             + sqrt(power(c_high - churn_control, 2) + power(churn_treated - t_low, 2)) as uplift_ci_high,
           (churn_control - churn_treated) * treated as churners_prevented,
           cast(arpu_before_treated as double) as arpu_before_treated,
           cast(arpu_before_control as double) as arpu_before_control,
           cast(arpu_after_treated as double) as arpu_after_treated,
           cast(arpu_after_control as double) as arpu_after_control,
           cast(arpu_after_treated - arpu_before_treated as double) as arpu_change_treated,
           cast(arpu_after_control - arpu_before_control as double) as arpu_change_control,
           cast((arpu_after_treated - arpu_after_control) * outcome_months * treated as double) as incremental_revenue,
           contacted * cost_per_contact as cost,
           try_divide(cast((arpu_after_treated - arpu_after_control) * outcome_months * treated as double)
                      - contacted * cost_per_contact, contacted * cost_per_contact) as roi,
           cast(try_divide(arpu_after_treated, arpu_before_treated) as double) as arpu_kept_treated,
           cast(try_divide(arpu_after_control, arpu_before_control) as double) as arpu_kept_control,
           cast(complaints_treated as double) as complaints_treated,
           cast(complaints_control as double) as complaints_control,
           surveyed_treated, surveyed_control, satisfaction_treated, satisfaction_control,
           satisfaction_treated - satisfaction_control as satisfaction_uplift,
           satisfaction_treated - satisfaction_control
             - 1.96 * sqrt(satisfaction_var_treated / surveyed_treated + satisfaction_var_control / surveyed_control)
             as satisfaction_ci_low,
           satisfaction_treated - satisfaction_control
             + 1.96 * sqrt(satisfaction_var_treated / surveyed_treated + satisfaction_var_control / surveyed_control)
             as satisfaction_ci_high,
           batch_month
    from wilson
)
select * from final
