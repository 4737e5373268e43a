-- delivery_volume: a delivery far smaller than the trailing average of the interface's earlier
-- deliveries is suspicious (a partial extract, a lost file). One row per batch value with at least
-- :min_history earlier deliveries; the batch fails when its records < :min_share x that average.
with registry as (
    select batch, file_name, records, status,
           row_number() over (partition by batch, file_name order by loaded_at desc) as newest
    from meta.file_registry
    where interface = :interface
),

per_batch as (
    select batch, sum(records) as records, row_number() over (order by batch) as seq
    from registry
    where newest = 1 and status = 'LOADED'
    group by batch
),

trailing as (
    select b.batch, b.records, avg(e.records) as trailing_avg, count(e.batch) as history
    from per_batch as b
    left join per_batch as e on e.seq between b.seq - :window and b.seq - 1
    where b.batch between :batch_from and :batch_to
    group by b.batch, b.records
)

select
    batch,
    if(history >= :min_history, 1, 0) as checked,
    if(history >= :min_history and records < :min_share * trailing_avg, 1, 0) as failed,
    cast(records as string) as observed,
    '>= ' || cast(round(:min_share * trailing_avg) as bigint) as expected,
    records || ' records against ' || cast(round(trailing_avg) as bigint) || ' on average over the '
        || history || ' deliveries before' as detail
from trailing
