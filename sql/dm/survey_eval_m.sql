-- dm.survey_eval_m: the tariff-plan surveys of the month evaluated from BOSS's answers.
--   per stratum  reached and accepting users; acceptance among the reached with a 95 % Wilson
--                score interval
--   ALL          the acceptance weighted by the survey weights (a ratio over the reached), its
--                interval from the stratified variance sum (N_h / N)^2 p_h (1 - p_h) / r_h, and
--                projected to the whole target population: adopters and the change of the
--                month's charges; next to what the what-if model expected (dm.tariff_whatif_m)
with answers as (
    select
        s.survey_id, s.proposal_id, s.stratum, s.stratum_users, s.weight, s.batch_month,
        cast(s.new_fee as double) - cast(s.current_fee as double) as fee_change,
        coalesce(f.reached = 'Y', false) as reached,
        coalesce(f.reached = 'Y' and f.accepted = 'Y', false) as accepted
    from out.tariff_survey_m as s
    left join ods.fb_survey as f
        on f.survey_id = s.survey_id and f.msisdn = s.msisdn and f.batch_month = s.batch_month
    where s.batch_month between :month_from and :month_to
),

answered as (
    select survey_id from answers group by survey_id having count_if(reached) > 0
),

strata as (
    select
        survey_id, proposal_id, stratum, batch_month,
        max(stratum_users) as stratum_users,
        count(*) as sampled,
        count_if(reached) as reached,
        count_if(accepted) as accepted
    from answers
    where survey_id in (select survey_id from answered)
    group by survey_id, proposal_id, stratum, batch_month
),

-- Wilson score interval at z = 1.96
per_stratum as (
    select
        *,
        if(reached > 0, accepted / reached, null) as p,
        if(reached > 0, (accepted / reached + 1.9208 / reached
            - 1.96 * sqrt(accepted / reached * (1 - accepted / reached) / reached + 0.9604 / (reached * reached)))
            / (1 + 3.8416 / reached), null) as lo,
        if(reached > 0, (accepted / reached + 1.9208 / reached
            + 1.96 * sqrt(accepted / reached * (1 - accepted / reached) / reached + 0.9604 / (reached * reached)))
            / (1 + 3.8416 / reached), null) as hi
    from strata
),

overall as (
    select
        a.survey_id, a.proposal_id, a.batch_month,
        sum(if(a.reached, a.weight * cast(a.accepted as int), 0)) / sum(if(a.reached, a.weight, 0)) as p,
        sum(if(a.reached, a.weight * cast(a.accepted as int) * a.fee_change, 0)) / sum(if(a.reached, a.weight, 0)) as fee_change
    from answers as a
    where a.survey_id in (select survey_id from answered)
    group by a.survey_id, a.proposal_id, a.batch_month
),

population as (
    select survey_id, sum(stratum_users) as users, sum(sampled) as sampled, sum(reached) as reached, sum(accepted) as accepted,
           sum(if(reached > 0, power(stratum_users, 2) * p * (1 - p) / reached, 0)) as var_num
    from per_stratum
    group by survey_id
),

whatif as (
    select proposal_id, batch_month, expected_adopters, cast(revenue_change as double) as revenue_change
    from dm.tariff_whatif_m
    where dimension = 'all' and batch_month between :month_from and :month_to
),

final as (
    select
        survey_id, proposal_id, stratum, stratum_users, sampled, reached, accepted,
        p as acceptance, lo as acceptance_lo, hi as acceptance_hi,
        p * stratum_users as projected_adopters,
        cast(null as double) as projected_revenue_change,
        cast(null as double) as whatif_adopters,
        cast(null as double) as whatif_revenue_change,
        batch_month
    from per_stratum

    union all

    select
        o.survey_id, o.proposal_id, 'ALL' as stratum, n.users as stratum_users, n.sampled, n.reached, n.accepted,
        o.p as acceptance,
        greatest(0d, o.p - 1.96 * sqrt(n.var_num) / n.users) as acceptance_lo,
        least(1d, o.p + 1.96 * sqrt(n.var_num) / n.users) as acceptance_hi,
        o.p * n.users as projected_adopters,
        o.fee_change * n.users as projected_revenue_change,
        w.expected_adopters as whatif_adopters,
        w.revenue_change as whatif_revenue_change,
        o.batch_month
    from overall as o
    join population as n on n.survey_id = o.survey_id
    left join whatif as w on w.proposal_id = o.proposal_id and w.batch_month = o.batch_month
)

select * from final
