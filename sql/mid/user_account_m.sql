-- mid.user_account_m: the many-to-many user <-> account relation per month with each account's
-- owner and pay method (a company account may pay an employee's rent, the employee the rest).
with relation as (
    select user_id, acct_id, item_group, share_pct, batch_month
    from ods.user_account
    where batch_month between :month_from and :month_to
),

accounts as (
    select acct_id, cust_id, pay_method, batch_month
    from ods.account
    where batch_month between :month_from and :month_to
),

final as (
    select r.user_id, r.acct_id, a.cust_id as acct_cust_id, a.pay_method, r.item_group, r.share_pct, r.batch_month
    from relation as r
    left join accounts as a on a.acct_id = r.acct_id and a.batch_month = r.batch_month
)

select * from final
