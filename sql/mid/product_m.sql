-- mid.product_m: tariff plan dimension per month (the month's catalogue snapshot).
with final as (
    select * except (src_file)
    from ods.product
    where batch_month between :month_from and :month_to
)

select * from final
