-- dm.kpi_m: the operator's monthly KPIs (docs/domain.md §5) per month × region × brand × plan × opening
-- channel, for :month_from..:month_to. Every definition is written once, here:
--   users_in_net    users existing at month end and in the network (在网用户; mid.user_profile_m.in_net:
--                   in no status of conf churn.statuses)
--   active_users    used the service at least once in the month: a CDR, or a usage item on the bill (使用用户数)
--   voice_users, sms_users, data_users, vas_users  the same per service: a call, SMS, data or VAS
--                   record, or a bill item of the service's reporting group
--   new_users       opened in the month; churned_users: left in the month (mid.user_profile_m.churned_in_month)
--   churn_rate      churned_users / (users_at_start + new_users) (离网率): every user who left in the
--                   month was in the network on its first day or opened in it, so numerator and
--                   denominator count the same users (one who opened and left in the month included)
--   valid_cdrs      call records (有效话单 = 通话话单), calls to special and service numbers and free
--                   long-distance calls under 3 s included; SMS, data and VAS records are counted
--                   apart (sms_count, data_records, vas_records)
--   billed_minutes  each call rounded up (6-second units long distance, minutes otherwise), summed (计费时长);
--                   a free long-distance call under 3 s counts none
--   revenue         actual fees billed (实际费用 = 标准费用 - 优惠)
--   voice_revenue, sms_revenue, data_revenue, vas_revenue  actual fees of the account items of each
--                   reporting group (统计帐目, conf revenue.item_groups); by item in dm.revenue_m
--   late_fee        late fees billed (滞纳金); card_fee: cards sold (卡费)
--   voice_fee       what voice calls earned: actual fees of the month's loaded call CDRs (话费收入)
--   cdr_fee         actual fees rated on the month's loaded CDRs of every kind (话单费用; the sum of dm.kpi_d.cdr_fee)
--   collected       this month's bills and last month's arrears settled by the month's payments and
--                   last month's balance (实收金额; mid.user_bill_m); an overpayment is not collected
--   arrears_recovered  the part of collected that settled last month's arrears (欠费回收)
--   paid_current    the part of collected that settled this month's charges (已交当月费用)
--   pay_*           our users' payments by channel (交费金额): hall, bank collection (托收), agent,
--                   e-top-up, entrusted to a bank or post office (委托代收); pay_remote: collected in
--                   another city (异地代收, in the user's city's row); collected_for_remote: collected
--                   here for users of another city (代收异地, in the collecting city's row, under the
--                   user's brand, plan and channel); pay_for_others: BOSS collecting another party's
--                   fees (代收), in no other payment figure
--   topup_amount    payments into prepaid accounts (充值), a measure of its own, not collected
--   bad_debt        arrears confirmed uncollectable and written off in the month after approval
--                   (坏帐: BOSS's write-offs, ods.writeoff)
--   doubtful_debt   arrears at month end older than :doubtful_days days, not written off (呆帐;
--                   written-off arrears have left the balance), so the two never overlap
--   roam_fee        roaming billed to our users roaming elsewhere (漫游费, 漫游出访); from the loaded
--                   CDRs its two parts, roam_call_fee (漫游通话费) and roam_ld_fee (漫游长途费: roaming
--                   calls that are long distance), and roam_intl_fee abroad
--   visit_calls, visit_fee  other networks' subscribers roaming in ours, from CDRs (漫游来访, under
--                   UNKNOWN): the roaming settlement their operators owe; visit_intl_* those from abroad
--   interconnect_fee  the interconnect settlement (结算费) owed to other networks for our users'
--                   outgoing off-net calls: their minutes × :interconnect_per_minute (conf settlement)
--   data_kb         up + down (data_up_kb, data_down_kb)
--   arpu            revenue / billed users
--   mou             billed minutes / billed users, only for a month whose CDR days are all loaded
--   mou_est         the same scaled from the loaded CDR days to the whole month (an estimate; null
--                   without CDR days)
-- Other CDR-based measures cover only the CDR days loaded for the month (cdr_days); bill-based ones
-- the whole month. Usage belongs to the user who held the MSISDN that day (mid.user_usage_m's
-- user_id); usage of an MSISDN without a user is kept under region, brand, plan and channel
-- UNKNOWN, as in dm.kpi_d, so the days of a month add up to the month.
with profile as (
    select *
    from mid.user_profile_m
    where batch_month between :month_from and :month_to
      and (in_net or churned_in_month)
),

usage as (
    select *
    from mid.user_usage_m
    where batch_month between :month_from and :month_to
),

bills as (
    select *
    from mid.user_bill_m
    where batch_month between :month_from and :month_to
),

coverage as (
    select batch_month, max(cdr_days) as cdr_days
    from usage
    group by batch_month
),

per_user as (
    select
        p.batch_month, p.region_code, p.brand, p.plan_id, coalesce(p.channel_id, 'UNKNOWN') as channel_id,
        p.in_net,
        coalesce(g.active_days, 0) > 0 or coalesce(b.has_usage, false) as active,
        coalesce(g.voice_calls, 0) > 0 or coalesce(b.used_voice, false) as voice_user,
        coalesce(g.sms_count, 0) > 0 or coalesce(b.used_sms, false) as sms_user,
        coalesce(g.data_records, 0) > 0 or coalesce(b.used_data, false) as data_user,
        coalesce(g.vas_count, 0) > 0 or coalesce(b.used_vas, false) as vas_user,
        p.is_new, p.churned_in_month, p.in_net_at_start,
        coalesce(b.billed, false) as billed,
        coalesce(g.voice_calls, 0) as voice_calls,
        coalesce(g.voice_seconds, 0) as voice_seconds,
        coalesce(g.billed_minutes, 0) as billed_minutes,
        coalesce(g.sms_count, 0) as sms_count,
        coalesce(g.data_kb, 0) as data_kb,
        coalesce(g.data_up_kb, 0) as data_up_kb,
        coalesce(g.data_down_kb, 0) as data_down_kb,
        coalesce(g.visit_calls, 0) as visit_calls,
        coalesce(g.visit_fee, 0) as visit_fee,
        coalesce(g.roam_fee, 0) - coalesce(g.roam_ld_fee, 0) as roam_call_fee,
        coalesce(g.roam_ld_fee, 0) as roam_ld_fee,
        coalesce(g.roam_intl_fee, 0) as roam_intl_fee,
        coalesce(g.visit_intl_calls, 0) as visit_intl_calls,
        coalesce(g.visit_intl_fee, 0) as visit_intl_fee,
        coalesce(g.offnet_mo_minutes, 0) * :interconnect_per_minute as interconnect_fee,
        coalesce(g.voice_calls, 0) as valid_cdrs,
        coalesce(g.data_records, 0) as data_records,
        coalesce(g.vas_count, 0) as vas_records,
        coalesce(g.voice_fee, 0) as voice_fee,
        coalesce(g.offnet_fee, 0) as offnet_fee,
        coalesce(g.total_fee, 0) as cdr_fee,
        coalesce(b.bill_std_fee, 0) as std_fee,
        coalesce(b.bill_discount, 0) as discount,
        coalesce(b.bill_act_fee, 0) as revenue,
        coalesce(b.voice_revenue, 0) as voice_revenue,
        coalesce(b.sms_revenue, 0) as sms_revenue,
        coalesce(b.data_revenue, 0) as data_revenue,
        coalesce(b.vas_revenue, 0) as vas_revenue,
        coalesce(b.rent_fee, 0) as rent_fee,
        coalesce(b.late_fee, 0) as late_fee,
        coalesce(b.card_fee, 0) as card_fee,
        coalesce(b.roam_fee, 0) as roam_fee,
        coalesce(b.collected, 0) as collected,
        coalesce(b.arrears_recovered, 0) as arrears_recovered,
        coalesce(b.paid_current, 0) as paid_current,
        coalesce(b.topup_amount, 0) as topup_amount,
        coalesce(b.pay_hall, 0) as pay_hall,
        coalesce(b.pay_bank, 0) as pay_bank,
        coalesce(b.pay_agent, 0) as pay_agent,
        coalesce(b.pay_e_topup, 0) as pay_e_topup,
        coalesce(b.pay_entrusted, 0) as pay_entrusted,
        coalesce(b.pay_remote, 0) as pay_remote,
        0 as collected_for_remote,
        coalesce(b.pay_for_others, 0) as pay_for_others,
        coalesce(b.arrears_amt, 0) as arrears_amt,
        if(coalesce(b.arrears_days, 0) > :doubtful_days, b.arrears_amt, 0) as doubtful_debt,
        coalesce(b.written_off, 0) as bad_debt
    from profile as p
    -- on user_id, never MSISDN: a re-issued number has a row per holder
    left join usage as g on g.user_id = p.user_id and g.batch_month = p.batch_month
    left join bills as b on b.user_id = p.user_id and b.batch_month = p.batch_month
),

unknown_usage as (
    select
        g.batch_month, 'UNKNOWN' as region_code, 'UNKNOWN' as brand, 'UNKNOWN' as plan_id, 'UNKNOWN' as channel_id,
        false as in_net, g.active_days > 0 as active, g.voice_calls > 0 as voice_user, g.sms_count > 0 as sms_user,
        g.data_records > 0 as data_user, g.vas_count > 0 as vas_user, false as is_new, false as churned_in_month,
        false as in_net_at_start, false as billed,
        g.voice_calls, g.voice_seconds, g.billed_minutes, g.sms_count, g.data_kb, g.data_up_kb, g.data_down_kb,
        g.visit_calls, g.visit_fee, g.roam_fee - g.roam_ld_fee as roam_call_fee, g.roam_ld_fee, g.roam_intl_fee,
        g.visit_intl_calls, g.visit_intl_fee, g.offnet_mo_minutes * :interconnect_per_minute as interconnect_fee,
        g.voice_calls as valid_cdrs, g.data_records, g.vas_count as vas_records, g.voice_fee,
        g.offnet_fee, g.total_fee as cdr_fee,
        0 as std_fee, 0 as discount, 0 as revenue, 0 as voice_revenue, 0 as sms_revenue, 0 as data_revenue,
        0 as vas_revenue, 0 as rent_fee, 0 as late_fee, 0 as card_fee, 0 as roam_fee, 0 as collected,
        0 as arrears_recovered, 0 as paid_current, 0 as topup_amount, 0 as pay_hall, 0 as pay_bank, 0 as pay_agent,
        0 as pay_e_topup, 0 as pay_entrusted, 0 as pay_remote, 0 as collected_for_remote, 0 as pay_for_others,
        0 as arrears_amt, 0 as doubtful_debt, 0 as bad_debt
    from usage as g
    left anti join profile as p on p.user_id = g.user_id and p.batch_month = g.batch_month
),

-- 代收异地: our payments collected in this city for users of another city, in the collecting
-- city's row
collected_here as (
    select
        y.batch_month, y.collect_region as region_code, p.brand, p.plan_id, coalesce(p.channel_id, 'UNKNOWN') as channel_id,
        false as in_net, false as active, false as voice_user, false as sms_user, false as data_user, false as vas_user,
        false as is_new, false as churned_in_month, false as in_net_at_start, false as billed,
        0 as voice_calls, 0 as voice_seconds, 0 as billed_minutes, 0 as sms_count, 0 as data_kb, 0 as data_up_kb,
        0 as data_down_kb, 0 as visit_calls, 0 as visit_fee, 0 as roam_call_fee, 0 as roam_ld_fee, 0 as roam_intl_fee,
        0 as visit_intl_calls, 0 as visit_intl_fee, 0 as interconnect_fee, 0 as valid_cdrs, 0 as data_records, 0 as vas_records,
        0 as voice_fee, 0 as offnet_fee, 0 as cdr_fee,
        0 as std_fee, 0 as discount, 0 as revenue, 0 as voice_revenue, 0 as sms_revenue, 0 as data_revenue,
        0 as vas_revenue, 0 as rent_fee, 0 as late_fee, 0 as card_fee, 0 as roam_fee, 0 as collected,
        0 as arrears_recovered, 0 as paid_current, 0 as topup_amount, 0 as pay_hall, 0 as pay_bank, 0 as pay_agent,
        0 as pay_e_topup, 0 as pay_entrusted, 0 as pay_remote, y.amount as collected_for_remote, 0 as pay_for_others,
        0 as arrears_amt, 0 as doubtful_debt, 0 as bad_debt
    from ods.payment as y
    join profile as p on p.user_id = y.user_id and p.batch_month = y.batch_month
    where y.batch_month between :month_from and :month_to
      and y.payee is null and y.collect_region <> p.region_code
),

all_rows as (
    select * from per_user
    union all
    select * from unknown_usage
    union all
    select * from collected_here
),

grouped as (
    select
        batch_month, region_code, brand, plan_id, channel_id,
        count_if(in_net) as users_in_net,
        count_if(active) as active_users,
        count_if(voice_user) as voice_users,
        count_if(sms_user) as sms_users,
        count_if(data_user) as data_users,
        count_if(vas_user) as vas_users,
        count_if(billed) as billed_users,
        count_if(is_new) as new_users,
        count_if(churned_in_month) as churned_users,
        count_if(in_net_at_start) as users_at_start,
        sum(voice_calls) as voice_calls,
        sum(voice_seconds) as voice_seconds,
        sum(billed_minutes) as billed_minutes,
        sum(sms_count) as sms_count,
        sum(data_kb) as data_kb,
        sum(data_up_kb) as data_up_kb,
        sum(data_down_kb) as data_down_kb,
        sum(valid_cdrs) as valid_cdrs,
        sum(data_records) as data_records,
        sum(vas_records) as vas_records,
        sum(voice_fee) as voice_fee,
        sum(offnet_fee) as offnet_fee,
        sum(cdr_fee) as cdr_fee,
        sum(std_fee) as std_fee,
        sum(discount) as discount,
        sum(revenue) as revenue,
        sum(voice_revenue) as voice_revenue,
        sum(sms_revenue) as sms_revenue,
        sum(data_revenue) as data_revenue,
        sum(vas_revenue) as vas_revenue,
        sum(rent_fee) as rent_fee,
        sum(late_fee) as late_fee,
        sum(card_fee) as card_fee,
        sum(roam_fee) as roam_fee,
        sum(visit_calls) as visit_calls,
        sum(visit_fee) as visit_fee,
        sum(roam_call_fee) as roam_call_fee,
        sum(roam_ld_fee) as roam_ld_fee,
        sum(roam_intl_fee) as roam_intl_fee,
        sum(visit_intl_calls) as visit_intl_calls,
        sum(visit_intl_fee) as visit_intl_fee,
        sum(interconnect_fee) as interconnect_fee,
        sum(collected) as collected,
        sum(arrears_recovered) as arrears_recovered,
        sum(paid_current) as paid_current,
        sum(topup_amount) as topup_amount,
        sum(pay_hall) as pay_hall,
        sum(pay_bank) as pay_bank,
        sum(pay_agent) as pay_agent,
        sum(pay_e_topup) as pay_e_topup,
        sum(pay_entrusted) as pay_entrusted,
        sum(pay_remote) as pay_remote,
        sum(collected_for_remote) as collected_for_remote,
        sum(pay_for_others) as pay_for_others,
        sum(arrears_amt) as arrears_amt,
        sum(doubtful_debt) as doubtful_debt,
        sum(bad_debt) as bad_debt
    from all_rows
    group by batch_month, region_code, brand, plan_id, channel_id
),

final as (
    select
        g.*,
        cast(try_divide(g.revenue, g.billed_users) as decimal(12, 2)) as arpu,
        if(c.cdr_days = day(last_day(to_date(g.batch_month || '-01'))),
           cast(try_divide(g.billed_minutes, g.billed_users) as decimal(12, 1)), null) as mou,
        if(c.cdr_days > 0, cast(try_divide(g.billed_minutes * day(last_day(to_date(g.batch_month || '-01'))),
                                           g.billed_users * c.cdr_days) as decimal(12, 1)), null) as mou_est,
        cast(try_divide(g.churned_users, g.users_at_start + g.new_users) as decimal(8, 5)) as churn_rate,
        coalesce(c.cdr_days, 0) as cdr_days
    from grouped as g
    left join coverage as c on c.batch_month = g.batch_month
)

select * from final
