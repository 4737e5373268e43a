-- dm.group_customer_m: group (corporate) customers per month with members in the network, their
-- spend (members' bills, the rent the group pays for them included) and BASS's class (集团客户分类,
-- docs/domain.md §3), the one class of a group everywhere in BASS (BOSS's is boss_group_class):
--   A  at least :class_a_members members, or in the top :class_a_spend_share of groups by spend, or
--      an industry of :class_a_industries (party, government, military, news media and the key
--      industries), or on the province's list of largest taxpayers (:class_a_groups)
--   B  otherwise at least :class_b_members members, or in the top :class_b_spend_share by spend,
--      or an industry of :class_b_industries (securities, insurance)
--   C  every other group
-- Lists are '|'-separated (conf dm.group_class).
with groups as (
    select group_id, group_name, industry, region_code, member_count as boss_member_count,
           group_class as boss_group_class, batch_month
    from ods.group_customer
    where batch_month between :month_from and :month_to
),

members as (
    select group_id, user_id, batch_month
    from mid.user_profile_m
    where batch_month between :month_from and :month_to
      and group_id is not null
      and in_net
),

member_spend as (
    select m.group_id, m.batch_month, count(*) as members, sum(coalesce(b.bill_act_fee, 0)) as member_fees
    from members as m
    left join mid.user_bill_m as b on b.user_id = m.user_id and b.batch_month = m.batch_month
    group by m.group_id, m.batch_month
),

ranked as (
    select
        g.*,
        coalesce(s.members, 0) as members,
        cast(coalesce(s.member_fees, 0) as decimal(16, 2)) as spend,
        percent_rank() over (partition by g.batch_month order by coalesce(s.member_fees, 0) desc) as spend_rank
    from groups as g
    left join member_spend as s on s.group_id = g.group_id and s.batch_month = g.batch_month
),

final as (
    select
        group_id, group_name, industry, region_code, members, spend,
        cast(spend_rank as decimal(6, 4)) as spend_rank,
        case when members >= :class_a_members or spend_rank < :class_a_spend_share
                  or array_contains(split(:class_a_industries, '[|]'), industry)
                  or array_contains(split(:class_a_groups, '[|]'), group_id) then 'A'
             when members >= :class_b_members or spend_rank < :class_b_spend_share
                  or array_contains(split(:class_b_industries, '[|]'), industry) then 'B'
             else 'C' end as group_class,
        boss_member_count, boss_group_class,
        batch_month
    from ranked
)

select * from final
