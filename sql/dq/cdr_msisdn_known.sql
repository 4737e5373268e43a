-- cdr_msisdn_known: every CDR's billed MSISDN is a user in that day's user snapshot (referential
-- check). One row per CDR day; an item is a CDR. Visitors roaming in our network (call type
-- VISIT) are other networks' subscribers and are not checked.
with cdrs as (
    select msisdn, batch_date from ods.cdr_voice where batch_date between :date_from and :date_to and roam_type not in ('VISIT', 'VISIT_INTL')
    union all
    select msisdn, batch_date from ods.cdr_sms where batch_date between :date_from and :date_to
    union all
    select msisdn, batch_date from ods.cdr_data where batch_date between :date_from and :date_to
    union all
    select msisdn, batch_date from ods.vas_usage where batch_date between :date_from and :date_to
),

users as (
    select distinct msisdn, batch_date from ods.user where batch_date between :date_from and :date_to
),

checked as (
    select c.batch_date, c.msisdn, u.msisdn is null as unknown
    from cdrs as c
    left join users as u on u.msisdn = c.msisdn and u.batch_date = c.batch_date
)

select
    cast(batch_date as string) as batch,
    count(*) as checked,
    count_if(unknown) as failed,
    count_if(unknown) as observed,
    0 as expected,
    'unknown MSISDNs e.g. ' || concat_ws(', ', slice(collect_set(if(unknown, msisdn, null)), 1, 3)) as detail
from checked
group by batch_date
