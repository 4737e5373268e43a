-- out.tariff_profile_m: the tariff profile (资费分析轮廓) per BOSS plan and month :month_from..:month_to.
--   users_in_net / users_at_start / new_users / churned_users / churn_rate   as in dm.kpi_m, by the
--                   plan the user is on at month end (the plan held when closing, for a leaver)
--   billed_users, arpu                the month's billed users of the plan and their mean actual bill
--   <item>_over_share                 share of billed users with an allowance for the item who used
--                                     more than it; <item>_far_under_share: less than :far_under of it.
--                                     Voice counts local minutes and long distance (10 units of 6 s a
--                                     minute), which the allowance covers (sql/dm/rerate_m.sql)
--   over_any_share                    over at least one allowance; far_under_all_share: far under every
--                                     allowance the plan has
--   moved_in / moved_out              users on another plan at the end of the month before / now on
--                                     another plan; top_source_plan / top_destination_plan: where most came
--                                     from / went to
--   cheaper_plan_share, avg_saving    billed users with a cheaper BOSS plan for their month (dm.plan_fit_m)
--                                     and their mean saving
with plans as (
    select plan_id, plan_name, brand, net_gen, monthly_fee, incl_minutes, incl_sms, incl_data_mb, batch_month
    from mid.product_m
    where batch_month between :month_from and :month_to
),

profile as (
    select user_id, plan_id, in_net, is_new, churned_in_month, in_net_at_start, batch_month
    from mid.user_profile_m
    where batch_month between date_format(add_months(:month_start, -1), 'yyyy-MM') and :month_to
),

users as (
    select batch_month, plan_id,
           count_if(in_net) as users_in_net,
           count_if(in_net_at_start) as users_at_start,
           count_if(is_new) as new_users,
           count_if(churned_in_month) as churned_users
    from profile
    where batch_month >= :month_from
    group by batch_month, plan_id
),

moves as (
    select c.batch_month, c.plan_id, p.plan_id as prev_plan_id
    from profile as c
    join profile as p
      on p.user_id = c.user_id
     and p.batch_month = date_format(add_months(to_date(c.batch_month || '-01'), -1), 'yyyy-MM')
    where c.batch_month >= :month_from and p.in_net and c.plan_id <> p.plan_id
),

moved_in as (
    select batch_month, plan_id, count(*) as moved_in,
           max_by(prev_plan_id, struct(n, prev_plan_id)) as top_source_plan
    from (select batch_month, plan_id, prev_plan_id, count(*) over (partition by batch_month, plan_id, prev_plan_id) as n from moves)
    group by batch_month, plan_id
),

moved_out as (
    select batch_month, prev_plan_id as plan_id, count(*) as moved_out,
           max_by(plan_id, struct(n, plan_id)) as top_destination_plan
    from (select batch_month, plan_id, prev_plan_id, count(*) over (partition by batch_month, prev_plan_id, plan_id) as n from moves)
    group by batch_month, prev_plan_id
),

-- each billed user's use of the allowances (null where the plan has none for the item)
use as (
    select u.batch_month, u.plan_id, u.bill_act_fee, f.saving,
           (u.local_min + u.ld_units / 10) / nullif(p.incl_minutes, 0) as voice_use,
           u.sms_n / nullif(p.incl_sms, 0) as sms_use,
           u.data_mb / nullif(p.incl_data_mb, 0) as data_use
    from mid.user_rating_usage_m as u
    join plans as p on p.plan_id = u.plan_id and p.batch_month = u.batch_month
    left join dm.plan_fit_m as f on f.user_id = u.user_id and f.batch_month = u.batch_month
    where u.batch_month between :month_from and :month_to
),

allowance as (
    select batch_month, plan_id,
           count(*) as billed_users,
           avg(bill_act_fee) as arpu,
           avg(cast(voice_use > 1 as int)) as voice_over_share,
           avg(cast(voice_use < :far_under as int)) as voice_far_under_share,
           avg(cast(sms_use > 1 as int)) as sms_over_share,
           avg(cast(sms_use < :far_under as int)) as sms_far_under_share,
           avg(cast(data_use > 1 as int)) as data_over_share,
           avg(cast(data_use < :far_under as int)) as data_far_under_share,
           avg(cast(coalesce(voice_use > 1 or sms_use > 1 or data_use > 1, false) as int)) as over_any_share,
           avg(if(coalesce(voice_use, sms_use, data_use) is null, null,
                  cast(greatest(voice_use, sms_use, data_use) < :far_under as int))) as far_under_all_share,
           avg(cast(coalesce(saving > 0, false) as int)) as cheaper_plan_share,
           avg(if(saving > 0, saving, null)) as avg_saving
    from use
    group by batch_month, plan_id
),

final as (
    select
        p.batch_month as stat_month, p.plan_id, p.plan_name, p.brand, p.net_gen, p.monthly_fee,
        coalesce(u.users_in_net, 0) as users_in_net,
        coalesce(u.users_at_start, 0) as users_at_start,
        coalesce(u.new_users, 0) as new_users,
        coalesce(u.churned_users, 0) as churned_users,
        try_divide(u.churned_users, u.users_at_start + u.new_users) as churn_rate,
        coalesce(a.billed_users, 0) as billed_users,
        a.arpu,
        a.voice_over_share, a.voice_far_under_share, a.sms_over_share, a.sms_far_under_share,
        a.data_over_share, a.data_far_under_share, a.over_any_share, a.far_under_all_share,
        coalesce(i.moved_in, 0) as moved_in,
        coalesce(o.moved_out, 0) as moved_out,
        i.top_source_plan, o.top_destination_plan,
        a.cheaper_plan_share, a.avg_saving,
        p.batch_month
    from plans as p
    left join users as u on u.plan_id = p.plan_id and u.batch_month = p.batch_month
    left join allowance as a on a.plan_id = p.plan_id and a.batch_month = p.batch_month
    left join moved_in as i on i.plan_id = p.plan_id and i.batch_month = p.batch_month
    left join moved_out as o on o.plan_id = p.plan_id and o.batch_month = p.batch_month
)

select * from final
