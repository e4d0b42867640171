-- The last value of each metric category a patient logged in each week (Monday-based, UTC).
select
    patient_id,
    cast(date_trunc('week', created_at) as date) as week_start,
    category,
    arg_max(metric_value, {'at': created_at, 'id': entry_id}) as latest_value
from {{ ref('fct_entries') }}
where entry_type = 'MetricEntry'
  and category is not null
  and metric_value is not null
  and created_at is not null
  and patient_id is not null
group by all
