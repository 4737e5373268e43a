-- mid.sp_m: SP and service dimension per month (the month's SP catalogue snapshot).
with final as (
    select * except (src_file)
    from ods.sp
    where batch_month between :month_from and :month_to
)

select * from final
