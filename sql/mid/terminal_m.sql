-- mid.terminal_m: terminal library per month: TAC (first 8 digits of an IMEI) -> maker, model, 4G.
with final as (
    select * except (src_file)
    from ods.terminal
    where batch_month between :month_from and :month_to
)

select * from final
