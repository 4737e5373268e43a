-- mid.user_terminal_m: per user per month handset from the voice CDRs' IMEI (TAC = first 8
-- digits -> terminal library): the main handset, whether it changed, 4G capability, and the
-- multi-SIM signal (并卡): other of our MSISDNs seen in the same handset that month.
-- Months without loaded CDR days have no rows.
-- A call belongs to the user who held its MSISDN that day (mid.user_usage_d says who).
with calls as (
    select c.msisdn, d.user_id, c.imei, date_format(c.batch_date, 'yyyy-MM') as batch_month, c.start_time
    from ods.cdr_voice as c
    join mid.user_usage_d as d on d.msisdn = c.msisdn and d.batch_date = c.batch_date
    where c.batch_date between add_months(:month_start, -1) and :month_end
      and d.batch_date between add_months(:month_start, -1) and :month_end
      and c.imei is not null
),

per_imei as (
    select msisdn, user_id, batch_month, imei, count(*) as calls, max(start_time) as last_call
    from calls
    group by msisdn, user_id, batch_month, imei
),

per_user as (
    select
        msisdn, user_id, batch_month,
        max_by(imei, struct(calls, last_call, imei)) as main_imei,
        count(*) as imei_count
    from per_imei
    group by msisdn, user_id, batch_month
),

sharing as (
    select imei, batch_month, count(distinct msisdn) as msisdns
    from per_imei
    group by imei, batch_month
),

terminals as (
    select tac, maker, model, lte_capable, batch_month
    from mid.terminal_m
    where batch_month between :month_from and :month_to
),

final as (
    select
        p.user_id,
        p.msisdn,
        p.main_imei,
        substr(p.main_imei, 1, 8) as tac,
        t.maker,
        t.model,
        coalesce(t.lte_capable, 0) as lte_capable,
        p.imei_count,
        p.imei_count > 1 or (prev.main_imei is not null and prev.main_imei <> p.main_imei) as imei_changed,
        s.msisdns - 1 as shared_msisdns,
        s.msisdns > 1 as multi_sim,
        p.batch_month
    from per_user as p
    left join per_user as prev on prev.msisdn = p.msisdn and prev.user_id <=> p.user_id and prev.batch_month = date_format(add_months(to_date(p.batch_month || '-01'), -1), 'yyyy-MM')
    join sharing as s on s.imei = p.main_imei and s.batch_month = p.batch_month
    left join terminals as t on t.tac = substr(p.main_imei, 1, 8) and t.batch_month = p.batch_month
    where p.batch_month between :month_from and :month_to
)

select * from final
