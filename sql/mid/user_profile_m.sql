-- mid.user_profile_m: one row per user existing at month end (:month_from..:month_to): the user's
-- state that day (from the SCD2 dimension), customer, paying accounts, plan and contract.
-- Left the network (离网) means a status of :churn_statuses (conf churn.statuses: closed, 销号, and
-- if the province says so the pre-closure statuses 预销号 PRE_CLOSED and 待销停机 PENDING_CLOSE);
-- every table that counts users in the network or leaving follows in_net and churned_in_month.
--   in_net            at month end in no status of :churn_statuses
--   left_on           the day the user's current stay in those statuses began (pre-closure, then
--                     closure: one departure, dated by its first step)
--   churned_in_month  left during the month (left_on in it)
--   in_net_at_start   in the network when the month began: opened before it, not left before it
-- Both read the month-end state, so a user who left in the month is either in_net_at_start or
-- is_new, never neither (one who left on the first day was in the network when the month began):
-- dm.kpi_m's churn rate relies on it. A user back from pre-closure counts as in the network at the
-- month's start.
with months as (
    select date_format(m, 'yyyy-MM') as batch_month, m as month_start, last_day(m) as month_end
    from (select explode(sequence(:month_start, :month_to_start, interval 1 month)) as m)
),

users as (
    select m.batch_month, m.month_start, m.month_end, h.*,
           array_contains(split(:churn_statuses, '[|]'), h.status) as gone
    from mid.user_h as h
    join months as m on m.month_end between h.valid_from and h.valid_to
),

-- the first day of each stay out of the network: a gone version after one that was not
run_starts as (
    select user_id, valid_from as left_on
    from (
        select user_id, valid_from, array_contains(split(:churn_statuses, '[|]'), status) as gone,
               lag(array_contains(split(:churn_statuses, '[|]'), status)) over (partition by user_id order by valid_from) as was_gone
        from mid.user_h
    )
    where gone and not coalesce(was_gone, false)
),

-- a user gone at month end left on the start of the stay that month end falls in
departures as (
    select u.user_id, u.batch_month, max(r.left_on) as left_on
    from users as u
    join run_starts as r on r.user_id = u.user_id and r.left_on <= u.month_end
    where u.gone
    group by u.user_id, u.batch_month
),

customers as (
    select cust_id, cust_type, gender, age, vip_tier, group_id, group_class, work_unit, job_title, batch_month
    from mid.customer_m
    where batch_month between :month_from and :month_to
),

accounts as (
    select
        user_id, batch_month,
        count(*) as paying_accounts,
        max_by(pay_method, struct(item_group in ('ALL', 'USAGE'), acct_id)) as pay_method,
        max(if(item_group = 'RENT', 1, 0)) as rent_paid_by_other
    from mid.user_account_m
    where batch_month between :month_from and :month_to
    group by user_id, batch_month
),

plans as (
    select plan_id, monthly_fee, batch_month
    from mid.product_m
    where batch_month between :month_from and :month_to
),

contracts as (
    select user_id, batch_month, max_by(contract_type, struct(end_month, contract_id)) as contract_type, max(end_month) as contract_end_month
    from ods.contract
    where batch_month between :month_from and :month_to
    group by user_id, batch_month
),

final as (
    select
        u.user_id, u.msisdn, u.cust_id, u.brand, u.plan_id, u.net_gen, u.sim_type, u.channel_id, u.region_code,
        u.status, u.status_date, u.open_date,
        cast(floor(months_between(u.month_end, u.open_date)) as int) as tenure_months,
        c.cust_type, c.gender, c.age, c.vip_tier, c.group_id, c.group_class, c.work_unit, c.job_title,
        a.pay_method, coalesce(a.paying_accounts, 0) as paying_accounts, coalesce(a.rent_paid_by_other, 0) as rent_paid_by_other,
        p.monthly_fee,
        k.contract_type, k.contract_end_month,
        cast(months_between(to_date(k.contract_end_month || '-01'), u.month_start) as int) as contract_months_left,
        not u.gone as in_net,
        d.left_on,
        u.open_date between u.month_start and u.month_end as is_new,
        coalesce(d.left_on between u.month_start and u.month_end, false) as churned_in_month,
        u.open_date < u.month_start and not coalesce(d.left_on < u.month_start, false) as in_net_at_start,
        u.batch_month
    from users as u
    left join customers as c on c.cust_id = u.cust_id and c.batch_month = u.batch_month
    left join accounts as a on a.user_id = u.user_id and a.batch_month = u.batch_month
    left join plans as p on p.plan_id = u.plan_id and p.batch_month = u.batch_month
    left join contracts as k on k.user_id = u.user_id and k.batch_month = u.batch_month
    left join departures as d on d.user_id = u.user_id and d.batch_month = u.batch_month
)

select * from final
