-- mid.user_h: user dimension with history (SCD type 2), rebuilt from every loaded user snapshot.
-- A version starts where a snapshot first shows a new combination of the tracked attributes.
-- Its start is the BOSS status date when the status changed between two snapshots (so a
-- mid-month close is dated exactly), else the snapshot date; the first version starts at the
-- open date. valid_to is the day before the next version, 9999-12-31 while current, or the last
-- snapshot that showed the user if later snapshots no longer do.
-- Who was active on day X:  where X between valid_from and valid_to and status = 'NORMAL'.
with snapshots as (
    select
        user_id, msisdn, cust_id, brand, plan_id, open_date, status, status_date, net_gen, sim_type,
        channel_id, region_code, batch_date,
        xxhash64(msisdn, cust_id, brand, plan_id, open_date, status, net_gen, sim_type, channel_id, region_code) as attrs
    from ods.user
),

ordered as (
    select
        *,
        lag(attrs) over by_user as prev_attrs,
        lag(status) over by_user as prev_status,
        lag(batch_date) over by_user as prev_date,
        max(batch_date) over (partition by user_id) as last_seen
    from snapshots
    window by_user as (partition by user_id order by batch_date)
),

changes as (
    select
        *,
        case when prev_attrs is null then least(open_date, batch_date)
             when status <> prev_status and status_date > prev_date and status_date <= batch_date then status_date
             else batch_date end as valid_from
    from ordered
    where prev_attrs is null or prev_attrs <> attrs
),

latest_snapshot as (
    select max(batch_date) as day from ods.user
),

final as (
    select
        c.user_id, c.msisdn, c.cust_id, c.brand, c.plan_id, c.open_date, c.status, c.status_date, c.net_gen,
        c.sim_type, c.channel_id, c.region_code,
        c.valid_from,
        coalesce(date_sub(lead(c.valid_from) over (partition by c.user_id order by c.valid_from), 1),
                 if(c.last_seen < l.day, c.last_seen, date'9999-12-31')) as valid_to
    from changes as c
    cross join latest_snapshot as l
)

select *, valid_to = date'9999-12-31' as is_current from final
