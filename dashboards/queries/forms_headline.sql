-- Forms headline over filled forms of a template submitted in the range: templates used, submissions,
-- the share signed, and the median hours to lock over the locked ones.
select
    count(distinct form_template_id) as templates,
    count(*) as submissions,
    count(*) filter (where is_signed) / nullif(count(*), 0) as share_signed,
    median(hours_to_lock) as median_hours_to_lock
from marts.fct_form_answer_groups
where form_template_id is not null
  and created_at >= $start and created_at < $end_excl
  and ($all_providers or list_contains(cast($providers as varchar[]), provider_id))
