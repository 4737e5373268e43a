-- out.network_profile_m: the relationship-network profile (客户关系网) per user and month
-- :month_from..:month_to for BOSS, from dm.user_network_m, for users in the network at the month's
-- end: degree, in/out balance, key contacts, off-net contact share, influence (PageRank relative to
-- the month's average, 1 = average), community and its size, and the social churn exposure.
with final as (
    select
        p.msisdn, n.batch_month as stat_month, n.degree, n.out_degree, n.in_degree, n.in_out_balance, n.key_contacts,
        n.offnet_contact_share, n.influence, n.community, n.community_size, n.social_churn_exposure,
        n.batch_month
    from dm.user_network_m as n
    join mid.user_profile_m as p on p.user_id = n.user_id and p.batch_month = n.batch_month
    where n.batch_month between :month_from and :month_to
      and p.batch_month between :month_from and :month_to
      and p.in_net
)

select * from final
