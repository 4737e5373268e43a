-- ods_counts_vs_verf: for each file of the current delivery of :interface, rows in its ODS table
-- = records in the .verf - rows quarantined. One row per batch value; an item is a data file.
with registry as (
    select batch, file_name, status, records, rejected,
           row_number() over (partition by file_name order by loaded_at desc) as newest
    from meta.file_registry
    where interface = :interface
      and batch between :batch_from and :batch_to
),

current_files as (
    select batch, file_name, records - rejected as expected
    from registry
    where newest = 1 and status = 'LOADED'
),

ods as (
    select src_file as file_name, count(*) as observed
    from identifier(:ods_table)
    where cast(identifier(:batch_col) as string) between :batch_from and :batch_to
    group by src_file
),

per_file as (
    select coalesce(f.batch, :batch_from) as batch, coalesce(f.file_name, o.file_name) as file_name,
           coalesce(f.expected, 0) as expected, coalesce(o.observed, 0) as observed
    from current_files as f
    full join ods as o on o.file_name = f.file_name
)

select
    batch,
    count(*) as checked,
    count_if(observed <> expected) as failed,
    sum(observed) as observed,
    sum(expected) as expected,
    concat_ws('; ', slice(collect_list(if(observed <> expected,
        file_name || ': ' || observed || ' rows loaded, .verf less rejects says ' || expected, null)), 1, 3)) as detail
from per_file
group by batch
