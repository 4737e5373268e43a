-- Campaign care: users in the network (dm.user_wide_m holds no others) with their segment
-- (dm.user_segment_m) and what the care rules read (conf/campaigns/care.yml), prioritised by value
-- score so the most valuable are cared for first.
with wide as (
    select user_id, msisdn, batch_month, tenure_months, arrears_days_avg3, stop_count
    from dm.user_wide_m
    where batch_month >= :month_from and batch_month <= :month_to
),
value as (
    select user_id, batch_month, value_score, value_tier
    from dm.user_value_m
    where batch_month >= :month_from and batch_month <= :month_to
),
segment as (
    select user_id, batch_month, segment_id, segment_desc
    from dm.user_segment_m
    where batch_month >= :month_from and batch_month <= :month_to
),
final as (
    select w.user_id, w.msisdn, cast(v.value_score as double) as priority,
           concat(coalesce(s.segment_desc, 'no segment'), '; value tier ', coalesce(v.value_tier, '?'),
                  ', tenure ', w.tenure_months, ' months') as reason,
           s.segment_id, s.segment_desc, w.tenure_months, w.arrears_days_avg3, w.stop_count, v.value_tier
    from wide w
    join value v on v.user_id = w.user_id and v.batch_month = w.batch_month
    left join segment s on s.user_id = w.user_id and s.batch_month = w.batch_month
)
select * from final
