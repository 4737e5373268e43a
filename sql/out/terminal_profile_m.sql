-- out.terminal_profile_m: the terminal profile and multi-SIM check (IMEI 分析, 并卡检查) per user
-- and month :month_from..:month_to, for users in the network whose calls show a handset
-- (mid.user_terminal_m: months with loaded CDR days only).
--   tac, maker, model, lte_capable   the month's main handset
--   handset_since, handset_months    the first month of the current handset's unbroken run, and the
--                                    months since (as far back as 12 months of history)
--   handset_changes_6m               months of the last 6 with CDRs in which the handset changed
--   shared_msisdns, multi_sim_months our other numbers in the same handset this month; months of the
--                                    last 3 with a shared handset
--   multi_sim                        two or more of our numbers in one handset in one of the last 3 months
--   second_sim_score, reason         signs of a competitor's SIM next to ours (0-3), one point each:
--                                    the handset stays while voice falls below :traffic_drop of its
--                                    3-month mean; the contacts fall below :traffic_drop of theirs;
--                                    the off-net share of calls rises by more than :offnet_rise
with history as (
    select user_id, msisdn, main_imei, tac, maker, model, lte_capable, imei_changed, shared_msisdns, multi_sim, batch_month,
           lag(main_imei) over (partition by user_id order by batch_month) as prev_imei
    from mid.user_terminal_m
    where batch_month between date_format(add_months(to_date(:month_from || '-01'), -11), 'yyyy-MM') and :month_to
),

runs as (
    select *, sum(cast(prev_imei is null or main_imei <> prev_imei as int))
                  over (partition by user_id order by batch_month rows between unbounded preceding and current row) as run_no
    from history
),

per_month as (
    select *,
           min(batch_month) over (partition by user_id, run_no) as handset_since,
           sum(cast(imei_changed as int)) over (partition by user_id order by batch_month rows between 5 preceding and current row)
               as handset_changes_6m,
           sum(cast(multi_sim as int)) over (partition by user_id order by batch_month rows between 2 preceding and current row)
               as multi_sim_months
    from runs
),

signals as (
    select w.user_id, w.batch_month, w.status,
           coalesce(w.voice_minutes_trend < :traffic_drop, false) as traffic_drop,
           coalesce(w.contacts_trend < :traffic_drop, false) as contacts_drop,
           coalesce(w.offnet_call_share_chg1 > :offnet_rise, false) as offnet_rise
    from dm.user_wide_m as w
    where w.batch_month between :month_from and :month_to
)

select
    p.batch_month as stat_month, p.msisdn, p.tac, p.maker, p.model, p.lte_capable,
    p.handset_since,
    cast(months_between(to_date(p.batch_month || '-01'), to_date(p.handset_since || '-01')) as int) as handset_months,
    p.handset_changes_6m, p.shared_msisdns, p.multi_sim_months, if(p.multi_sim_months > 0, 'Y', 'N') as multi_sim,
    cast(s.traffic_drop and not p.imei_changed as int) + cast(s.contacts_drop as int) + cast(s.offnet_rise as int)
        as second_sim_score,
    nullif(concat_ws('；',
        if(s.traffic_drop and not p.imei_changed, '终端未换而通话量骤降', null),
        if(s.contacts_drop, '联系人明显减少', null),
        if(s.offnet_rise, '网外通话占比上升', null)), '') as second_sim_reason,
    p.batch_month
from per_month as p
join signals as s on s.user_id = p.user_id and s.batch_month = p.batch_month
where p.batch_month between :month_from and :month_to and s.status <> 'CLOSED'
