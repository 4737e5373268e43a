-- out.hq_kpi_m: the monthly upload to the headquarters' analysis system (一级经营分析系统, docs/domain.md §5)
-- for :month_from..:month_to: the province's KPIs by city × brand, with the city, brand and
-- province subtotals (report_level), from dm.kpi_cube_m, whose definitions they keep.
with final as (
    select
        batch_month as stat_month,
        :province as province_code,
        case when region_code = 'ALL' and brand = 'ALL' then 'PROVINCE'
             when brand = 'ALL' then 'REGION'
             when region_code = 'ALL' then 'BRAND'
             else 'REGION_BRAND' end as report_level,
        region_code, brand,
        users_in_net, users_at_start, new_users, churned_users, churn_rate, active_users, billed_users,
        revenue, arpu, billed_minutes, mou_est, sms_count, cast(data_kb / 1024 as decimal(18, 1)) as data_mb,
        collected, collection_rate, arrears_amt, bad_debt, cdr_days,
        batch_month
    from dm.kpi_cube_m
    where batch_month between :month_from and :month_to
      and plan_id = 'ALL' and channel_id = 'ALL'
)

select * from final
