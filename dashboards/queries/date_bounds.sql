-- The days the marts cover (appointments, payments, journal entries, filled forms): the filters' range.
with days as (
    select cast(starts_at as date) as day from marts.fct_appointments where not is_blocker
    union all
    select cast(created_at as date) from marts.fct_billing_items
    union all
    select cast(created_at as date) from marts.fct_entries
    union all
    select cast(created_at as date) from marts.fct_form_answer_groups
)
select min(day) as first_day, max(day) as last_day
from days
