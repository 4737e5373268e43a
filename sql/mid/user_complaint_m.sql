-- mid.user_complaint_m: per user per month complaints (客服投诉) by channel, level, category and
-- result, with satisfaction and first-reply time. Complaints name the MSISDN; the user history
-- (mid.user_h) maps it to the user who held the number on the complaint's day.
with complaints as (
    select *
    from ods.complaint
    where batch_month between :month_from and :month_to
),

-- the user who held the MSISDN on the complaint's day (mid.user_h): a re-issued number's earlier
-- complaints stay with its former holder
holders as (
    select c.complaint_id, h.user_id,
           row_number() over (partition by c.complaint_id order by h.status = 'CLOSED', h.valid_from desc, h.user_id) as pick
    from complaints as c
    join mid.user_h as h
      on h.msisdn = c.msisdn and to_date(c.create_time) between h.valid_from and h.valid_to
),

users as (
    select complaint_id, user_id from holders where pick = 1
),

final as (
    select
        u.user_id,
        c.msisdn,
        count(*) as complaints,
        sum(if(c.channel = 'HOTLINE', 1, 0)) as cmp_hotline,
        sum(if(c.channel = 'HALL', 1, 0)) as cmp_hall,
        sum(if(c.channel = 'WEB', 1, 0)) as cmp_web,
        sum(if(c.channel = 'ACCT_MGR', 1, 0)) as cmp_acct_mgr,
        sum(if(c.channel = 'LETTER', 1, 0)) as cmp_letter,
        max(c.level) as max_level,
        sum(if(c.level = 3, 1, 0)) as cmp_level3,
        sum(if(c.category = 'BILLING', 1, 0)) as cmp_billing,
        sum(if(c.category = 'NETWORK', 1, 0)) as cmp_network,
        sum(if(c.result = 'RESOLVED', 1, 0)) as cmp_resolved,
        sum(if(c.result = 'UNRESOLVED', 1, 0)) as cmp_unresolved,
        sum(if(c.result = 'PENDING', 1, 0)) as cmp_pending,
        cast(avg(c.satisfaction) as decimal(4, 2)) as avg_satisfaction,
        min(c.satisfaction) as min_satisfaction,
        cast(avg((unix_timestamp(c.first_reply_time) - unix_timestamp(c.create_time)) / 3600) as decimal(8, 1))
            as avg_reply_hours,
        c.batch_month
    from complaints as c
    left join users as u on u.complaint_id = c.complaint_id
    group by c.batch_month, c.msisdn, u.user_id
)

select * from final
