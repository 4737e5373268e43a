-- dm.kpi_cube_m: dm.kpi_m with subtotals over region × brand × plan × opening channel (CUBE), for
-- :month_from..:month_to, so a BI tool on the SQL server slices without writing SQL. A dimension
-- that reads 'ALL' is summed away; rollup_level counts those (0: dm.kpi_m's own cells, 4: the
-- province). Additive measures are summed; the ratios are recomputed from the sums with dm.kpi_m's
-- definitions, never averaged.
with cube as (
    select
        batch_month,
        if(grouping(region_code) = 1, 'ALL', region_code) as region_code,
        if(grouping(brand) = 1, 'ALL', brand) as brand,
        if(grouping(plan_id) = 1, 'ALL', plan_id) as plan_id,
        if(grouping(channel_id) = 1, 'ALL', channel_id) as channel_id,
        grouping(region_code) + grouping(brand) + grouping(plan_id) + grouping(channel_id) as rollup_level,
        sum(users_at_start) as users_at_start,
        sum(users_in_net) as users_in_net,
        sum(active_users) as active_users,
        sum(billed_users) as billed_users,
        sum(new_users) as new_users,
        sum(churned_users) as churned_users,
        sum(billed_minutes) as billed_minutes,
        sum(sms_count) as sms_count,
        sum(data_kb) as data_kb,
        sum(valid_cdrs) as valid_cdrs,
        sum(voice_fee) as voice_fee,
        sum(revenue) as revenue,
        sum(collected) as collected,
        sum(topup_amount) as topup_amount,
        sum(arrears_amt) as arrears_amt,
        sum(bad_debt) as bad_debt,
        max(cdr_days) as cdr_days
    from dm.kpi_m
    where batch_month between :month_from and :month_to
    group by batch_month, cube(region_code, brand, plan_id, channel_id)
),

final as (
    select
        c.*,
        cast(try_divide(revenue, billed_users) as decimal(12, 2)) as arpu,
        if(cdr_days = day(last_day(to_date(batch_month || '-01'))),
           cast(try_divide(billed_minutes, billed_users) as decimal(12, 1)), null) as mou,
        if(cdr_days > 0, cast(try_divide(billed_minutes * day(last_day(to_date(batch_month || '-01'))),
                                         billed_users * cdr_days) as decimal(12, 1)), null) as mou_est,
        cast(try_divide(churned_users, users_at_start + new_users) as decimal(8, 5)) as churn_rate,
        cast(try_divide(collected, revenue) as decimal(8, 5)) as collection_rate
    from cube as c
)

select * from final
