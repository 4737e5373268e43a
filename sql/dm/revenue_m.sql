-- dm.revenue_m: the revenue structure (收入结构) per month × region × brand × account item (帐目) for
-- :month_from..:month_to, each item with its reporting group (统计帐目, conf revenue.item_groups;
-- an item not mapped is in group other): the lines the monthly business report (经营分析月报) is
-- built from. Fees are the bills' (标准费用, 优惠, 实际费用 = revenue); users are those billed for
-- the item. A bill of a user missing from the month's profile is kept under region and brand UNKNOWN.
with bill as (
    select user_id, item_code, std_fee, discount, act_fee, batch_month
    from ods.bill
    where batch_month between :month_from and :month_to
),

profile as (
    select user_id, region_code, brand, batch_month
    from mid.user_profile_m
    where batch_month between :month_from and :month_to
),

final as (
    select
        b.batch_month,
        coalesce(p.region_code, 'UNKNOWN') as region_code,
        coalesce(p.brand, 'UNKNOWN') as brand,
        b.item_code,
        coalesce(try_element_at(str_to_map(:item_groups, '[|]', ':'), b.item_code), 'other') as item_group,
        count(distinct b.user_id) as users,
        sum(b.std_fee) as std_fee,
        sum(b.discount) as discount,
        sum(b.act_fee) as revenue
    from bill as b
    left join profile as p on p.user_id = b.user_id and p.batch_month = b.batch_month
    group by b.batch_month, coalesce(p.region_code, 'UNKNOWN'), coalesce(p.brand, 'UNKNOWN'), b.item_code
)

select * from final
