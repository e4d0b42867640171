-- One row per form template with submissions in the range, as rpt_form_templates computes it (over
-- the whole range and every provider the two agree): submissions, shares locked and signed, time to lock.
select
    form_template_id,
    arg_max(form_template_name, created_at) as form_template_name,
    bool_or(is_charting_note) as is_charting_note,
    count(*) as submissions,
    count(*) filter (where is_locked) / count(*) as share_locked,
    count(*) filter (where is_signed) / count(*) as share_signed,
    median(hours_to_lock) as median_hours_to_lock
from marts.fct_form_answer_groups
where form_template_id is not null
  and created_at >= $start and created_at < $end_excl
  and ($all_providers or list_contains(cast($providers as varchar[]), provider_id))
group by form_template_id
order by submissions desc, form_template_name
