-- out.terminal_mix_m: the terminal mix (终端构成) per month :month_from..:month_to, city, brand, customer
-- segment (dm.user_segment_m; '-' when the month is not segmented) and handset model, for users in
-- the network whose calls show a handset (mid.user_terminal_m: months with loaded CDR days).
--   users, share                       users whose main handset is the model; their share of the cell's users
--   moved_in, moved_in_from            users who had another model in the month before and this one now;
--                                      the model most of them came from (ties: the first by name)
--   moved_out, moved_out_to            users of the cell who had this model in the month before and another
--                                      one now; the model most of them went to
with handsets as (
    select user_id, maker, model, concat_ws(' ', maker, model) as handset, lte_capable, batch_month
    from mid.user_terminal_m
    where batch_month between date_format(add_months(:month_start, -1), 'yyyy-MM') and :month_to
),

current as (
    select h.user_id, h.maker, h.model, h.handset, h.lte_capable, h.batch_month, p.region_code, p.brand,
           coalesce(s.segment_desc, '-') as segment
    from handsets as h
    join mid.user_profile_m as p on p.user_id = h.user_id and p.batch_month = h.batch_month
    left join dm.user_segment_m as s on s.user_id = h.user_id and s.batch_month = h.batch_month
    where h.batch_month between :month_from and :month_to
      and p.batch_month between :month_from and :month_to
      and p.in_net
),

moves as (
    select c.batch_month, c.region_code, c.brand, c.segment, c.handset as to_handset, b.handset as from_handset
    from current as c
    join handsets as b
      on b.user_id = c.user_id and b.batch_month = date_format(add_months(to_date(c.batch_month || '-01'), -1), 'yyyy-MM')
    where b.handset <> c.handset
),

moved_in as (
    select batch_month, region_code, brand, segment, to_handset as handset, sum(n) as moved_in,
           min_by(from_handset, struct(-n, from_handset)) as moved_in_from
    from (select batch_month, region_code, brand, segment, to_handset, from_handset, count(*) as n
          from moves group by batch_month, region_code, brand, segment, to_handset, from_handset)
    group by batch_month, region_code, brand, segment, to_handset
),

moved_out as (
    select batch_month, region_code, brand, segment, from_handset as handset, sum(n) as moved_out,
           min_by(to_handset, struct(-n, to_handset)) as moved_out_to
    from (select batch_month, region_code, brand, segment, from_handset, to_handset, count(*) as n
          from moves group by batch_month, region_code, brand, segment, from_handset, to_handset)
    group by batch_month, region_code, brand, segment, from_handset
),

mix as (
    select batch_month, region_code, brand, segment, handset, count(*) as users
    from current
    group by batch_month, region_code, brand, segment, handset
),

cells as (
    select batch_month, region_code, brand, segment, sum(users) as cell_users
    from mix
    group by batch_month, region_code, brand, segment
),

-- a model a cell's users all left still shows, with no users, where they went
models as (
    select batch_month, region_code, brand, segment, handset from mix
    union
    select batch_month, region_code, brand, segment, handset from moved_out
),

makers as (
    select handset, max(maker) as maker, max(model) as model, max(lte_capable) as lte_capable
    from handsets
    group by handset
),

final as (
    select
        m.batch_month as stat_month, m.region_code, m.brand, m.segment, k.maker, k.model, k.lte_capable,
        coalesce(x.users, 0) as users,
        try_divide(coalesce(x.users, 0), c.cell_users) as share,
        coalesce(i.moved_in, 0) as moved_in, i.moved_in_from,
        coalesce(o.moved_out, 0) as moved_out, o.moved_out_to,
        m.batch_month
    from models as m
    join makers as k on k.handset = m.handset
    left join mix as x
      on x.batch_month = m.batch_month and x.region_code = m.region_code and x.brand = m.brand and x.segment = m.segment
     and x.handset = m.handset
    left join cells as c
      on c.batch_month = m.batch_month and c.region_code = m.region_code and c.brand = m.brand and c.segment = m.segment
    left join moved_in as i
      on i.batch_month = m.batch_month and i.region_code = m.region_code and i.brand = m.brand and i.segment = m.segment
     and i.handset = m.handset
    left join moved_out as o
      on o.batch_month = m.batch_month and o.region_code = m.region_code and o.brand = m.brand and o.segment = m.segment
     and o.handset = m.handset
)

select * from final
