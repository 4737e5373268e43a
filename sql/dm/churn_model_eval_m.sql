-- dm.churn_model_eval_m: the churn champion judged on what happened (docs/domain.md §10), for each
-- scored month whose :horizon-month outcome is known. The model is evaluated on the users nobody
-- tried to retain (every user but the campaigns' treated ones: the control groups and those not
-- targeted), because treatment changes the outcome it predicts. ROC-AUC comes from 1,000 score
-- bins (ties count half), so no month is sorted in one task; precision at the list cut is the
-- churn rate of the retention campaign's control group, its lift that over the untreated rate.
with scores as (
    select user_id, churn_prob, model_version, batch_month
    from dm.churn_score_m
    where batch_month >= :month_from and batch_month <= :month_to
),
labels as (
    select user_id, batch_month, case :horizon when 1 then churn_1m when 3 then churn_3m end as churned
    from dm.churn_label_m
    where batch_month >= :month_from and batch_month <= :month_to
),
treated as (
    select distinct user_id, batch_month
    from out.campaign_target_m
    where batch_month >= :month_from and batch_month <= :month_to and grp = 'treated'
),
retention as (
    select user_id, batch_month, grp
    from out.campaign_target_m
    where batch_month >= :month_from and batch_month <= :month_to and campaign_kind = 'retention'
),
value as (
    select user_id, batch_month, value_tier in ('A', 'B') as high_value
    from dm.user_value_m
    where batch_month >= :month_from and batch_month <= :month_to
),
scored as (
    select s.batch_month, s.model_version, s.churn_prob, cast(l.churned as int) as churned,
           t.user_id is not null as is_treated, r.grp as retention_grp, coalesce(v.high_value, false) as high_value
    from scores s
    join labels l on l.user_id = s.user_id and l.batch_month = s.batch_month
    left join treated t on t.user_id = s.user_id and t.batch_month = s.batch_month
    left join retention r on r.user_id = s.user_id and r.batch_month = s.batch_month
    left join value v on v.user_id = s.user_id and v.batch_month = s.batch_month
),
known as (
    select batch_month, count_if(churned is null) as unknown
    from scored
    group by batch_month
),
bins as (
    select batch_month, least(floor(churn_prob * 1000), 999) as bin, sum(churned) as pos, sum(1 - churned) as neg
    from scored
    where not is_treated
    group by batch_month, least(floor(churn_prob * 1000), 999)
),
ranked as (
    select batch_month, pos, neg,
           coalesce(sum(neg) over (partition by batch_month order by bin
                                   rows between unbounded preceding and 1 preceding), 0) as neg_below
    from bins
),
auc as (
    select batch_month, try_divide(sum(pos * (neg_below + 0.5 * neg)), sum(pos) * sum(neg)) as roc_auc_untreated
    from ranked
    group by batch_month
),
rates as (
    select batch_month, max(model_version) as model_version,
           count(*) as users,
           count_if(not is_treated) as untreated_users,
           count_if(retention_grp is not null) as list_size,
           count_if(retention_grp = 'control') as list_control,
           avg(case when not is_treated then churned end) as churn_rate_untreated,
           avg(case when is_treated then churned end) as churn_rate_treated,
           avg(case when not is_treated and high_value then churned end) as high_value_churn_untreated,
           avg(case when is_treated and high_value then churned end) as high_value_churn_treated,
           avg(case when retention_grp = 'control' then churned end) as precision_at_list
    from scored
    group by batch_month
),
final as (
    select r.model_version, cast(:horizon as int) as horizon_months, r.users, r.untreated_users, a.roc_auc_untreated,
           r.list_size, r.list_control, r.precision_at_list,
           try_divide(r.precision_at_list, r.churn_rate_untreated) as lift_at_list,
           r.churn_rate_untreated, r.churn_rate_treated, r.high_value_churn_untreated, r.high_value_churn_treated,
           r.batch_month
    from rates r
    join known k on k.batch_month = r.batch_month
    left join auc a on a.batch_month = r.batch_month
    where k.unknown = 0
)
select * from final
