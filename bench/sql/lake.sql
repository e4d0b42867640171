-- Synthetic Healthie lake for bench/dbt_bench.py: one table macro per stream, rows shaped exactly like
-- the Arrow schemas in pipelines/healthie/streams.py (raw API values: timestamps in Healthie's four
-- styles, money as decimal strings, nested structs and lists) plus the lake's bookkeeping columns
-- (`_extracted_at`, `_sync_id`, `_row_hash`). Each is the current state of a stream, one row per id, as
-- its Delta table holds it; dbt_bench.py writes them with `deltalake`. Ids are disjoint numeric ranges
-- per stream, like Healthie's.

-- One instant written in one of Healthie's timestamp styles (the same instant whatever the style).
create or replace temp macro healthie_style(ts, style) as
    case style % 4
        when 0 then strftime(ts, '%Y-%m-%d %H:%M:%S UTC')
        when 1 then strftime(ts - interval 4 hour, '%Y-%m-%d %H:%M:%S -0400')
        when 2 then strftime(ts, '%Y-%m-%dT%H:%M:%SZ')
        else strftime(ts - interval 7 hour, '%Y-%m-%dT%H:%M:%S.%g-07:00')
    end;

create or replace temp macro bench_instant(i) as
    timestamp '2023-01-02 08:00:00' + to_minutes(cast((i * 7919) % (2 * 365 * 24 * 60) as bigint));

-- The API fields of each stream, `n` records.
create or replace temp macro appointments_fields(n, patients, providers, types) as table
select
    cast(1000000 + i as varchar) as id,
    healthie_style(bench_instant(i), i) as date,
    healthie_style(bench_instant(i) + interval 50 minute, i) as "end",
    cast(50 as bigint) as length,
    (['Occurred', 'Occurred', 'Occurred', 'No-Show', 'Cancelled', 'Late Cancellation', 'Re-Scheduled', null])[i % 8 + 1] as pm_status,
    i % 50 = 0 as is_blocker,
    false as is_group,
    i % 3 = 0 as confirmed,
    'In Person' as contact_type,
    cast(null as varchar) as location,
    cast(null as varchar) as notes,
    'EST' as timezone_abbr,
    healthie_style(bench_instant(i) - interval 10 day, i + 1) as created_at,
    healthie_style(bench_instant(i) - interval 9 day, i + 2) as updated_at,
    cast(null as varchar) as deleted_at,
    cast(800000 + i % types as bigint) as appointment_type_id,
    case when i % 50 = 0 then null else cast(1 + i % patients as bigint) end as user_id,
    {'id': cast(900000 + i % providers as varchar)} as provider,
    {'id': cast(800000 + i % types as varchar), 'name': 'Visit kind ' || (i % types)} as appointment_type
from range(n) as t(i);

create or replace temp macro entries_fields(n, patients) as table
select
    cast(5000000 + i as varchar) as id,
    (['MetricEntry', 'MetricEntry', 'FoodEntry', 'MirrorEntry', 'WorkoutEntry', 'SleepEntry', 'NoteEntry'])[i % 7 + 1] as type,
    case when i % 7 < 2 then (['Weight', 'A1C', 'Blood Pressure', 'Steps'])[i % 4 + 1] end as category,
    case when i % 7 < 2 then 60 + (i % 400) / 10.0 end as metric_stat,
    'Entry ' || i as name,
    cast(null as varchar) as description,
    cast(null as varchar) as emotions,
    healthie_style(bench_instant(i * 3), i) as created_at,
    healthie_style(bench_instant(i * 3), i + 1) as updated_at,
    {'id': cast(1 + i % patients as varchar)} as poster
from range(n) as t(i);

create or replace temp macro patients_fields(n, providers) as table
select
    cast(1 + i as varchar) as id,
    'First' || i as first_name,
    'Last' || i as last_name,
    'patient' || i || '@example.com' as email,
    strftime(date '1950-01-01' + cast(i % 20000 as integer), '%Y-%m-%d') as dob,
    cast(null as varchar) as gender,
    cast(null as varchar) as phone_number,
    'America/New_York' as timezone,
    i % 20 <> 0 as active,
    cast(900000 + i % providers as varchar) as dietitian_id,
    healthie_style(bench_instant(i), i) as created_at,
    healthie_style(bench_instant(i), i + 1) as updated_at
from range(n) as t(i);

create or replace temp macro providers_fields(n) as table
select
    cast(900000 + i as varchar) as id,
    'Provider' || i as first_name,
    'Last' || i as last_name,
    'provider' || i || '@example.com' as email,
    cast(1000000000 + i as varchar) as npi,
    'RD' as qualifications,
    'America/New_York' as timezone,
    healthie_style(bench_instant(i), i) as created_at,
    healthie_style(bench_instant(i), i + 1) as updated_at
from range(n) as t(i);

create or replace temp macro appointment_types_fields(n) as table
select
    cast(800000 + i as varchar) as id,
    'Visit kind ' || i as name,
    cast(30 + 15 * (i % 4) as bigint) as length,
    false as is_group,
    true as clients_can_book,
    printf('%.2f', 50 + i * 12.5) as pricing,
    cast(i as bigint) as position,
    healthie_style(bench_instant(i), i) as created_at,
    healthie_style(bench_instant(i), i + 1) as updated_at
from range(n) as t(i);

create or replace temp macro billing_items_fields(n, patients, providers) as table
select
    cast(2000000 + i as varchar) as id,
    printf('%.2f', 20 + (i % 30000) / 100.0) as amount_paid,
    'usd' as currency,
    (['succeeded', 'succeeded', 'succeeded', 'failed', 'refunded', 'pending', 'scheduled'])[i % 7 + 1] as state,
    cast(null as varchar) as note,
    'card' as payment_medium,
    cast(null as varchar) as failure_reason,
    healthie_style(bench_instant(i * 5), i) as created_at,
    healthie_style(bench_instant(i * 5), i + 1) as updated_at,
    cast(null as varchar) as deleted_at,
    cast(1 + i % patients as varchar) as sender_id,
    cast(900000 + i % providers as varchar) as recipient_id
from range(n) as t(i);

create or replace temp macro form_answer_groups_fields(n, patients, providers) as table
select
    cast(4000000 + i as varchar) as id,
    'Intake' as name,
    true as finished,
    case when i % 3 = 0 then healthie_style(bench_instant(i) + interval 2 hour, i) end as locked_at,
    healthie_style(bench_instant(i), i) as record_created_at,
    healthie_style(bench_instant(i), i + 1) as created_at,
    healthie_style(bench_instant(i), i + 2) as updated_at,
    cast(null as varchar) as deleted_at,
    cast(1 + i % patients as varchar) as user_id,
    {'id': cast(900000 + i % providers as varchar)} as filler,
    case when i % 3 = 0 then {'id': cast(900000 + i % providers as varchar)} end as locked_by,
    {'id': cast(600 + i % 5 as varchar), 'name': 'Template ' || (i % 5), 'use_for_charting': i % 5 = 0} as custom_module_form,
    case
        when i % 3 = 0 then [{'id': cast(8000000 + i as varchar), 'created_at': healthie_style(bench_instant(i) + interval 3 hour, i)}]
        else []
    end as form_answer_group_signings,
    [
        {'id': cast(6000000 + 3 * i + k as varchar), 'custom_module_id': cast(700 + k as varchar),
         'label': 'Question ' || k, 'answer': 'Answer ' || i, 'displayed_answer': 'Answer ' || i,
         'created_at': healthie_style(bench_instant(i), k), 'updated_at': healthie_style(bench_instant(i), k + 1)}
        for k in range(3)
    ] as form_answers
from range(n) as t(i);

-- A stream's rows as the lake holds them: the API fields, then when they were read, the batch that wrote
-- them and a hash of their content (a 63-bit hash of the row struct, as BIGINT like `_row_hash`).
create or replace temp macro lake_row_hash(api) as cast(hash(api) >> 1 as bigint);

create or replace temp macro lake_appointments(n, patients, providers, types, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from appointments_fields(n, patients, providers, types) as api;

create or replace temp macro lake_entries(n, patients, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from entries_fields(n, patients) as api;

create or replace temp macro lake_patients(n, providers, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from patients_fields(n, providers) as api;

create or replace temp macro lake_providers(n, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from providers_fields(n) as api;

create or replace temp macro lake_appointment_types(n, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from appointment_types_fields(n) as api;

create or replace temp macro lake_billing_items(n, patients, providers, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from billing_items_fields(n, patients, providers) as api;

create or replace temp macro lake_form_answer_groups(n, patients, providers, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from form_answer_groups_fields(n, patients, providers) as api;

-- The change batch (a webhook refresh's re-reads): a new version of every `every`-th appointment and
-- entry, except a tenth of those, which are read back as gone (`changed_deleted_ids`).
create or replace temp macro change_appointments(n, patients, providers, types, every, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from (
    select * replace ('Occurred' as pm_status)
    from appointments_fields(n, patients, providers, types)
    where cast(id as bigint) % every = 0 and cast(id as bigint) % (every * 10) <> 0
) as api;

create or replace temp macro change_entries(n, patients, every, extracted_at, sync_id) as table
select api.*, extracted_at as _extracted_at, sync_id as _sync_id, lake_row_hash(api) as _row_hash
from (
    select * replace ('Re-read ' || id as name)
    from entries_fields(n, patients)
    where cast(id as bigint) % every = 0 and cast(id as bigint) % (every * 10) <> 0
) as api;

-- The ids of `n` records from `first_id` on that the change batch deletes.
create or replace temp macro changed_deleted_ids(first_id, n, every) as table
select cast(first_id + i as varchar) as id
from range(n) as t(i)
where (first_id + i) % (every * 10) = 0;
