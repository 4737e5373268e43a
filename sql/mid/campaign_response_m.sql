-- mid.campaign_response_m: what BOSS reported for each campaign target of the month (its feedback
-- interfaces, matched to the target by MSISDN and list month): contacted, responded, the offer
-- or plan taken, and for retention the stated intention and whether the user was still in the
-- network three months later (a later delivery repeats the row with it; the newest non-blank
-- value wins). Control users have no feedback (BOSS never heard of them), except care's: its
-- control group is sent for the satisfaction survey alone. Restates 2 months.
with targets as (
    select campaign_id, campaign_kind, user_id, msisdn, grp, batch_month
    from out.campaign_target_m
    where batch_month >= :month_from and batch_month <= :month_to
),
retention as (
    select analysis_month as batch_month, msisdn,
           max(handled = 'Y') as contacted, max(plan_taken is not null) as responded,
           max(plan_taken) as offer_taken, max(handle_date) as action_date,
           max(intention) as intention, max(feedback) as feedback, max(in_net_3m) as in_net_3m,
           cast(null as int) as satisfaction
    from ods.fb_retention
    where analysis_month >= :month_from and analysis_month <= :month_to
    group by analysis_month, msisdn
),
care as (
    select campaign_id, analysis_month as batch_month, msisdn,
           executed = 'Y' as contacted, result = 'DONE' as responded,
           cast(null as string) as offer_taken, exec_date as action_date, satisfaction
    from ods.fb_care
    where batch_month >= :month_from and batch_month <= :month_to
),
marketing as (
    select campaign_id, analysis_month as batch_month, msisdn,
           contacted = 'Y' as contacted, responded = 'Y' as responded,
           offer_taken, response_date as action_date
    from ods.fb_campaign
    where batch_month >= :month_from and batch_month <= :month_to
),
final as (
    select t.campaign_id, t.user_id, t.msisdn, t.grp,
           coalesce(r.contacted, c.contacted, m.contacted) as contacted,
           coalesce(r.responded, c.responded, m.responded) as responded,
           coalesce(r.offer_taken, m.offer_taken) as offer_taken,
           coalesce(r.action_date, c.action_date, m.action_date) as action_date,
           c.satisfaction, r.intention, r.feedback, r.in_net_3m,
           (r.msisdn is not null or c.msisdn is not null or m.msisdn is not null) as has_feedback,
           t.batch_month
    from targets t
    left join retention r on t.campaign_kind = 'retention' and r.msisdn = t.msisdn and r.batch_month = t.batch_month
    left join care c on c.campaign_id = t.campaign_id and c.msisdn = t.msisdn and c.batch_month = t.batch_month
    left join marketing m on m.campaign_id = t.campaign_id and m.msisdn = t.msisdn and m.batch_month = t.batch_month
)
select * from final
