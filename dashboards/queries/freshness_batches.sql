-- Per fact mart: the newest nightly pull (`-full-` batch) and webhook refresh (`-change-` batch) whose
-- rows it holds, and when its newest row was read. Batch ids start with their UTC start time.
with batches as (
    select 'fct_appointments' as mart, _sync_id, _extracted_at from marts.fct_appointments
    union all
    select 'fct_billing_items', _sync_id, _extracted_at from marts.fct_billing_items
    union all
    select 'fct_entries', _sync_id, _extracted_at from marts.fct_entries
    union all
    select 'fct_form_answer_groups', _sync_id, _extracted_at from marts.fct_form_answer_groups
)
select
    mart,
    max(_sync_id) filter (where _sync_id like '%-full-%') as last_full_batch,
    max(_sync_id) filter (where _sync_id like '%-change-%') as last_change_batch,
    max(_extracted_at) as newest_row_read_at
from batches
group by mart
order by mart
