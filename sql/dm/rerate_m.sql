-- dm.rerate_m: every billed user's month re-rated under every plan of the month's catalogue
-- (BOSS's plans and the proposals of conf/tariffs/), by item. The rules are BOSS's
-- (lib/bass/devkit/simulator/catalog.py documents the simulated one):
--   rent      the plan's monthly fee
--   local     outgoing local minutes beyond the included minutes x price x voice rate
--   ld        6-second units x price x voice rate; on a NATIONAL plan the included minutes local
--             calls left cover long distance first (10 units a minute)
--   roam      roaming minutes (both directions) x price x voice rate
--   sms       outgoing SMS beyond the included SMS x price, plus MMS x the MMS price
--   data      MB beyond the included MB x price
--   vas       the SP's fees
-- No usage item is charged more than the list fee of its records. The catalogue is small and
-- broadcast: one join, column arithmetic, no per-user loop.
with usage as (
    select * from mid.user_rating_usage_m
    where batch_month between :month_from and :month_to
),

plans as (
    select * from mid.tariff_plan_m
    where batch_month between :month_from and :month_to
),

rated as (
    select /*+ BROADCAST(p) */
        u.user_id, u.batch_month, p.plan_id, p.origin, p.proposal_id,
        coalesce(p.plan_id = u.plan_id, false) as is_current,
        cast(p.monthly_fee as double) as rent_fee,
        least(cast(u.local_std as double),
              round(greatest(0d, u.local_min - p.incl_minutes) * p.price_local_min * p.voice_rate, 2)) as local_call_fee,
        least(cast(u.ld_std as double),
              round(if(p.scope = 'NATIONAL', greatest(0d, u.ld_units - 10 * greatest(0d, p.incl_minutes - u.local_min)),
                       u.ld_units) * p.price_ld_6s * p.voice_rate, 2)) as ld_call_fee,
        least(cast(u.roam_std as double), round(u.roam_min * p.price_roam_min * p.voice_rate, 2)) as roam_fee,
        least(cast(u.sms_std as double),
              round(greatest(0d, u.sms_n - p.incl_sms) * p.price_sms + u.mms_n * p.price_mms, 2)) as sms_fee,
        least(cast(u.data_std as double), round(greatest(0d, u.data_mb - p.incl_data_mb) * p.price_data_mb, 2)) as data_fee,
        least(cast(u.vas_std as double), round(cast(u.vas_yuan as double), 2)) as vas_fee
    from usage as u
    join plans as p on p.batch_month = u.batch_month
),

final as (
    select
        user_id, plan_id, origin, proposal_id, is_current,
        cast(rent_fee as decimal(12,2)) as rent_fee,
        cast(local_call_fee as decimal(12,2)) as local_call_fee,
        cast(ld_call_fee as decimal(12,2)) as ld_call_fee,
        cast(roam_fee as decimal(12,2)) as roam_fee,
        cast(sms_fee as decimal(12,2)) as sms_fee,
        cast(data_fee as decimal(12,2)) as data_fee,
        cast(vas_fee as decimal(12,2)) as vas_fee,
        cast(rent_fee + local_call_fee + ld_call_fee + roam_fee + sms_fee + data_fee + vas_fee as decimal(12,2)) as total_fee,
        batch_month
    from rated
)

select * from final
