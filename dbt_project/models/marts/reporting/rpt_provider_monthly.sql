-- One row per provider per calendar month (UTC) with appointments or collected revenue.
with

appointments as (
    select
        provider_id,
        cast(date_trunc('month', starts_at) as date) as month_start,
        count(*) as appointments_booked,
        count(*) filter (where status_group = 'occurred') as appointments_occurred,
        count(*) filter (where status_group = 'no_show') as no_shows,
        count(*) filter (where status_group = 'cancelled') as cancellations,
        count(*) filter (where status_group = 're_scheduled') as reschedules
    from {{ ref('fct_appointments') }}
    where not is_blocker
      and provider_id is not null
      and starts_at is not null
    group by all
),

revenue as (
    select
        provider_id,
        cast(date_trunc('month', created_at) as date) as month_start,
        sum(amount_paid) as revenue_collected
    from {{ ref('fct_billing_items') }}
    where is_collected
      and provider_id is not null
      and created_at is not null
    group by all
),

final as (
    select
        provider_id,
        month_start,
        coalesce(appointments.appointments_booked, 0) as appointments_booked,
        coalesce(appointments.appointments_occurred, 0) as appointments_occurred,
        coalesce(appointments.no_shows, 0) as no_shows,
        coalesce(appointments.cancellations, 0) as cancellations,
        coalesce(appointments.reschedules, 0) as reschedules,
        -- Of the appointments that reached their time (occurred or missed), the share missed.
        {{ safe_ratio('appointments.no_shows', 'appointments.appointments_occurred + appointments.no_shows') }}
            as no_show_rate,
        {{ safe_ratio('appointments.cancellations', 'appointments.appointments_booked') }} as cancellation_rate,
        coalesce(revenue.revenue_collected, 0) as revenue_collected
    from appointments
    full outer join revenue using (provider_id, month_start)
)

select * from final
