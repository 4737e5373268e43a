-- mid.customer_m: customer dimension per month (the month's BOSS snapshot) with age at month end,
-- VIP tier and the group customer's name and A/B/C class.
with customers as (
    select *
    from ods.customer
    where batch_month between :month_from and :month_to
),

groups as (
    select group_id, group_name, group_class, batch_month
    from ods.group_customer
    where batch_month between :month_from and :month_to
),

final as (
    select
        c.cust_id, c.cust_name, c.cust_type, c.gender, c.birth_date,
        cast(floor(months_between(last_day(to_date(c.batch_month || '-01')), c.birth_date) / 12) as int) as age,
        c.region_code, c.work_unit, c.job_title, c.vip_tier, c.group_id, g.group_name, g.group_class,
        c.batch_month
    from customers as c
    left join groups as g on g.group_id = c.group_id and g.batch_month = c.batch_month
)

select * from final
