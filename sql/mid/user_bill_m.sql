-- mid.user_bill_m: per user per month: the bill by account item (standard fee, discount, actual
-- fee), payments by channel and method, and the month-end balance and arrears.
--   *_revenue          actual fees of the items of a reporting group (统计帐目; conf
--                      revenue.item_groups maps each account item to its group): voice, SMS, data, VAS
--   usage_fee          the items of those four groups; rent, late fees (滞纳金) and card fees (卡费) are not usage
--   used_*             billed for an item of the group (for 使用用户数 with the CDRs)
--   pay_amount         every payment of the month for our own fees (交费金额); a payment BOSS took
--                      for another party (代收, payee set) is pay_for_others and in nothing else
--   pay_entrusted      paid through a bank or post office collecting for us (委托代收)
--   pay_remote         collected in another city than the user's (异地代收, seen from the user's city)
--   topup_amount       payments into prepaid accounts (pay method TOPUP_CARD): top-ups (充值)
--   collected          what the month settled (实收金额): this month's bill plus last month's
--                      arrears, as far as the month's payments and last month's balance cover them;
--                      an overpayment is a balance, not collected
--   arrears_recovered  the part of collected that settled last month's arrears (欠费回收)
--   paid_current       the part of collected that settled this month's bill (已交当月费用)
--   written_off        arrears BOSS wrote off in the month after approval (核销: bad debt, 坏帐);
--                      they are no longer in the balance's arrears
with bill as (
    select user_id, batch_month, item_code, std_fee, discount, act_fee,
           coalesce(try_element_at(str_to_map(:item_groups, '[|]', ':'), item_code), 'other') as item_group
    from ods.bill
    where batch_month between :month_from and :month_to
),

payments as (
    select p.user_id, p.batch_month, p.amount, p.channel, p.method, a.pay_method = 'TOPUP_CARD' as prepaid,
           p.payee is not null as for_other, p.collect_region is not null and p.collect_region <> u.region_code as remote
    from ods.payment as p
    left join ods.account as a on a.acct_id = p.acct_id and a.batch_month = p.batch_month
    left join (select user_id, region_code, batch_month from mid.user_profile_m
               where batch_month between :month_from and :month_to) as u
        on u.user_id = p.user_id and u.batch_month = p.batch_month
    where p.batch_month between :month_from and :month_to
),

writeoffs as (
    select user_id, batch_month, sum(amount) as written_off
    from ods.writeoff
    where batch_month between :month_from and :month_to
    group by user_id, batch_month
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
        sum(if(item_code = 'LATE_FEE', act_fee, 0)) as late_fee,
        sum(if(item_code = 'CARD_FEE', act_fee, 0)) as card_fee,
        sum(if(item_group = 'voice', act_fee, 0)) as voice_revenue,
        sum(if(item_group = 'sms', act_fee, 0)) as sms_revenue,
        sum(if(item_group = 'data', act_fee, 0)) as data_revenue,
        sum(if(item_group = 'vas', act_fee, 0)) as vas_revenue,
        max(item_group = 'voice') as used_voice,
        max(item_group = 'sms') as used_sms,
        max(item_group = 'data') as used_data,
        max(item_group = 'vas') as used_vas,
        sum(if(item_group in ('voice', 'sms', 'data', 'vas'), act_fee, 0)) as usage_fee,
        sum(if(item_group in ('voice', 'sms', 'data', 'vas'), std_fee, 0)) as usage_std_fee,
        max(if(item_group in ('voice', 'sms', 'data', 'vas'), 1, 0)) as has_usage
    from bill
    group by user_id, batch_month
),

pay_by_user as (
    select
        user_id, batch_month,
        count_if(not for_other) as pay_count,
        sum(if(not for_other, amount, 0)) as pay_amount,
        sum(if(for_other, amount, 0)) as pay_for_others,
        sum(if(not for_other and channel = 'ENTRUSTED', amount, 0)) as pay_entrusted,
        sum(if(not for_other and remote, amount, 0)) as pay_remote,
        sum(if(not for_other and channel = 'HALL', amount, 0)) as pay_hall,
        sum(if(not for_other and channel = 'BANK', amount, 0)) as pay_bank,
        sum(if(not for_other and channel = 'AGENT', amount, 0)) as pay_agent,
        sum(if(not for_other and channel = 'E_TOPUP', amount, 0)) as pay_e_topup,
        sum(if(not for_other and method = 'CASH', amount, 0)) as pay_cash,
        sum(if(not for_other and method = 'BANK_COLLECT', amount, 0)) as pay_bank_collect,
        sum(if(not for_other and method = 'TOPUP_CARD', amount, 0)) as pay_topup_card,
        sum(if(prepaid and not for_other, amount, 0)) as topup_amount,
        max_by(channel, struct(amount, channel)) filter (where not for_other) as main_pay_channel
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
    union
    select user_id, batch_month from writeoffs
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
        coalesce(b.late_fee, 0) as late_fee,
        coalesce(b.card_fee, 0) as card_fee,
        coalesce(b.voice_revenue, 0) as voice_revenue,
        coalesce(b.sms_revenue, 0) as sms_revenue,
        coalesce(b.data_revenue, 0) as data_revenue,
        coalesce(b.vas_revenue, 0) as vas_revenue,
        coalesce(b.used_voice, false) as used_voice,
        coalesce(b.used_sms, false) as used_sms,
        coalesce(b.used_data, false) as used_data,
        coalesce(b.used_vas, false) as used_vas,
        coalesce(b.usage_fee, 0) as usage_fee,
        coalesce(b.usage_std_fee, 0) as usage_std_fee,
        coalesce(b.has_usage, 0) = 1 as has_usage,
        b.user_id is not null as billed,
        coalesce(p.pay_count, 0) as pay_count,
        coalesce(p.pay_amount, 0) as pay_amount,
        coalesce(p.pay_for_others, 0) as pay_for_others,
        coalesce(p.pay_entrusted, 0) as pay_entrusted,
        coalesce(p.pay_remote, 0) as pay_remote,
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
        least(greatest(coalesce(p.pay_amount, 0) + coalesce(prev.balance, 0) - coalesce(prev.arrears_amt, 0), 0),
              coalesce(b.bill_act_fee, 0)) as paid_current,
        p.main_pay_channel,
        coalesce(z.balance, 0) as balance,
        coalesce(z.arrears_amt, 0) as arrears_amt,
        coalesce(z.arrears_days, 0) as arrears_days,
        coalesce(z.stop_count, 0) as stop_count,
        coalesce(w.written_off, 0) as written_off,
        k.batch_month
    from keys as k
    left join bill_by_user as b on b.user_id = k.user_id and b.batch_month = k.batch_month
    left join pay_by_user as p on p.user_id = k.user_id and p.batch_month = k.batch_month
    left join balance_by_user as z on z.user_id = k.user_id and z.batch_month = k.batch_month
    left join writeoffs as w on w.user_id = k.user_id and w.batch_month = k.batch_month
    left join balance_by_user as prev
        on prev.user_id = k.user_id
       and prev.batch_month = date_format(add_months(to_date(k.batch_month || '-01'), -1), 'yyyy-MM')
)

select * from final
