-- out.channel_eval_m: agent-channel evaluation (代理渠道评估) per opening channel and month
-- :month_from..:month_to, from the users' opening channel (mid.user_profile_m) and their bills.
--   opened                                 numbers opened at the channel in the month
--   users, churned_users, churn_rate       its users in the network at the month's end; those who left
--                                          in the month, over those in the network on its first day
--   revenue, arpu                          the month's bills of its users (ARPU per billed user)
--   arrears_users, arrears_amt             its users owing at the month's end, and what they owe
--   survival_3m, survival_6m               of the numbers opened there 3 (6) months before, the share
--                                          still in the network at the month's end
--   commission                             what the operator pays it for the month (simulated from the
--                                          scheme, conf profiles.channel): :opening_fee per number opened
--                                          at a channel with a commission rate, plus the rate × the bills
--                                          of its numbers in their first :commission_months months
--   revenue_per_commission                 revenue ÷ commission
--   openings_lookback                      numbers opened there in the :lookback_months months up to the
--                                          month, at least :commission_months months before its end
--   post_commission_leavers, _share        of those, the ones that left 0–2 months after their commission
--                                          period ended; their share of the openings
--   post_commission_ratio                  that share over the same share of all channels
--   same_id_customers, same_id_numbers     customer IDs with :same_id_min or more numbers opened there in
--                                          the lookback months, and those numbers
--   risk_score, risk_rank                  post-commission leavers and numbers on a shared ID as a share
--                                          of the lookback openings (0–2); rank 1 is the most suspicious
--   warning                                post-commission leaving above :leave_factor × all channels'
--                                          (at least :min_leavers numbers), or numbers on a shared ID
with months as (
    select date_format(m, 'yyyy-MM') as batch_month
    from (select explode(sequence(:month_start, :month_to_start, interval 1 month)) as m)
),

profile as (
    select user_id, cust_id, channel_id, in_net, is_new, churned_in_month, in_net_at_start,
           date_format(open_date, 'yyyy-MM') as open_month, batch_month
    from mid.user_profile_m
    where batch_month between date_format(add_months(:month_start, -:lookback_months), 'yyyy-MM')
                          and :month_to
      and channel_id is not null
),

bills as (
    select user_id, bill_act_fee, arrears_amt, batch_month
    from mid.user_bill_m
    where batch_month between :month_from and :month_to
),

-- every number opened in the window once: where, when, on which ID, and the month it left
openings as (
    select user_id, max(channel_id) as channel_id, max(cust_id) as cust_id, min(open_month) as open_month,
           min(if(churned_in_month, batch_month, null)) as left_month
    from profile
    group by user_id
    having min(open_month) >= date_format(add_months(:month_start, -:lookback_months), 'yyyy-MM')
),

-- the openings each month looks back on, and whether each left right after its commission period
looked_back as (
    select m.batch_month, o.channel_id, o.cust_id, o.user_id,
           o.left_month is not null and o.left_month <= m.batch_month
             and months_between(to_date(o.left_month || '-01'), to_date(o.open_month || '-01'))
                 between :commission_months and :commission_months + 2 as post_commission_leaver
    from months as m
    join openings as o
      on o.open_month > date_format(add_months(to_date(m.batch_month || '-01'), -:lookback_months), 'yyyy-MM')
     and o.open_month <= date_format(add_months(to_date(m.batch_month || '-01'), -:commission_months), 'yyyy-MM')
),

province_leaving as (
    select batch_month, avg(cast(post_commission_leaver as int)) as share from looked_back group by batch_month
),

shared_ids as (
    select batch_month, channel_id, count(*) as customers, sum(numbers) as numbers
    from (
        select m.batch_month, o.channel_id, o.cust_id, count(*) as numbers
        from months as m
        join openings as o
          on o.open_month > date_format(add_months(to_date(m.batch_month || '-01'), -:lookback_months), 'yyyy-MM')
         and o.open_month <= m.batch_month
        group by m.batch_month, o.channel_id, o.cust_id
        having count(*) >= :same_id_min
    )
    group by batch_month, channel_id
),

leaving as (
    select l.batch_month, l.channel_id, count(*) as openings, count_if(l.post_commission_leaver) as leavers,
           avg(cast(l.post_commission_leaver as int)) as share, max(p.share) as province_share
    from looked_back as l
    join province_leaving as p on p.batch_month = l.batch_month
    group by l.batch_month, l.channel_id
),

monthly as (
    select p.batch_month, p.channel_id,
           count_if(p.is_new) as opened,
           count_if(p.in_net) as users,
           count_if(p.churned_in_month) as churned_users,
           try_divide(count_if(p.churned_in_month and p.in_net_at_start), count_if(p.in_net_at_start)) as churn_rate,
           coalesce(sum(b.bill_act_fee), 0) as revenue,
           try_divide(sum(b.bill_act_fee), count(b.user_id)) as arpu,
           count_if(b.arrears_amt > 0) as arrears_users,
           coalesce(sum(b.arrears_amt), 0) as arrears_amt,
           coalesce(sum(if(months_between(to_date(p.batch_month || '-01'), to_date(p.open_month || '-01')) < :commission_months,
                           b.bill_act_fee, 0)), 0) as commission_revenue
    from profile as p
    left join bills as b on b.user_id = p.user_id and b.batch_month = p.batch_month
    where p.batch_month between :month_from and :month_to
    group by p.batch_month, p.channel_id
),

-- numbers opened 3 and 6 months before and how many of them are still in the network
cohorts as (
    select m.batch_month, o.channel_id, k.months as age,
           count(*) as opened, count_if(o.left_month is null or o.left_month > m.batch_month) as surviving
    from months as m
    cross join (select explode(array(3, 6)) as months) as k
    join openings as o on o.open_month = date_format(add_months(to_date(m.batch_month || '-01'), -k.months), 'yyyy-MM')
    group by m.batch_month, o.channel_id, k.months
),

measures as (
    select
        c.batch_month, c.channel_id, c.channel_name, c.channel_type, c.region_code, c.commission_rate,
        coalesce(n.opened, 0) as opened,
        coalesce(n.users, 0) as users,
        coalesce(n.churned_users, 0) as churned_users,
        n.churn_rate,
        coalesce(n.revenue, 0) as revenue,
        n.arpu,
        coalesce(n.arrears_users, 0) as arrears_users,
        coalesce(n.arrears_amt, 0) as arrears_amt,
        try_divide(s3.surviving, s3.opened) as survival_3m,
        try_divide(s6.surviving, s6.opened) as survival_6m,
        if(c.commission_rate > 0, :opening_fee * coalesce(n.opened, 0), 0)
            + c.commission_rate * coalesce(n.commission_revenue, 0) as commission,
        coalesce(l.openings, 0) as openings_lookback,
        coalesce(l.leavers, 0) as post_commission_leavers,
        l.share as post_commission_share,
        try_divide(l.share, l.province_share) as post_commission_ratio,
        coalesce(i.customers, 0) as same_id_customers,
        coalesce(i.numbers, 0) as same_id_numbers
    from mid.channel_m as c
    left join monthly as n on n.batch_month = c.batch_month and n.channel_id = c.channel_id
    left join cohorts as s3 on s3.batch_month = c.batch_month and s3.channel_id = c.channel_id and s3.age = 3
    left join cohorts as s6 on s6.batch_month = c.batch_month and s6.channel_id = c.channel_id and s6.age = 6
    left join leaving as l on l.batch_month = c.batch_month and l.channel_id = c.channel_id
    left join shared_ids as i on i.batch_month = c.batch_month and i.channel_id = c.channel_id
    where c.batch_month between :month_from and :month_to
),

scored as (
    select *,
           try_divide(revenue, commission) as revenue_per_commission,
           coalesce(try_divide(post_commission_leavers + same_id_numbers, openings_lookback), 0) as risk_score,
           post_commission_leavers >= :min_leavers and post_commission_ratio > :leave_factor as leaves_after_commission
    from measures
),

final as (
    select
        batch_month as stat_month, channel_id, channel_name, channel_type, region_code, opened, users, churned_users,
        churn_rate, revenue, arpu, arrears_users, arrears_amt, survival_3m, survival_6m, commission, revenue_per_commission,
        openings_lookback, post_commission_leavers, post_commission_share, post_commission_ratio, same_id_customers,
        same_id_numbers, risk_score,
        rank() over (partition by batch_month order by risk_score desc, channel_id) as risk_rank,
        nullif(concat_ws('；',
            if(leaves_after_commission, concat('佣金期后离网 ', post_commission_leavers, ' 户，为全省的 ',
                                               format_number(post_commission_ratio, 1), ' 倍'), null),
            if(same_id_customers > 0, concat(same_id_customers, ' 个证件各开 ', :same_id_min, ' 户以上，共 ', same_id_numbers, ' 户'), null)),
            '') as warning,
        batch_month
    from scored
)

select * from final
