-- out.sales_task_d: the front desk's sales-assist tasks (docs/domain.md §6.6), one row per
-- user and task, refreshed every day :date_from..:date_to from the day's user snapshot (ods.user)
-- and the last closed month's tables (the newest month before the day's with a plan fit). A task that is done (a contract
-- renewed, a SIM changed, a plan moved to 4G) is gone from the next day's rows.
--   CONTRACT   the contract ends in 3 months, in 1 month, this month; ended last month; ended two
--              months ago (the user is on a plain SIM now); not renewed; for every contract type
--   MIGRATE_4G a non-USIM SIM; a 4G handset without 4G service; 2G users -> the cheapest 4G
--              plan (local or national); 3G users -> the cheapest 4G national plan
--   HIGH_VALUE 3G/4G users of value tier :high_value_tier or better, 2G users with ARPU above
--              :high_value_arpu; with the plan fit and the last retention result
--   CHURN_WARN calls forwarded to other networks above :fwd_offnet_share of the user's calls
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

profile as (select * from mid.user_profile_m where batch_month in (select distinct source_month from days)),
terminal as (select user_id, batch_month, lte_capable, model from mid.user_terminal_m where batch_month in (select distinct source_month from days)),
fit as (select * from dm.plan_fit_m where batch_month in (select distinct source_month from days)),
value as (select user_id, batch_month, arpu, value_tier from dm.user_value_m where batch_month in (select distinct source_month from days)),
wide as (select user_id, batch_month, fwd_offnet_share from dm.user_wide_m where batch_month in (select distinct source_month from days)),
plans as (select plan_id, batch_month, plan_name from mid.tariff_plan_m where batch_month in (select distinct source_month from days)),

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
        t.lte_capable, t.model, f.best_plan_id, f.saving, f.best_4g_plan_id, f.current_fee, f.best_4g_fee,
        f.best_4g_national_plan_id, f.best_4g_national_fee, v.arpu, v.value_tier, w.fwd_offnet_share,
        r.last_retention_result
    from days as d
    left join profile as p on p.user_id = d.user_id and p.batch_month = d.source_month
    left join terminal as t on t.user_id = d.user_id and t.batch_month = d.source_month
    left join fit as f on f.user_id = d.user_id and f.batch_month = d.source_month
    left join value as v on v.user_id = d.user_id and v.batch_month = d.source_month
    left join wide as w on w.user_id = d.user_id and w.batch_month = d.source_month
    left join retention as r on r.user_id = d.user_id
),

contract_words as (
    select * from values
        ('DEPOSIT_PHONE', '存费送机'), ('PHONE_CREDIT', '购机送费'), ('DEPOSIT_CREDIT', '存费送费') as t(contract_type, words)
),

-- every rule in one pass over the users: an array of the tasks that apply, exploded
tasks as (
    select u.msisdn, u.batch_date, u.source_month, u.last_retention_result, task.task_type, task.task_subtype, task.reason,
           task.recommended_plan_id, task.plan_saving
    from (select u.*, c.words as contract_words from users as u left join contract_words as c on c.contract_type = u.contract_type) as u
    lateral view explode(filter(array(
        if(u.contract_months_left in (3, 1, 0, -1, -2), named_struct(
            'task_type', 'CONTRACT',
            'task_subtype', case u.contract_months_left when 3 then 'ENDS_IN_3M' when 1 then 'ENDS_IN_1M' when 0 then 'ENDS_THIS_MONTH'
                                                        when -1 then 'ENDED_LAST_MONTH' else 'PLAIN_SIM' end,
            'reason', concat('合约(', coalesce(u.contract_words, u.contract_type), ')',
                             case u.contract_months_left when 3 then '3个月后到期' when 1 then '下月到期' when 0 then '本月到期'
                                                         when -1 then '上月已到期' else '到期两个月，现为普通卡用户' end, '，未续约'),
            'recommended_plan_id', cast(null as string), 'plan_saving', cast(null as decimal(12,2))), null),
        if(u.sim_type <> 'USIM', named_struct('task_type', 'MIGRATE_4G', 'task_subtype', 'CHANGE_SIM',
            'reason', '非USIM卡，需换卡才能使用4G', 'recommended_plan_id', cast(null as string), 'plan_saving', cast(null as decimal(12,2))), null),
        if(u.lte_capable = 1 and u.net_gen <> '4G', named_struct('task_type', 'MIGRATE_4G', 'task_subtype', 'LTE_HANDSET_NO_4G',
            'reason', concat('4G终端(', coalesce(u.model, ''), ')未开通4G'), 'recommended_plan_id', cast(null as string),
            'plan_saving', cast(null as decimal(12,2))), null),
        if(u.net_gen = '2G' and u.best_4g_plan_id is not null, named_struct('task_type', 'MIGRATE_4G', 'task_subtype', '2G_TO_4G',
            'reason', concat('2G用户，推荐最省4G套餐 ', u.best_4g_plan_id), 'recommended_plan_id', u.best_4g_plan_id,
            'plan_saving', cast(u.current_fee - u.best_4g_fee as decimal(12,2))), null),
        if(u.net_gen = '3G' and u.best_4g_national_plan_id is not null, named_struct('task_type', 'MIGRATE_4G',
            'task_subtype', '3G_TO_4G_NATIONAL', 'reason', concat('3G用户，推荐最省4G全国套餐 ', u.best_4g_national_plan_id),
            'recommended_plan_id', u.best_4g_national_plan_id,
            'plan_saving', cast(u.current_fee - u.best_4g_national_fee as decimal(12,2))), null),
        if((u.net_gen in ('3G', '4G') and u.value_tier <= :high_value_tier) or (u.net_gen = '2G' and u.arpu > :high_value_arpu),
            named_struct('task_type', 'HIGH_VALUE', 'task_subtype', if(u.net_gen = '2G', '2G_HIGH_ARPU', '3G4G_HIGH_VALUE'),
            'reason', concat('高价值用户(', if(u.net_gen = '2G', concat('ARPU ', cast(u.arpu as string), '元'), concat('价值等级 ', u.value_tier)),
                             ')', if(u.saving > 0, concat('，换 ', u.best_plan_id, ' 每月可省 ', cast(u.saving as string), '元'), '')),
            'recommended_plan_id', if(u.saving > 0, u.best_plan_id, null),
            'plan_saving', cast(if(u.saving > 0, u.saving, null) as decimal(12,2))), null),
        if(u.fwd_offnet_share > :fwd_offnet_share, named_struct('task_type', 'CHURN_WARN', 'task_subtype', 'FORWARD_OFFNET',
            'reason', concat('呼转网外占通话 ', cast(round(100 * u.fwd_offnet_share) as int), '%，疑似使用他网号码'),
            'recommended_plan_id', cast(null as string), 'plan_saving', cast(null as decimal(12,2))), null)
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
