-- dm.kpi_d: daily KPIs per region and brand for the days :date_from..:date_to. Active users
-- (使用用户数) are users with at least one CDR that day; cdr_fee (话单费用) is the actual fee rated
-- on the day's CDRs (voice, SMS, data, VAS), not revenue: revenue is what bills charge, monthly
-- (dm.kpi_m.revenue). CDRs whose MSISDN is not in the day's user file are kept under region/brand
-- UNKNOWN, as in dm.kpi_m, so the days of a month add up to the month. Usage belongs to the user
-- who held the MSISDN that day (mid.user_usage_d). Roaming: roam_cdr_fee is our users roaming
-- elsewhere (漫游出访), visit_* other networks' subscribers roaming in ours (漫游来访, all UNKNOWN).
with usage as (
    select *
    from mid.user_usage_d
    where batch_date between :date_from and :date_to
),

users as (
    select user_id, region_code, brand, batch_date
    from ods.user
    where batch_date between :date_from and :date_to
),

usage_by_user as (
    select
        coalesce(u.region_code, 'UNKNOWN') as region_code,
        coalesce(u.brand, 'UNKNOWN') as brand,
        g.*
    from usage as g
    left join users as u on u.user_id = g.user_id and u.batch_date = g.batch_date
),

final as (
    select
        region_code,
        brand,
        count(*) as active_users,
        sum(voice_calls) as voice_calls,
        sum(voice_seconds) as voice_seconds,
        sum(billed_minutes) as billed_minutes,
        sum(sms_count) as sms_count,
        sum(data_kb) as data_kb,
        sum(data_up_kb) as data_up_kb,
        sum(data_down_kb) as data_down_kb,
        sum(offnet_fee) as offnet_fee,
        sum(roam_fee) as roam_cdr_fee,
        sum(visit_calls) as visit_calls,
        sum(visit_fee) as visit_fee,
        sum(total_fee) as cdr_fee,
        batch_date
    from usage_by_user
    group by batch_date, region_code, brand
)

select * from final
