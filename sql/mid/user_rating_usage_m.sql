-- mid.user_rating_usage_m: per billed user and month, the quantities and list fees the month's
-- bill rated, by item (BOSS's monthly usage summary, ods.usage_m), with the plan held at month
-- end. Users with a bill but no usage get zeros: their bill is the rent.
with usage as (
    select
        user_id, batch_month,
        sum(if(item_code = 'LOCAL_CALL', quantity, 0)) as local_min,
        sum(if(item_code = 'LOCAL_CALL', std_fee, 0)) as local_std,
        sum(if(item_code = 'LD_CALL', quantity, 0)) as ld_units,
        sum(if(item_code = 'LD_CALL', std_fee, 0)) as ld_std,
        sum(if(item_code = 'ROAM', quantity, 0)) as roam_min,
        sum(if(item_code = 'ROAM', std_fee, 0)) as roam_std,
        sum(if(item_code = 'SMS', quantity, 0)) as sms_n,
        sum(if(item_code = 'MMS', quantity, 0)) as mms_n,
        sum(if(item_code in ('SMS', 'MMS'), std_fee, 0)) as sms_std,
        sum(if(item_code = 'DATA', quantity, 0)) as data_mb,
        sum(if(item_code = 'DATA', std_fee, 0)) as data_std,
        sum(if(item_code = 'VAS', quantity, 0)) as vas_yuan,
        sum(if(item_code = 'VAS', std_fee, 0)) as vas_std
    from ods.usage_m
    where batch_month between :month_from and :month_to
    group by user_id, batch_month
),

billed as (
    select user_id, batch_month, bill_act_fee
    from mid.user_bill_m
    where batch_month between :month_from and :month_to
),

final as (
    select
        b.user_id,
        p.plan_id,
        p.brand,
        p.net_gen,
        p.region_code,
        b.bill_act_fee,
        cast(coalesce(u.local_min, 0) as decimal(14,3)) as local_min,
        cast(coalesce(u.local_std, 0) as decimal(14,2)) as local_std,
        cast(coalesce(u.ld_units, 0) as decimal(14,3)) as ld_units,
        cast(coalesce(u.ld_std, 0) as decimal(14,2)) as ld_std,
        cast(coalesce(u.roam_min, 0) as decimal(14,3)) as roam_min,
        cast(coalesce(u.roam_std, 0) as decimal(14,2)) as roam_std,
        cast(coalesce(u.sms_n, 0) as decimal(14,3)) as sms_n,
        cast(coalesce(u.mms_n, 0) as decimal(14,3)) as mms_n,
        cast(coalesce(u.sms_std, 0) as decimal(14,2)) as sms_std,
        cast(coalesce(u.data_mb, 0) as decimal(14,3)) as data_mb,
        cast(coalesce(u.data_std, 0) as decimal(14,2)) as data_std,
        cast(coalesce(u.vas_yuan, 0) as decimal(14,3)) as vas_yuan,
        cast(coalesce(u.vas_std, 0) as decimal(14,2)) as vas_std,
        b.batch_month
    from billed as b
    left join mid.user_profile_m as p on p.user_id = b.user_id and p.batch_month = b.batch_month
    left join usage as u on u.user_id = b.user_id and u.batch_month = b.batch_month
)

select * from final
