-- The dbt project's transformations as one plain DuckDB script: the baseline bench/dbt_bench.py times
-- dbt against. Same staging (each stream's Delta table as it is now, soft-deleted records dropped,
-- typed) and marts, written by hand, without dbt's orchestration, introspection or tests. Expects
-- `SET VARIABLE lake_files = {'<stream>': [<data files of the table's current version>], ...}`
-- (`DeltaTable(path).file_uris()` per stream, what dbt's `delta_files()` returns).

create or replace macro healthie_ts(v, label) as cast(case
    when nullif(trim(v), '') is null then null
    else coalesce(
        timezone('UTC', try_strptime(nullif(trim(v), ''), [
            '%Y-%m-%d %H:%M:%S %z', '%Y-%m-%d %H:%M:%S.%n %z', '%Y-%m-%d %H:%M:%S%z',
            '%Y-%m-%d %H:%M:%S.%n%z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%n%z',
            '%Y-%m-%d %H:%M:%S %Z', '%Y-%m-%d %H:%M:%S.%n %Z'])),
        try_strptime(nullif(trim(v), ''), [
            '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%nZ', '%Y-%m-%dT%H:%M:%S',
            '%Y-%m-%dT%H:%M:%S.%n', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%n']),
        error(label || ': a value is not a Healthie timestamp'))
    end as timestamp);

create or replace macro healthie_money(v, label) as case
    when nullif(trim(v), '') is null then null
    when regexp_full_match(trim(v), '-?[0-9]{1,16}([.][0-9]{0,2}0*)?') then cast(trim(v) as decimal(18, 2))
    else error(label || ': a value is not a decimal amount')
end;

-- A stream's current rows: one per live record (the lake's MERGE keeps ids unique, deletes applied).
create or replace macro lake_rows(stream) as table
select * from read_parquet(getvariable('lake_files')[stream], union_by_name = true);

create schema if not exists staging;
create schema if not exists marts;

-- staging ---------------------------------------------------------------------------------------------
create or replace view staging.appointments as
select
    id as appointment_id, cast(user_id as varchar) as patient_id, provider.id as provider_id,
    coalesce(appointment_type.id, cast(appointment_type_id as varchar)) as appointment_type_id,
    pm_status as status, contact_type, length as length_minutes,
    coalesce(is_blocker, false) as is_blocker, coalesce(is_group, false) as is_group,
    coalesce(confirmed, false) as is_confirmed,
    healthie_ts(date, 'starts_at') as starts_at, healthie_ts("end", 'ends_at') as ends_at,
    healthie_ts(created_at, 'created_at') as created_at, healthie_ts(updated_at, 'updated_at') as updated_at,
    timezone('UTC', _extracted_at) as _extracted_at, _sync_id
from lake_rows('appointments')
where nullif(trim(deleted_at), '') is null;

create or replace view staging.billing_items as
select
    id as billing_item_id, sender_id as patient_id, recipient_id as provider_id,
    healthie_money(amount_paid, 'amount_paid') as amount_paid, upper(currency) as currency, state,
    coalesce(state = 'succeeded', false) as is_collected, payment_medium, failure_reason,
    healthie_ts(created_at, 'created_at') as created_at, healthie_ts(updated_at, 'updated_at') as updated_at,
    timezone('UTC', _extracted_at) as _extracted_at, _sync_id
from lake_rows('billing_items')
where nullif(trim(deleted_at), '') is null;

create or replace view staging.entries as
select
    id as entry_id, poster.id as patient_id, type as entry_type, category, metric_stat as metric_value,
    name as entry_name,
    healthie_ts(created_at, 'created_at') as created_at, healthie_ts(updated_at, 'updated_at') as updated_at,
    timezone('UTC', _extracted_at) as _extracted_at, _sync_id
from lake_rows('entries');

create or replace view staging.form_answer_groups as
select
    id as form_answer_group_id, user_id as patient_id, filler.id as filled_by_id,
    locked_by.id as locked_by_id, custom_module_form.id as form_template_id, name as form_name,
    custom_module_form.name as form_template_name,
    coalesce(len(form_answer_group_signings), 0) as signature_count,
    coalesce(len(form_answers), 0) as answer_count,
    coalesce(finished, false) as is_finished,
    coalesce(custom_module_form.use_for_charting, false) as is_charting_note,
    nullif(trim(locked_at), '') is not null as is_locked,
    coalesce(len(form_answer_group_signings), 0) > 0 as is_signed,
    healthie_ts(locked_at, 'locked_at') as locked_at,
    list_min(list_transform(form_answer_group_signings, lambda s: healthie_ts(s.created_at, 'first_signed_at')))
        as first_signed_at,
    healthie_ts(record_created_at, 'record_created_at') as record_created_at,
    healthie_ts(created_at, 'created_at') as created_at, healthie_ts(updated_at, 'updated_at') as updated_at,
    form_answers, timezone('UTC', _extracted_at) as _extracted_at, _sync_id
from lake_rows('form_answer_groups')
where nullif(trim(deleted_at), '') is null;

create or replace view staging.patients as
select
    id as patient_id, dietitian_id as primary_provider_id, first_name, last_name, email, phone_number,
    gender, timezone, coalesce(active, true) as is_active,
    cast(try_strptime(nullif(trim(dob), ''), '%Y-%m-%d') as date) as date_of_birth,
    healthie_ts(created_at, 'created_at') as created_at, healthie_ts(updated_at, 'updated_at') as updated_at
from lake_rows('patients');

create or replace view staging.providers as
select
    id as provider_id, first_name, last_name, email, npi, qualifications, timezone,
    healthie_ts(created_at, 'created_at') as created_at, healthie_ts(updated_at, 'updated_at') as updated_at
from lake_rows('providers');

create or replace view staging.appointment_types as
select
    id as appointment_type_id, name as appointment_type_name, length as length_minutes,
    healthie_money(pricing, 'price') as price, coalesce(is_group, false) as is_group,
    coalesce(clients_can_book, false) as clients_can_book, position as display_position,
    healthie_ts(created_at, 'created_at') as created_at, healthie_ts(updated_at, 'updated_at') as updated_at
from lake_rows('appointment_types');

-- marts -----------------------------------------------------------------------------------------------
create or replace table marts.fct_appointments as
select
    * exclude (length_minutes),
    coalesce(length_minutes, date_diff('minute', starts_at, ends_at)) as length_minutes,
    case
        when status is null then 'scheduled'
        when status = 'Occurred' then 'occurred'
        when status = 'No-Show' then 'no_show'
        when status in ('Cancelled', 'Late Cancellation') then 'cancelled'
        when status = 'Re-Scheduled' then 're_scheduled'
    end as status_group
from staging.appointments;

create or replace table marts.fct_billing_items as select * from staging.billing_items;
create or replace table marts.fct_entries as select * from staging.entries;

create or replace table marts.fct_form_answer_groups as
select
    * exclude (form_answers),
    case when filled_by_id is distinct from patient_id then filled_by_id end as provider_id,
    date_diff('second', created_at, locked_at) / 3600.0 as hours_to_lock
from staging.form_answer_groups;

create or replace table marts.fct_form_answers as
select
    answer.id as form_answer_id, groups.form_answer_group_id, groups.patient_id,
    case when groups.filled_by_id is distinct from groups.patient_id then groups.filled_by_id end as provider_id,
    groups.form_template_id, answer.custom_module_id as question_id, answer.label as question_label,
    answer.answer, answer.displayed_answer,
    healthie_ts(answer.created_at, 'created_at') as created_at,
    healthie_ts(answer.updated_at, 'updated_at') as updated_at
from (select *, unnest(form_answers) as answer from staging.form_answer_groups) as groups;

create or replace table marts.dim_patients as
select *, nullif(concat_ws(' ', first_name, last_name), '') as full_name from staging.patients;
create or replace table marts.dim_providers as
select *, nullif(concat_ws(' ', first_name, last_name), '') as full_name from staging.providers;
create or replace table marts.dim_appointment_types as select * from staging.appointment_types;

-- reporting -------------------------------------------------------------------------------------------
create or replace table marts.rpt_provider_monthly as
with appointments as (
    select
        provider_id, cast(date_trunc('month', starts_at) as date) as month_start,
        count(*) as appointments_booked,
        count(*) filter (where status_group = 'occurred') as appointments_occurred,
        count(*) filter (where status_group = 'no_show') as no_shows,
        count(*) filter (where status_group = 'cancelled') as cancellations,
        count(*) filter (where status_group = 're_scheduled') as reschedules
    from marts.fct_appointments
    where not is_blocker and provider_id is not null and starts_at is not null
    group by all
),
revenue as (
    select provider_id, cast(date_trunc('month', created_at) as date) as month_start,
        sum(amount_paid) as revenue_collected
    from marts.fct_billing_items
    where is_collected and provider_id is not null and created_at is not null
    group by all
)
select
    provider_id, month_start,
    coalesce(appointments_booked, 0) as appointments_booked,
    coalesce(appointments_occurred, 0) as appointments_occurred,
    coalesce(no_shows, 0) as no_shows, coalesce(cancellations, 0) as cancellations,
    coalesce(reschedules, 0) as reschedules,
    cast(no_shows as double) / nullif(appointments_occurred + no_shows, 0) as no_show_rate,
    cast(cancellations as double) / nullif(appointments_booked, 0) as cancellation_rate,
    coalesce(revenue_collected, 0) as revenue_collected
from appointments full outer join revenue using (provider_id, month_start);

create or replace table marts.rpt_patient_weekly as
with entries as (
    select *, cast(date_trunc('week', created_at) as date) as week_start
    from marts.fct_entries where patient_id is not null and created_at is not null
),
counts as (
    select patient_id, week_start, count(*) as journal_entries,
        count(*) filter (where entry_type = 'FoodEntry') as food_entries,
        count(*) filter (where entry_type = 'MetricEntry') as metric_entries,
        count(*) filter (where entry_type = 'WorkoutEntry') as workout_entries,
        count(*) filter (where entry_type = 'SleepEntry') as sleep_entries,
        count(*) filter (where entry_type = 'MirrorEntry') as mirror_entries,
        count(*) filter (where entry_type = 'NoteEntry') as note_entries
    from entries group by all
),
latest as (
    select patient_id, week_start, category,
        arg_max(metric_value, {'at': created_at, 'id': entry_id}) as latest_value
    from entries
    where entry_type = 'MetricEntry' and category is not null and metric_value is not null
    group by all
),
metrics as (
    select patient_id, week_start,
        any_value(latest_value) filter (where category = 'Weight') as latest_weight,
        any_value(latest_value) filter (where category = 'A1C') as latest_a1c,
        any_value(latest_value) filter (where category = 'Blood Pressure') as latest_blood_pressure,
        map_from_entries(list({'key': category, 'value': latest_value} order by category)) as latest_metrics
    from latest group by all
)
select counts.*, metrics.latest_weight, metrics.latest_a1c, metrics.latest_blood_pressure,
    coalesce(metrics.latest_metrics, map()) as latest_metrics
from counts left join metrics using (patient_id, week_start);

create or replace table marts.rpt_form_templates as
select
    form_template_id, arg_max(form_template_name, created_at) as form_template_name,
    bool_or(is_charting_note) as is_charting_note, count(*) as submissions,
    count(*) filter (where is_locked) as locked_submissions,
    count(*) filter (where is_signed) as signed_submissions,
    cast(count(*) filter (where is_locked) as double) / nullif(count(*), 0) as share_locked,
    cast(count(*) filter (where is_signed) as double) / nullif(count(*), 0) as share_signed,
    median(hours_to_lock) as median_hours_to_lock, avg(hours_to_lock) as avg_hours_to_lock,
    min(created_at) as first_submitted_at, max(created_at) as last_submitted_at
from marts.fct_form_answer_groups
where form_template_id is not null
group by form_template_id;

create or replace table marts.rpt_revenue_daily as
select cast(created_at as date) as revenue_date, state, currency, count(*) as billing_items,
    sum(amount_paid) as amount, bool_and(is_collected) as is_collected
from marts.fct_billing_items
where created_at is not null
group by all;
