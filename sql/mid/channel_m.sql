-- mid.channel_m: channel dimension per month (the month's channel snapshot).
with final as (
    select * except (src_file)
    from ods.channel
    where batch_month between :month_from and :month_to
)

select * from final
