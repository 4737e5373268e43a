-- mid.user_complaint_m: per user per month complaints (客服投诉) by channel, level, category and
-- result, with satisfaction and first-reply time. Complaints name the MSISDN; the month-end
-- user snapshot maps it to the user.
with complaints as (
    select *
    from ods.complaint
    where batch_month between :month_from and :month_to
),

users as (
    select msisdn, user_id, date_format(batch_date, 'yyyy-MM') as batch_month
    from ods.user
    where batch_date between to_date(:month_from || '-01') and last_day(to_date(:month_to || '-01'))
      and batch_date = last_day(batch_date)
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
    left join users as u on u.msisdn = c.msisdn and u.batch_month = c.batch_month
    group by c.batch_month, c.msisdn, u.user_id
)

select * from final
