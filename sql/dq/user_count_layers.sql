-- user_count_layers: the users at month end agree across layers: the ODS month-end snapshot,
-- the SCD2 dimension as of that day, and mid.user_profile_m. One row per month; the items are
-- the two comparisons.
with months as (
    select date_format(m, 'yyyy-MM') as batch_month, last_day(m) as month_end
    from (select explode(sequence(:month_start, :month_to_start, interval 1 month)) as m)
),

ods as (
    select m.batch_month, count(distinct u.user_id) as users
    from months as m
    join ods.user as u on u.batch_date = m.month_end
    group by m.batch_month
),

dim as (
    select m.batch_month, count(*) as users
    from months as m
    join mid.user_h as h on m.month_end between h.valid_from and h.valid_to
    group by m.batch_month
),

profile as (
    select batch_month, count(*) as users
    from mid.user_profile_m
    where batch_month between :month_from and :month_to
    group by batch_month
)

select
    m.batch_month as batch,
    2 as checked,
    if(coalesce(o.users, 0) <> coalesce(d.users, 0), 1, 0) + if(coalesce(o.users, 0) <> coalesce(p.users, 0), 1, 0) as failed,
    'mid.user_h ' || coalesce(d.users, 0) || ', mid.user_profile_m ' || coalesce(p.users, 0) as observed,
    'ods.user ' || coalesce(o.users, 0) as expected,
    '' as detail
from months as m
left join ods as o on o.batch_month = m.batch_month
left join dim as d on d.batch_month = m.batch_month
left join profile as p on p.batch_month = m.batch_month
