-- mid.call_graph_m: the month's call graph (客户关系网) from the voice and SMS CDRs of the loaded
-- days, both directions: one row per user and other party with the calls and SMS each way and the
-- seconds. A call belongs to the user who held the MSISDN that day (mid.user_usage_d); an on-net
-- other party is mapped the same way (other_user_id; the holder of its last day in the month).
with days as (
    select msisdn, user_id, batch_date
    from mid.user_usage_d
    where batch_date between :month_start and :month_end
      and user_id is not null
),

records as (
    select msisdn, other_party, other_net, direction, 1 as calls, duration as seconds, 0 as sms, batch_date
    from ods.cdr_voice
    where batch_date between :month_start and :month_end
    union all
    select msisdn, other_party, other_net, direction, 0, 0, 1, batch_date
    from ods.cdr_sms
    where batch_date between :month_start and :month_end
),

final as (
    select
        d.user_id, r.other_party,
        max(r.other_net) as other_net,
        max_by(o.user_id, if(o.user_id is not null, r.batch_date, null)) as other_user_id,
        sum(if(r.direction = 'MO', r.calls, 0)) as calls_out,
        sum(if(r.direction = 'MT', r.calls, 0)) as calls_in,
        sum(r.seconds) as seconds,
        sum(if(r.direction = 'MO', r.sms, 0)) as sms_out,
        sum(if(r.direction = 'MT', r.sms, 0)) as sms_in,
        date_format(r.batch_date, 'yyyy-MM') as batch_month
    from records as r
    join days as d on d.msisdn = r.msisdn and d.batch_date = r.batch_date
    left join days as o on r.other_net = 'ONNET' and o.msisdn = r.other_party and o.batch_date = r.batch_date
    where r.other_party is not null
    group by d.user_id, r.other_party, date_format(r.batch_date, 'yyyy-MM')
)

select * from final
