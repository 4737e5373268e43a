-- user_known_m: every row of :source_table (a monthly ODS table with user_id) belongs to a user
-- in the month-end user snapshot (referential check). One row per month; an item is a row.
with source_rows as (
    select user_id, batch_month from identifier(:source_table) where batch_month between :month_from and :month_to
),

users as (
    select distinct user_id, date_format(batch_date, 'yyyy-MM') as batch_month
    from ods.user
    where batch_date between :month_start and :month_end
      and batch_date = last_day(batch_date)
),

checked as (
    select s.batch_month, s.user_id, u.user_id is null as unknown
    from source_rows as s
    left join users as u on u.user_id = s.user_id and u.batch_month = s.batch_month
)

select
    batch_month as batch,
    count(*) as checked,
    count_if(unknown) as failed,
    count_if(unknown) as observed,
    0 as expected,
    'rows of unknown users e.g. ' || concat_ws(', ', slice(collect_set(if(unknown, user_id, null)), 1, 3)) as detail
from checked
group by batch_month
