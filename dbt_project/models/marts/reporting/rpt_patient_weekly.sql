-- One row per patient per week (Monday-based, UTC) in which the patient logged a journal entry.
with

entries as (
    select
        patient_id,
        cast(date_trunc('week', created_at) as date) as week_start,
        entry_type
    from {{ ref('fct_entries') }}
    where patient_id is not null
      and created_at is not null
),

counts as (
    select
        patient_id,
        week_start,
        count(*) as journal_entries,
        count(*) filter (where entry_type = 'FoodEntry') as food_entries,
        count(*) filter (where entry_type = 'MetricEntry') as metric_entries,
        count(*) filter (where entry_type = 'WorkoutEntry') as workout_entries,
        count(*) filter (where entry_type = 'SleepEntry') as sleep_entries,
        count(*) filter (where entry_type = 'MirrorEntry') as mirror_entries,
        count(*) filter (where entry_type = 'NoteEntry') as note_entries
    from entries
    group by all
),

metrics as (
    select
        patient_id,
        week_start,
        any_value(latest_value) filter (where category = 'Weight') as latest_weight,
        any_value(latest_value) filter (where category = 'A1C') as latest_a1c,
        any_value(latest_value) filter (where category = 'Blood Pressure') as latest_blood_pressure,
        map_from_entries(list({'key': category, 'value': latest_value} order by category)) as latest_metrics
    from {{ ref('int_patient_weekly_latest_metrics') }}
    group by all
),

final as (
    select
        counts.patient_id,
        counts.week_start,
        counts.journal_entries,
        counts.food_entries,
        counts.metric_entries,
        counts.workout_entries,
        counts.sleep_entries,
        counts.mirror_entries,
        counts.note_entries,
        metrics.latest_weight,
        metrics.latest_a1c,
        metrics.latest_blood_pressure,
        coalesce(metrics.latest_metrics, map()) as latest_metrics
    from counts
    left join metrics using (patient_id, week_start)
)

select * from final
