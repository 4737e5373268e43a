-- Campaign care: users in the network (dm.user_wide_m holds no others) with what the care rules read (conf/campaigns/care.yml),
-- prioritised by value score so the most valuable are cared for first.
with wide as (
    select user_id, msisdn, batch_month, tenure_months, data_mb_avg3, arrears_days_avg3, stop_count,
           :heavy_data_mb as heavy_data_mb
    from dm.user_wide_m
    where batch_month >= :month_from and batch_month <= :month_to
),
value as (
    select user_id, batch_month, value_score, value_tier
    from dm.user_value_m
    where batch_month >= :month_from and batch_month <= :month_to
),
final as (
    select w.user_id, w.msisdn, cast(v.value_score as double) as priority,
           concat('value tier ', coalesce(v.value_tier, '?'), ', tenure ', w.tenure_months, ' months') as reason,
           w.tenure_months, w.data_mb_avg3, w.arrears_days_avg3, w.stop_count, w.heavy_data_mb, v.value_tier
    from wide w
    join value v on v.user_id = w.user_id and v.batch_month = w.batch_month
)
select * from final
