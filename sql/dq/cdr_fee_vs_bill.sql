-- cdr_fee_vs_bill: the list fees of the CDRs (voice standard fees + SMS + data + VAS fees) agree
-- with the standard fees of the bill's usage items (every item but rent) per user-month, within
-- :abs_tolerance yuan plus :rel_tolerance of the bill. Actual fees differ by design: the bill
-- applies the plan's allowances and discounts to the month's usage. Only months whose CDR days are all loaded can be compared; other
-- months report 0 checked (SKIPPED) and say why.
with months as (
    select date_format(m, 'yyyy-MM') as batch_month, day(last_day(m)) as days_in_month
    from (select explode(sequence(:month_start, :month_to_start, interval 1 month)) as m)
),

coverage as (
    select m.batch_month, m.days_in_month, coalesce(max(u.cdr_days), 0) as cdr_days
    from months as m
    left join mid.user_usage_m as u on u.batch_month = m.batch_month
    group by m.batch_month, m.days_in_month
),

cdr as (
    select user_id, batch_month, sum(voice_std_fee + sms_fee + data_fee + vas_fee) as cdr_fee
    from mid.user_usage_m
    where batch_month between :month_from and :month_to and user_id is not null
    group by user_id, batch_month
),

bill as (
    select user_id, batch_month, usage_std_fee as bill_fee
    from mid.user_bill_m
    where batch_month between :month_from and :month_to
),

compared as (
    select
        coalesce(c.batch_month, b.batch_month) as batch_month,
        coalesce(c.user_id, b.user_id) as user_id,
        coalesce(c.cdr_fee, 0) as cdr_fee,
        coalesce(b.bill_fee, 0) as bill_fee
    from cdr as c
    full join bill as b on b.user_id = c.user_id and b.batch_month = c.batch_month
),

per_month as (
    select
        batch_month,
        count(*) as users,
        count_if(abs(cdr_fee - bill_fee) > :abs_tolerance + :rel_tolerance * bill_fee) as failed,
        sum(cdr_fee) as cdr_fee,
        sum(bill_fee) as bill_fee,
        concat_ws('; ', slice(collect_list(if(abs(cdr_fee - bill_fee) > :abs_tolerance + :rel_tolerance * bill_fee,
            user_id || ': CDRs ' || cdr_fee || ' vs bill ' || bill_fee, null)), 1, 3)) as examples
    from compared
    group by batch_month
)

select
    v.batch_month as batch,
    if(v.cdr_days = v.days_in_month, coalesce(p.users, 0), 0) as checked,
    if(v.cdr_days = v.days_in_month, coalesce(p.failed, 0), 0) as failed,
    cast(p.cdr_fee as string) as observed,
    cast(p.bill_fee as string) as expected,
    if(v.cdr_days = v.days_in_month, p.examples,
       'not compared: CDRs cover ' || v.cdr_days || ' of ' || v.days_in_month || ' days') as detail
from coverage as v
left join per_month as p on p.batch_month = v.batch_month
