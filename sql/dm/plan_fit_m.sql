-- dm.plan_fit_m: per billed user and month, what the month's usage would have cost on each kind
-- of plan of BOSS's catalogue (proposals left out): the cheapest plan and the saving against the
-- current plan, and the cheapest 4G plan, 4G local and 4G national plan (what the front desk
-- offers 2G and 3G users). Ties go to the lower plan id, so reruns give the same rows.
with rated as (
    select * from dm.rerate_m
    where batch_month between :month_from and :month_to and origin = 'CATALOGUE'
),

plans as (
    select plan_id, batch_month, net_gen as plan_net_gen, scope from mid.tariff_plan_m
    where batch_month between :month_from and :month_to
),

per_user as (
    select
        r.user_id, r.batch_month,
        max(if(r.is_current, r.total_fee, null)) as current_fee,
        min(struct(r.total_fee, r.plan_id)) as best,
        min(if(p.plan_net_gen = '4G', struct(r.total_fee, r.plan_id), null)) as best_4g,
        min(if(p.plan_net_gen = '4G' and p.scope = 'LOCAL', struct(r.total_fee, r.plan_id), null)) as best_4g_local,
        min(if(p.plan_net_gen = '4G' and p.scope = 'NATIONAL', struct(r.total_fee, r.plan_id), null)) as best_4g_national
    from rated as r
    join plans as p on p.plan_id = r.plan_id and p.batch_month = r.batch_month
    group by r.user_id, r.batch_month
),

final as (
    select
        u.user_id,
        u.plan_id,
        u.brand,
        u.net_gen,
        u.region_code,
        u.bill_act_fee,
        f.current_fee,
        f.best.plan_id as best_plan_id,
        f.best.total_fee as best_fee,
        cast(f.current_fee - f.best.total_fee as decimal(12,2)) as saving,
        f.best_4g.plan_id as best_4g_plan_id,
        f.best_4g.total_fee as best_4g_fee,
        f.best_4g_local.plan_id as best_4g_local_plan_id,
        f.best_4g_local.total_fee as best_4g_local_fee,
        f.best_4g_national.plan_id as best_4g_national_plan_id,
        f.best_4g_national.total_fee as best_4g_national_fee,
        u.batch_month
    from per_user as f
    join mid.user_rating_usage_m as u on u.user_id = f.user_id and u.batch_month = f.batch_month
    where u.batch_month between :month_from and :month_to
)

select * from final
