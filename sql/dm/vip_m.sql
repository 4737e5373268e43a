-- dm.vip_m: VIP tier (VIP等级) per individual user. docs/domain.md §3 gives the bounds in yuan (diamond
-- > 3000, gold 1500-3000, silver 666-1500) without their period; both are configuration
-- (dm.vip in conf/base.yml). vip_spend = ARPU (mean actual fee of the last :lookback_months
-- months the user was billed in) × :period_months, compared with the bounds. Group customers'
-- own accounts are classed in dm.group_customer_m. A user with no bill in the window is in the
-- table with tier NONE (arpu null, months_billed 0), never missing.
with profile as (
    select user_id, msisdn, cust_id, cust_type, brand, region_code, vip_tier as boss_vip_tier, batch_month,
           year(to_date(batch_month || '-01')) * 12 + month(to_date(batch_month || '-01')) as month_idx
    from mid.user_profile_m
    where batch_month between :month_from and :month_to
      and in_net
      and cust_type = 'P'
),

bills as (
    select user_id, bill_act_fee,
           year(to_date(batch_month || '-01')) * 12 + month(to_date(batch_month || '-01')) as month_idx
    from mid.user_bill_m
    where batch_month between date_format(add_months(:month_start, 1 - :lookback_months), 'yyyy-MM')
                          and :month_to
      and billed
),

arpu as (
    select p.user_id, p.batch_month, avg(b.bill_act_fee) as arpu, count(b.month_idx) as months_billed
    from profile as p
    join bills as b on b.user_id = p.user_id and b.month_idx between p.month_idx - :lookback_months + 1 and p.month_idx
    group by p.user_id, p.batch_month
),

final as (
    select
        p.user_id, p.msisdn, p.cust_id, p.brand, p.region_code,
        cast(a.arpu as decimal(12, 2)) as arpu,
        coalesce(a.months_billed, 0) as months_billed,
        cast(a.arpu * :period_months as decimal(14, 2)) as vip_spend,
        case when a.arpu * :period_months > :diamond_min then 'DIAMOND'
             when a.arpu * :period_months >= :gold_min then 'GOLD'
             when a.arpu * :period_months >= :silver_min then 'SILVER'
             else 'NONE' end as vip_tier,
        p.boss_vip_tier,
        p.batch_month
    from profile as p
    left join arpu as a on a.user_id = p.user_id and a.batch_month = p.batch_month
)

select * from final
