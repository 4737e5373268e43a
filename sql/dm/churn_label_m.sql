-- dm.churn_label_m: churn labels for users in the network at the end of each month
-- (:month_from..:month_to): left within the next 1 and 3 months (closed, 销号, or a pre-closure
-- status if conf churn.statuses lists it; the first step counts, as in mid.user_profile_m). A label stays
-- null until the user snapshots of the whole horizon are loaded, so a model never reads an
-- unknown future as "stayed". The monthly batch restates the three months before it (see
-- conf/tables.yml restate_months) and copies the labels into dm.user_wide_m.
with months as (
    select date_format(m, 'yyyy-MM') as batch_month, last_day(m) as month_end,
           last_day(add_months(m, 1)) as end_1m, last_day(add_months(m, 3)) as end_3m
    from (select explode(sequence(:month_start, :month_to_start, interval 1 month)) as m)
),

in_net as (
    select user_id, batch_month
    from mid.user_profile_m
    where batch_month between :month_from and :month_to
      and in_net
),

-- every step into a status that counts as leaving (conf churn.statuses, as mid.user_profile_m)
closed as (
    select user_id, valid_from as closed_on
    from mid.user_h
    where array_contains(split(:churn_statuses, '[|]'), status)
),

loaded as (
    select max(batch_date) as last_snapshot from ods.user
),

-- the first step out of the network after the month's end
departures as (
    select i.user_id, i.batch_month, min(c.closed_on) as closed_on
    from in_net as i
    join months as m on m.batch_month = i.batch_month
    left join closed as c on c.user_id = i.user_id and c.closed_on > m.month_end
    group by i.user_id, i.batch_month
),

final as (
    select
        d.user_id,
        d.closed_on,
        if(l.last_snapshot >= m.end_1m, coalesce(d.closed_on <= m.end_1m, false), null) as churn_1m,
        if(l.last_snapshot >= m.end_3m, coalesce(d.closed_on <= m.end_3m, false), null) as churn_3m,
        d.batch_month
    from departures as d
    join months as m on m.batch_month = d.batch_month
    cross join loaded as l
)

select * from final
