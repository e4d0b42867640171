-- Upserts whose id no later commit deleted after the row was read (`changes`: the table's change data
-- feed since the read began; `upserts`: the rows about to be merged). Commit timestamps are UTC.
with deleted as (
    select id, max(_commit_timestamp) as deleted_at
    from changes
    where _change_type = 'delete'
    group by id
)
select upserts.*
from upserts
left join deleted using (id)
where deleted.deleted_at is null
   or cast(deleted.deleted_at as timestamptz) <= upserts._extracted_at
