-- One row per day (UTC, by when the payment was created), payment state and currency.
select
    cast(created_at as date) as revenue_date,
    state,
    currency,
    count(*) as billing_items,
    sum(amount_paid) as amount,
    bool_and(is_collected) as is_collected
from {{ ref('fct_billing_items') }}
where created_at is not null
group by all
