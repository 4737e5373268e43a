-- dm.kpi_d: daily KPIs per region and brand for the days :date_from..:date_to. Active users
-- (使用用户数) are users with at least one CDR that day; cdr_fee (话单费用) is the actual fee rated
-- on the day's CDRs (voice, SMS, data, VAS), not revenue: revenue is what bills charge, monthly
-- (dm.kpi_m.revenue). CDRs whose MSISDN is not in the day's user file are kept under region/brand
-- UNKNOWN, as in dm.kpi_m, so the days of a month add up to the month. Usage belongs to the user
-- who held the MSISDN that day (mid.user_usage_d). Roaming: roam_cdr_fee is our users roaming
-- elsewhere (漫游出访), visit_* other networks' subscribers roaming in ours (漫游来访, all UNKNOWN).
-- From the day's user snapshot: new_users opened that day; churned_users left that day, the rule
-- of mid.user_profile_m (a status of :churn_statuses dated that day, after a day outside them: a
-- pre-closed user's closure is not a second departure).
with usage as (
    select *
    from mid.user_usage_d
    where batch_date between :date_from and :date_to
),

users as (
    select user_id, region_code, brand, open_date, status, status_date, batch_date,
           array_contains(split(:churn_statuses, '[|]'), status) as gone
    from ods.user
    where batch_date between date_sub(:date_from, 1) and :date_to
),

usage_by_user as (
    select
        coalesce(u.region_code, 'UNKNOWN') as region_code,
        coalesce(u.brand, 'UNKNOWN') as brand,
        g.*
    from usage as g
    left join users as u on u.user_id = g.user_id and u.batch_date = g.batch_date
),

usage_rows as (
    select
        region_code,
        brand,
        0 as new_users,
        0 as churned_users,
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
),

-- a user gone on its status date, who was not gone the day before (or not in that day's file)
movement_rows as (
    select
        u.region_code, u.brand,
        count_if(u.open_date = u.batch_date) as new_users,
        count_if(u.gone and u.status_date = u.batch_date and not coalesce(y.gone, false)) as churned_users,
        0 as active_users, 0 as voice_calls, 0 as voice_seconds, 0 as billed_minutes, 0 as sms_count, 0 as data_kb,
        0 as data_up_kb, 0 as data_down_kb, 0 as offnet_fee, 0 as roam_cdr_fee, 0 as visit_calls, 0 as visit_fee,
        0 as cdr_fee, u.batch_date
    from users as u
    left join users as y on y.user_id = u.user_id and y.batch_date = date_sub(u.batch_date, 1)
    where u.batch_date between :date_from and :date_to
    group by u.batch_date, u.region_code, u.brand
    having new_users > 0 or churned_users > 0
),

final as (
    select
        region_code, brand,
        sum(new_users) as new_users,
        sum(churned_users) as churned_users,
        sum(active_users) as active_users,
        sum(voice_calls) as voice_calls,
        sum(voice_seconds) as voice_seconds,
        sum(billed_minutes) as billed_minutes,
        sum(sms_count) as sms_count,
        sum(data_kb) as data_kb,
        sum(data_up_kb) as data_up_kb,
        sum(data_down_kb) as data_down_kb,
        sum(offnet_fee) as offnet_fee,
        sum(roam_cdr_fee) as roam_cdr_fee,
        sum(visit_calls) as visit_calls,
        sum(visit_fee) as visit_fee,
        sum(cdr_fee) as cdr_fee,
        batch_date
    from (
        select * from usage_rows
        union all
        select * from movement_rows
    )
    group by batch_date, region_code, brand
)

select * from final
