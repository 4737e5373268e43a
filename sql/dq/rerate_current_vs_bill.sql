-- rerate_current_vs_bill: the rating engine proves itself. Re-rating each billed user's current
-- plan (dm.rerate_m, is_current) must reproduce the month's actual bill (mid.user_bill_m: the items a
-- plan rates, rent and usage; late fees and card fees are no plan's) within
-- :rel_tolerance of the bill (and at least :abs_tolerance yuan). A user without a current-plan
-- re-rate (no plan at month end, or a plan not in the catalogue) counts as out of line. The
-- observed value is the share within tolerance; the detail the largest differences.
with bill as (
    select user_id, batch_month, cast(rent_fee + usage_fee as double) as bill_fee
    from mid.user_bill_m
    where batch_month between :month_from and :month_to
),

rerated as (
    select user_id, batch_month, cast(total_fee as double) as rerated_fee
    from dm.rerate_m
    where batch_month between :month_from and :month_to and is_current
),

compared as (
    select
        b.batch_month, b.user_id, b.bill_fee, r.rerated_fee,
        coalesce(abs(r.rerated_fee - b.bill_fee) > greatest(:abs_tolerance, :rel_tolerance * abs(b.bill_fee)), true) as off,
        coalesce(abs(r.rerated_fee - b.bill_fee), b.bill_fee) as diff
    from bill as b
    left join rerated as r on r.user_id = b.user_id and r.batch_month = b.batch_month
),

-- the three largest differences of each month: a window limit (top 3 per task before the shuffle)
worst as (
    select batch_month,
           concat_ws('; ', transform(array_sort(collect_list(struct(rk, concat(user_id, ' re-rated ',
               coalesce(cast(rerated_fee as string), 'none'), ' vs bill ', cast(bill_fee as string)) as text))), x -> x.text)) as worst
    from (select *, row_number() over (partition by batch_month order by diff desc, user_id) as rk
          from compared where off)
    where rk <= 3
    group by batch_month
),

per_month as (
    select batch_month, count(*) as users, count_if(off) as failed, sum(rerated_fee) as rerated_fee, sum(bill_fee) as bill_fee
    from compared
    group by batch_month
)

select
    p.batch_month as batch,
    users as checked,
    failed,
    concat(format_number(100.0 * (users - failed) / users, 2), ' % of users within ', format_number(100 * :rel_tolerance, 1),
           ' % (re-rated ', format_number(rerated_fee, 2), ')') as observed,
    concat('billed ', format_number(bill_fee, 2)) as expected,
    w.worst as detail
from per_month as p
left join worst as w on w.batch_month = p.batch_month
