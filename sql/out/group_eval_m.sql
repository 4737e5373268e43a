-- out.group_eval_m: group-customer evaluation (集团客户评价, docs/domain.md §3, §6.5) per group and month
-- :month_from..:month_to, for BOSS's group-customer management.
--   members, spend, group_class      from dm.group_customer_m (members in the network, their bills)
--   new_members / leaving_members    members now who were not at the end of last month / members of
--                                    last month who are not now (left the network or the group)
--   leave_rate                       leaving_members over last month's members
--   spend_chg, spend_trend           spend against last month; against the mean of the 3 months before
--   avg_tenure_months, loyal_share   loyalty: members' mean tenure, share with 12 months or more
--   arrears_share                    credit: share of members with arrears at month end
--   warning                          the abnormal change (异常变动): at least :min_leavers members left
--                                    and leave_rate exceeds :leave_factor × the larger of the group's
--                                    own mean over the 3 months before and this month's rate of all
--                                    groups; or spend fell by more than :spend_drop of last month's
--                                    while at most 5 % of the members left (traffic moved away)
with history as (
    select group_id, group_name, industry, region_code, members, spend, group_class, batch_month
    from dm.group_customer_m
    where batch_month between date_format(add_months(:month_start, -4), 'yyyy-MM') and :month_to
),

members as (
    select p.group_id, p.user_id, p.tenure_months, p.batch_month, coalesce(b.arrears_amt, 0) > 0 as in_arrears
    from mid.user_profile_m as p
    left join mid.user_bill_m as b on b.user_id = p.user_id and b.batch_month = p.batch_month
    where p.batch_month between date_format(add_months(:month_start, -4), 'yyyy-MM') and :month_to
      and p.group_id is not null and p.in_net
),

prev_month as (
    select group_id, user_id, date_format(add_months(to_date(batch_month || '-01'), 1), 'yyyy-MM') as batch_month
    from members
),

joined as (
    select m.group_id, m.batch_month, count(*) as new_members
    from members as m
    left anti join prev_month as p on p.group_id = m.group_id and p.user_id = m.user_id and p.batch_month = m.batch_month
    group by m.group_id, m.batch_month
),

left_group as (
    select p.group_id, p.batch_month, count(*) as leaving_members
    from prev_month as p
    left anti join members as m on m.group_id = p.group_id and m.user_id = p.user_id and m.batch_month = p.batch_month
    group by p.group_id, p.batch_month
),

loyalty as (
    select group_id, batch_month, avg(tenure_months) as avg_tenure_months,
           avg(cast(tenure_months >= 12 as int)) as loyal_share, avg(cast(in_arrears as int)) as arrears_share
    from members
    group by group_id, batch_month
),

monthly as (
    select h.*,
           coalesce(j.new_members, 0) as new_members,
           coalesce(l.leaving_members, 0) as leaving_members,
           lag(h.members) over w as prev_members,
           lag(h.spend) over w as prev_spend,
           lag(h.batch_month) over w as prev_month,
           y.avg_tenure_months, y.loyal_share, y.arrears_share
    from history as h
    left join joined as j on j.group_id = h.group_id and j.batch_month = h.batch_month
    left join left_group as l on l.group_id = h.group_id and l.batch_month = h.batch_month
    left join loyalty as y on y.group_id = h.group_id and y.batch_month = h.batch_month
    window w as (partition by h.group_id order by h.batch_month)
),

rates as (
    select *,
           -- only a month that follows its predecessor counts as a change
           if(prev_month = date_format(add_months(to_date(batch_month || '-01'), -1), 'yyyy-MM'),
              try_divide(leaving_members, prev_members), null) as leave_rate,
           if(prev_month = date_format(add_months(to_date(batch_month || '-01'), -1), 'yyyy-MM'),
              try_divide(spend - prev_spend, prev_spend), null) as spend_chg
    from monthly
),

usual as (
    select *,
           avg(leave_rate) over (partition by group_id order by batch_month rows between 3 preceding and 1 preceding) as usual_leave_rate,
           try_divide(spend, avg(spend) over (partition by group_id order by batch_month rows between 3 preceding and 1 preceding)) - 1
               as spend_trend,
           try_divide(sum(leaving_members) over (partition by batch_month), sum(prev_members) over (partition by batch_month))
               as all_groups_leave_rate
    from rates
),

final as (
    select
        batch_month as stat_month, group_id, group_name, industry, region_code, group_class,
        members, new_members, leaving_members, leave_rate, usual_leave_rate, all_groups_leave_rate,
        spend, spend_chg, spend_trend, avg_tenure_months, loyal_share, arrears_share,
        nullif(concat_ws('；',
            if(leaving_members >= :min_leavers
               and leave_rate > :leave_factor * greatest(coalesce(usual_leave_rate, 0), coalesce(all_groups_leave_rate, 0)),
               concat('成员流失 ', leaving_members, ' 人(', format_number(100 * leave_rate, 1), '%，通常 ',
                      format_number(100 * greatest(coalesce(usual_leave_rate, 0), coalesce(all_groups_leave_rate, 0)), 1), '%)'), null),
            if(spend_chg < -:spend_drop and leaving_members * 1.0 <= 0.05 * prev_members,
               concat('成员未减而收入下降 ', format_number(-100 * spend_chg, 0), '%'), null)), '') as warning,
        batch_month
    from usual
    where batch_month between :month_from and :month_to
)

select * from final
