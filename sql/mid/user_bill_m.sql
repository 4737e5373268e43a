-- mid.user_bill_m: per user per month: the bill by account item (standard fee, discount, actual
-- fee), payments by channel and method, and the month-end balance and arrears.
--   pay_amount         every payment of the month (交费金额)
--   topup_amount       payments into prepaid accounts (pay method TOPUP_CARD): top-ups (充值)
--   collected          what the month settled (实收金额): this month's bill plus last month's
--                      arrears, as far as the month's payments and last month's balance cover them;
--                      an overpayment is a balance, not collected
--   arrears_recovered  the part of collected that settled last month's arrears (欠费回收)
with bill as (
    select user_id, batch_month, item_code, std_fee, discount, act_fee
    from ods.bill
    where batch_month between :month_from and :month_to
),

payments as (
    select p.user_id, p.batch_month, p.amount, p.channel, p.method, a.pay_method = 'TOPUP_CARD' as prepaid
    from ods.payment as p
    left join ods.account as a on a.acct_id = p.acct_id and a.batch_month = p.batch_month
    where p.batch_month between :month_from and :month_to
),

-- from the month before the range: last month's balance and arrears
balances as (
    select user_id, batch_month, balance, arrears_amt, arrears_days, stop_count
    from ods.balance
    where batch_month between date_format(add_months(:month_start, -1), 'yyyy-MM') and :month_to
),

bill_by_user as (
    select
        user_id, batch_month,
        sum(std_fee) as bill_std_fee,
        sum(discount) as bill_discount,
        sum(act_fee) as bill_act_fee,
        sum(if(item_code = 'RENT', act_fee, 0)) as rent_fee,
        sum(if(item_code = 'LOCAL_CALL', act_fee, 0)) as local_call_fee,
        sum(if(item_code = 'LD_CALL', act_fee, 0)) as ld_call_fee,
        sum(if(item_code = 'ROAM', act_fee, 0)) as roam_fee,
        sum(if(item_code = 'SMS', act_fee, 0)) as sms_fee,
        sum(if(item_code = 'DATA', act_fee, 0)) as data_fee,
        sum(if(item_code = 'VAS', act_fee, 0)) as vas_fee,
        sum(if(item_code <> 'RENT', act_fee, 0)) as usage_fee,
        sum(if(item_code <> 'RENT', std_fee, 0)) as usage_std_fee,
        max(if(item_code <> 'RENT', 1, 0)) as has_usage
    from bill
    group by user_id, batch_month
),

pay_by_user as (
    select
        user_id, batch_month,
        count(*) as pay_count,
        sum(amount) as pay_amount,
        sum(if(channel = 'HALL', amount, 0)) as pay_hall,
        sum(if(channel = 'BANK', amount, 0)) as pay_bank,
        sum(if(channel = 'AGENT', amount, 0)) as pay_agent,
        sum(if(channel = 'E_TOPUP', amount, 0)) as pay_e_topup,
        sum(if(method = 'CASH', amount, 0)) as pay_cash,
        sum(if(method = 'BANK_COLLECT', amount, 0)) as pay_bank_collect,
        sum(if(method = 'TOPUP_CARD', amount, 0)) as pay_topup_card,
        sum(if(prepaid, amount, 0)) as topup_amount,
        max_by(channel, struct(amount, channel)) as main_pay_channel
    from payments
    group by user_id, batch_month
),

balance_by_user as (
    select
        user_id, batch_month,
        sum(balance) as balance,
        sum(arrears_amt) as arrears_amt,
        max(arrears_days) as arrears_days,
        max(stop_count) as stop_count
    from balances
    group by user_id, batch_month
),

keys as (
    select user_id, batch_month from bill_by_user
    union
    select user_id, batch_month from pay_by_user
    union
    select user_id, batch_month from balance_by_user where batch_month >= :month_from
),

final as (
    select
        k.user_id,
        coalesce(b.bill_std_fee, 0) as bill_std_fee,
        coalesce(b.bill_discount, 0) as bill_discount,
        coalesce(b.bill_act_fee, 0) as bill_act_fee,
        coalesce(b.rent_fee, 0) as rent_fee,
        coalesce(b.local_call_fee, 0) as local_call_fee,
        coalesce(b.ld_call_fee, 0) as ld_call_fee,
        coalesce(b.roam_fee, 0) as roam_fee,
        coalesce(b.sms_fee, 0) as sms_fee,
        coalesce(b.data_fee, 0) as data_fee,
        coalesce(b.vas_fee, 0) as vas_fee,
        coalesce(b.usage_fee, 0) as usage_fee,
        coalesce(b.usage_std_fee, 0) as usage_std_fee,
        coalesce(b.has_usage, 0) = 1 as has_usage,
        b.user_id is not null as billed,
        coalesce(p.pay_count, 0) as pay_count,
        coalesce(p.pay_amount, 0) as pay_amount,
        coalesce(p.pay_hall, 0) as pay_hall,
        coalesce(p.pay_bank, 0) as pay_bank,
        coalesce(p.pay_agent, 0) as pay_agent,
        coalesce(p.pay_e_topup, 0) as pay_e_topup,
        coalesce(p.pay_cash, 0) as pay_cash,
        coalesce(p.pay_bank_collect, 0) as pay_bank_collect,
        coalesce(p.pay_topup_card, 0) as pay_topup_card,
        coalesce(p.topup_amount, 0) as topup_amount,
        least(coalesce(p.pay_amount, 0) + coalesce(prev.balance, 0),
              coalesce(b.bill_act_fee, 0) + coalesce(prev.arrears_amt, 0)) as collected,
        least(coalesce(p.pay_amount, 0) + coalesce(prev.balance, 0), coalesce(prev.arrears_amt, 0)) as arrears_recovered,
        p.main_pay_channel,
        coalesce(z.balance, 0) as balance,
        coalesce(z.arrears_amt, 0) as arrears_amt,
        coalesce(z.arrears_days, 0) as arrears_days,
        coalesce(z.stop_count, 0) as stop_count,
        k.batch_month
    from keys as k
    left join bill_by_user as b on b.user_id = k.user_id and b.batch_month = k.batch_month
    left join pay_by_user as p on p.user_id = k.user_id and p.batch_month = k.batch_month
    left join balance_by_user as z on z.user_id = k.user_id and z.batch_month = k.batch_month
    left join balance_by_user as prev
        on prev.user_id = k.user_id
       and prev.batch_month = date_format(add_months(to_date(k.batch_month || '-01'), -1), 'yyyy-MM')
)

select * from final
