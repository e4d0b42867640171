-- One mart's newest nightly pull (`-full-` batch) and webhook refresh (`-change-` batch) whose rows
-- it holds, and when its newest row was read. Batch ids start with their UTC start time.
-- $table_name is `marts.<name>`, from freshness_batch_marts; an empty mart gives one row of nulls.
select
    max(_sync_id) filter (where _sync_id like '%-full-%') as last_full_batch,
    max(_sync_id) filter (where _sync_id like '%-change-%') as last_change_batch,
    max(_extracted_at) as newest_row_read_at
from query_table($table_name)
