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
--   second_sim_score, reason         signs of a competitor's SIM next to ours (0-3), counted only when
--                                    the first holds: (1) with the same handset, the month's outgoing
--                                    calls and last month's are both below :traffic_drop of the
--                                    busiest of the 6 months before those two; (2) the fall was abrupt: calls
--                                    fell below :traffic_drop of their level two months earlier at
--                                    some point in the last 5 months (a slow decline is not a second
--                                    SIM); (3) the CDRs show the contacts below :traffic_drop of their
--                                    3-month mean or the off-net share of calls up by :offnet_rise.
--                                    Calls are the full month's, as BOSS billed them (ods.usage_m):
--                                    CDRs may cover a day or two a month, too few to see a collapse.
with history as (
    select user_id, msisdn, main_imei, tac, maker, model, lte_capable, imei_changed, shared_msisdns, multi_sim, batch_month,
           lag(main_imei) over (partition by user_id order by batch_month) as prev_imei
    from mid.user_terminal_m
    where batch_month between date_format(add_months(:month_start, -11), 'yyyy-MM') and :month_to
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

calls as (
    select p.user_id, p.batch_month, coalesce(sum(u.records), 0) as calls
    from mid.user_profile_m as p
    left join ods.usage_m as u
      on u.user_id = p.user_id and u.batch_month = p.batch_month and u.item_code in ('LOCAL_CALL', 'LD_CALL')
     and u.batch_month between date_format(add_months(:month_start, -11), 'yyyy-MM') and :month_to
    where p.batch_month between date_format(add_months(:month_start, -11), 'yyyy-MM') and :month_to
    group by p.user_id, p.batch_month
),

call_levels as (
    select *,
           lag(calls) over (partition by user_id order by batch_month) as calls_prev,
           max(calls) over (partition by user_id order by batch_month rows between 7 preceding and 2 preceding) as calls_before,
           try_divide(calls, lag(calls, 2) over (partition by user_id order by batch_month)) as fall_2m
    from calls
),

call_signals as (
    select *,
           min(fall_2m) over (partition by user_id order by batch_month rows between 4 preceding and current row) as steepest_fall
    from call_levels
),

signals as (
    select w.user_id, w.batch_month,
           coalesce(c.calls < :traffic_drop * c.calls_before and c.calls_prev < :traffic_drop * c.calls_before, false)
               as calls_collapsed,
           coalesce(c.steepest_fall < :traffic_drop, false) as abrupt,
           coalesce(w.contacts_trend < :traffic_drop or w.offnet_call_share_chg1 > :offnet_rise, false) as cdr_signs
    from dm.user_wide_m as w
    left join call_signals as c on c.user_id = w.user_id and c.batch_month = w.batch_month
    where w.batch_month between :month_from and :month_to
),

final as (
    select
        p.batch_month as stat_month, p.msisdn, p.tac, p.maker, p.model, p.lte_capable,
        p.handset_since,
        cast(months_between(to_date(p.batch_month || '-01'), to_date(p.handset_since || '-01')) as int) as handset_months,
        p.handset_changes_6m, p.shared_msisdns, p.multi_sim_months, if(p.multi_sim_months > 0, 'Y', 'N') as multi_sim,
        if(s.calls_collapsed and not p.imei_changed, 1 + cast(s.abrupt as int) + cast(s.cdr_signs as int), 0) as second_sim_score,
        if(s.calls_collapsed and not p.imei_changed, concat_ws('；', '终端未换而通话量持续骤降',
            if(s.abrupt, '两个月内减半', null), if(s.cdr_signs, '联系人减少或网外通话占比上升', null)), null) as second_sim_reason,
        p.batch_month
    from per_month as p
    join signals as s on s.user_id = p.user_id and s.batch_month = p.batch_month
    where p.batch_month between :month_from and :month_to   -- signals: dm.user_wide_m, users in the network only
)

select * from final
