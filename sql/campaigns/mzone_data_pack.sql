-- Campaign mzone_data_pack: M-Zone users whose data use exceeds their plan's allowance by
-- :over_allowance times (they pay for data by the MB), other than those already on :offer_plan
-- or a larger data allowance; prioritised by what they paid for data beyond the plan.
with wide as (
    select user_id, msisdn, batch_month, plan_id, data_mb_avg3, data_fee_avg3
    from dm.user_wide_m
    where batch_month >= :month_from and batch_month <= :month_to
      and brand = 'MZONE'   -- dm.user_wide_m: users in the network only
),
plans as (
    select plan_id, batch_month, incl_data_mb
    from mid.product_m
    where batch_month >= :month_from and batch_month <= :month_to
),
offer as (
    select batch_month, incl_data_mb as offer_data_mb
    from mid.product_m
    where batch_month >= :month_from and batch_month <= :month_to and plan_id = :offer_plan
),
final as (
    select w.user_id, w.msisdn, cast(w.data_fee_avg3 as double) as priority,
           concat('data ', cast(round(w.data_mb_avg3) as int), ' MB a month against ', p.incl_data_mb,
                  ' MB in plan ', w.plan_id) as reason
    from wide w
    join plans p on p.plan_id = w.plan_id and p.batch_month = w.batch_month
    join offer o on o.batch_month = w.batch_month
    where w.plan_id <> :offer_plan
      and p.incl_data_mb < o.offer_data_mb
      and w.data_mb_avg3 >= :over_allowance * greatest(p.incl_data_mb, 1)
)
select * from final
