-- out.boss_campaign_m: the marketing list for BOSS (主动营销, docs/domain.md §6.4): the marketing
-- campaign's treated users (the control group is never sent) with the offer, valid for the
-- campaign's period (period_months after the list month).
with targets as (
    select campaign_id, user_id, msisdn, target_rank, action_code, action_desc, channel, reason, period_months,
           batch_month
    from out.campaign_target_m
    where batch_month >= :month_from and batch_month <= :month_to
      and campaign_id = 'mzone_data_pack' and grp = 'treated'
),
customer as (
    select w.user_id, w.batch_month, c.cust_name
    from dm.user_wide_m w
    left join mid.customer_m c on c.cust_id = w.cust_id and c.batch_month = w.batch_month
    where w.batch_month >= :month_from and w.batch_month <= :month_to
),
final as (
    select
        row_number() over (partition by t.batch_month order by t.target_rank) as list_rank,
        t.campaign_id, t.msisdn,
        c.cust_name,
        t.action_code as offer_code, t.action_desc as offer_desc, t.channel,
        t.reason,
        t.batch_month as analysis_month,
        date_format(add_months(to_date(concat(t.batch_month, '-01')), t.period_months), 'yyyy-MM') as valid_until,
        t.batch_month
    from targets t
    left join customer c on c.user_id = t.user_id and c.batch_month = t.batch_month
)
select * from final
