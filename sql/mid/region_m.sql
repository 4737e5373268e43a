-- mid.region_m: the province's cities (地市) per month for :month_from..:month_to, code and name.
-- BOSS delivers region codes only; the names are configuration (conf regions). A code the month's
-- users, channels or groups carry that the configuration lacks is kept, named by its code, so
-- every code in a report has a row here.
with months as (
    select date_format(m, 'yyyy-MM') as batch_month
    from (select explode(sequence(:month_start, :month_to_start, interval 1 month)) as m)
),

named as (
    select explode(str_to_map(:regions, '[|]', ':')) as (region_code, region_name)
),

seen as (
    select region_code, batch_month from mid.user_profile_m where batch_month between :month_from and :month_to
    union
    select region_code, batch_month from mid.channel_m where batch_month between :month_from and :month_to
),

final as (
    select n.region_code, n.region_name, true as configured, m.batch_month
    from named as n
    cross join months as m
    union all
    select distinct s.region_code, s.region_code as region_name, false as configured, s.batch_month
    from seen as s
    left anti join named as n on n.region_code = s.region_code
    where s.region_code is not null
)

select * from final
