-- out.sales_task_d: the front desk's sales-assist tasks (docs/domain.md §6.6), one row per
-- user and task, refreshed every day :date_from..:date_to from the day's user snapshot (ods.user)
-- and the last closed month's tables (the newest month before the day's with a plan fit). A task that is done (a contract
-- renewed, a SIM changed, a plan moved to 4G) is gone from the next day's rows. Every task carries
-- the last retention result from BOSS's feedback.
--   plan fit   each catalogue plan's mean charge for the user's usage over the last :fit_months
--              closed months (dm.rerate_m), against the mean charge of the plans the user held
--   CONTRACT   the contract ends in 3 months, in 1 month, this month; ended last month; ended two
--              months ago (the user is on a plain SIM now); not renewed; for every contract type;
--              with the contract, the best-fitting plan and its saving
--   MIGRATE_4G a non-USIM SIM; a 4G handset without 4G service; 2G users -> the best-fitting 4G
--              local plan and the best-fitting 4G national plan (two tasks); 3G users -> the
--              best-fitting 4G national plan
--   HIGH_VALUE the year-end snapshot list (年末拍照): users of value tier :high_value_tier or better
--              or with ARPU above :high_value_arpu in dm.user_value_m of the snapshot month (the
--              newest month of year :snapshot_month_of_year up to the closed month; a warehouse
--              younger than its first such month takes its first scored month); each day the 3G/4G
--              users of the tier and the 2G users above the ARPU among them, with today's
--              snapshot, the plan fit and the last retention result
--   CHURN_WARN traffic forwarded to other networks above :fwd_offnet_share of the user's voice
--              traffic (话务量, seconds) in the closed month; with the plan fit
with snapshot as (
    select user_id, msisdn, plan_id, net_gen, sim_type, batch_date
    from ods.user
    where batch_date between :date_from and :date_to
      and not array_contains(split(:churn_statuses, '[|]'), status)
),

-- the last closed month of each day: the newest month before the day's with a plan fit
closed as (
    select s.batch_date, max(f.batch_month) as source_month
    from (select distinct batch_date from snapshot) as s
    join (select distinct batch_month from dm.plan_fit_m) as f on f.batch_month < date_format(s.batch_date, 'yyyy-MM')
    group by s.batch_date
),

days as (
    select s.*, c.source_month from snapshot as s join closed as c on c.batch_date = s.batch_date
),

source_months as (select distinct source_month from days),

profile as (select * from mid.user_profile_m where batch_month in (select source_month from source_months)),
terminal as (select user_id, batch_month, lte_capable, model from mid.user_terminal_m where batch_month in (select source_month from source_months)),
usage as (
    select user_id, batch_month, try_divide(fwd_offnet_seconds, voice_seconds) as fwd_offnet_share
    from mid.user_usage_m where batch_month in (select source_month from source_months)
),
plans as (
    select plan_id, batch_month, plan_name, net_gen as plan_net_gen, scope
    from mid.tariff_plan_m where batch_month in (select source_month from source_months)
),

-- plan fit over the last :fit_months closed months: each plan of the closed month's catalogue by its
-- mean charge for the user's usage, against the mean charge of the plans the user held
rated as (
    select s.source_month, r.user_id, r.plan_id, r.is_current, r.total_fee
    from source_months as s
    join dm.rerate_m as r
      on r.batch_month between date_format(add_months(to_date(s.source_month || '-01'), 1 - :fit_months), 'yyyy-MM') and s.source_month
    where r.origin = 'CATALOGUE'
      and r.batch_month >= (select date_format(add_months(to_date(min(source_month) || '-01'), 1 - :fit_months), 'yyyy-MM')
                            from source_months)
),
plan_means as (
    select source_month, user_id, plan_id, avg(total_fee) as fee
    from rated
    group by source_month, user_id, plan_id
),
current_means as (
    select source_month, user_id, avg(if(is_current, total_fee, null)) as current_fee
    from rated
    group by source_month, user_id
),
fit as (
    select
        m.source_month, m.user_id, c.current_fee,
        min(struct(m.fee, m.plan_id)) as best,
        min(if(p.plan_net_gen = '4G' and p.scope = 'LOCAL', struct(m.fee, m.plan_id), null)) as best_4g_local,
        min(if(p.plan_net_gen = '4G' and p.scope = 'NATIONAL', struct(m.fee, m.plan_id), null)) as best_4g_national
    from plan_means as m
    join plans as p on p.plan_id = m.plan_id and p.batch_month = m.source_month
    join current_means as c on c.source_month = m.source_month and c.user_id = m.user_id
    group by m.source_month, m.user_id, c.current_fee
),

-- the year-end snapshot list of high-value users, per closed month
snapshot_of as (
    select s.source_month,
           coalesce(max(if(month(to_date(v.batch_month || '-01')) = :snapshot_month_of_year, v.batch_month, null)),
                    min(v.batch_month)) as snapshot_month
    from source_months as s
    join (select distinct batch_month from dm.user_value_m) as v on v.batch_month <= s.source_month
    group by s.source_month
),
high_value as (
    select o.source_month, v.user_id, v.batch_month as snapshot_month, v.arpu as snapshot_arpu, v.value_tier as snapshot_tier
    from snapshot_of as o
    join dm.user_value_m as v on v.batch_month = o.snapshot_month
    where v.value_tier <= :high_value_tier or v.arpu > :high_value_arpu
),

-- the newest retention feedback of each user up to the source month
retention as (
    select user_id, max_by(concat(batch_month, ' ', coalesce(offer_taken, if(responded, 'accepted', 'declined')),
                                  coalesce(' / ' || intention, '')), batch_month) as last_retention_result
    from mid.campaign_response_m
    where campaign_id = 'retention' and has_feedback and contacted
    group by user_id
),

users as (
    select
        d.*, p.contract_type, p.contract_end_month, p.brand,
        cast(months_between(to_date(p.contract_end_month || '-01'), trunc(d.batch_date, 'MM')) as int) as contract_months_left,
        t.lte_capable, t.model,
        f.best.plan_id as best_plan_id, cast(f.current_fee - f.best.fee as decimal(12,2)) as saving,
        f.best_4g_local.plan_id as best_4g_local_plan_id, cast(f.current_fee - f.best_4g_local.fee as decimal(12,2)) as local_4g_saving,
        f.best_4g_national.plan_id as best_4g_national_plan_id,
        cast(f.current_fee - f.best_4g_national.fee as decimal(12,2)) as national_4g_saving,
        h.snapshot_month, h.snapshot_arpu, h.snapshot_tier, g.fwd_offnet_share, r.last_retention_result
    from days as d
    left join profile as p on p.user_id = d.user_id and p.batch_month = d.source_month
    left join terminal as t on t.user_id = d.user_id and t.batch_month = d.source_month
    left join fit as f on f.user_id = d.user_id and f.source_month = d.source_month
    left join high_value as h on h.user_id = d.user_id and h.source_month = d.source_month
    left join usage as g on g.user_id = d.user_id and g.batch_month = d.source_month
    left join retention as r on r.user_id = d.user_id
),

contract_words as (
    select * from values
        ('DEPOSIT_PHONE', '存费送机'), ('PHONE_CREDIT', '购机送费'), ('DEPOSIT_CREDIT', '存费送费') as t(contract_type, words)
),

-- the best-fitting plan in words, for the tasks that carry plan advice
advised as (
    select u.*, c.words as contract_words,
           if(u.best_plan_id is null, '',
              if(u.saving > 0, concat('，推荐 ', u.best_plan_id, ' 每月可省 ', cast(u.saving as string), '元'), '，现套餐已最省')) as fit_words
    from users as u left join contract_words as c on c.contract_type = u.contract_type
),

-- every rule in one pass over the users: an array of the tasks that apply, exploded
tasks as (
    select u.msisdn, u.batch_date, u.source_month, u.last_retention_result, task.task_type, task.task_subtype, task.reason,
           task.recommended_plan_id, task.plan_saving
    from advised as u
    lateral view explode(filter(array(
        if(u.contract_months_left in (3, 1, 0, -1, -2), named_struct(
            'task_type', 'CONTRACT',
            'task_subtype', case u.contract_months_left when 3 then 'ENDS_IN_3M' when 1 then 'ENDS_IN_1M' when 0 then 'ENDS_THIS_MONTH'
                                                        when -1 then 'ENDED_LAST_MONTH' else 'PLAIN_SIM' end,
            'reason', concat('合约(', coalesce(u.contract_words, u.contract_type), ')',
                             case u.contract_months_left when 3 then '3个月后到期' when 1 then '下月到期' when 0 then '本月到期'
                                                         when -1 then '上月已到期' else '到期两个月，现为普通卡用户' end, '，未续约',
                             u.fit_words),
            'recommended_plan_id', u.best_plan_id, 'plan_saving', u.saving), null),
        if(u.sim_type <> 'USIM', named_struct('task_type', 'MIGRATE_4G', 'task_subtype', 'CHANGE_SIM',
            'reason', '非USIM卡，需换卡才能使用4G', 'recommended_plan_id', cast(null as string), 'plan_saving', cast(null as decimal(12,2))), null),
        if(u.lte_capable = 1 and u.net_gen <> '4G', named_struct('task_type', 'MIGRATE_4G', 'task_subtype', 'LTE_HANDSET_NO_4G',
            'reason', concat('4G终端(', coalesce(u.model, ''), ')未开通4G'), 'recommended_plan_id', cast(null as string),
            'plan_saving', cast(null as decimal(12,2))), null),
        if(u.net_gen = '2G' and u.best_4g_local_plan_id is not null, named_struct('task_type', 'MIGRATE_4G',
            'task_subtype', '2G_TO_4G_LOCAL', 'reason', concat('2G用户，推荐最适合的4G本地套餐 ', u.best_4g_local_plan_id),
            'recommended_plan_id', u.best_4g_local_plan_id, 'plan_saving', u.local_4g_saving), null),
        if(u.net_gen = '2G' and u.best_4g_national_plan_id is not null, named_struct('task_type', 'MIGRATE_4G',
            'task_subtype', '2G_TO_4G_NATIONAL', 'reason', concat('2G用户，推荐最适合的4G全国套餐 ', u.best_4g_national_plan_id),
            'recommended_plan_id', u.best_4g_national_plan_id, 'plan_saving', u.national_4g_saving), null),
        if(u.net_gen = '3G' and u.best_4g_national_plan_id is not null, named_struct('task_type', 'MIGRATE_4G',
            'task_subtype', '3G_TO_4G_NATIONAL', 'reason', concat('3G用户，推荐最适合的4G全国套餐 ', u.best_4g_national_plan_id),
            'recommended_plan_id', u.best_4g_national_plan_id, 'plan_saving', u.national_4g_saving), null),
        if((u.net_gen in ('3G', '4G') and u.snapshot_tier <= :high_value_tier) or (u.net_gen = '2G' and u.snapshot_arpu > :high_value_arpu),
            named_struct('task_type', 'HIGH_VALUE', 'task_subtype', if(u.net_gen = '2G', '2G_HIGH_ARPU', '3G4G_HIGH_VALUE'),
            'reason', concat(u.snapshot_month, '拍照高价值用户(',
                             if(u.net_gen = '2G', concat('ARPU ', cast(u.snapshot_arpu as string), '元'), concat('价值等级 ', u.snapshot_tier)),
                             ')', if(u.saving > 0, concat('，推荐 ', u.best_plan_id, ' 每月可省 ', cast(u.saving as string), '元'), '')),
            'recommended_plan_id', if(u.saving > 0, u.best_plan_id, null),
            'plan_saving', if(u.saving > 0, u.saving, null)), null),
        if(u.fwd_offnet_share > :fwd_offnet_share, named_struct('task_type', 'CHURN_WARN', 'task_subtype', 'FORWARD_OFFNET',
            'reason', concat('呼转异网话务量占总话务量 ', cast(round(100 * u.fwd_offnet_share) as int), '%，疑似使用他网号码', u.fit_words),
            'recommended_plan_id', u.best_plan_id, 'plan_saving', u.saving), null)
    ), x -> x is not null)) task_list as task
),

final as (
    select
        t.batch_date as task_date, t.msisdn, t.task_type, t.task_subtype, t.reason,
        t.recommended_plan_id, p.plan_name as recommended_plan_name, t.plan_saving, t.last_retention_result,
        t.source_month, t.batch_date
    from tasks as t
    left join plans as p on p.plan_id = t.recommended_plan_id and p.batch_month = t.source_month
)

select * from final
