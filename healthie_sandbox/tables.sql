-- The sandbox's store: one table per Healthie object type, columns named like the API's fields.
-- References are `<field>_id` integer columns (provider -> provider_id); nested lists that Healthie
-- embeds (form answers, signings) are JSON text in API shape. The `*_ts` columns hold the instant
-- of the matching text timestamp as epoch seconds: filters and keyset orders use those, because the
-- text comes in several styles and offsets and never sorts correctly.
-- AUTOINCREMENT: Healthie never reuses an id, even after a hard delete (entries).

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    role TEXT NOT NULL CHECK (role IN ('patient', 'provider')),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    dob TEXT,
    gender TEXT,
    phone_number TEXT,
    timezone TEXT,
    active INTEGER NOT NULL,
    dietitian_id INTEGER,
    npi TEXT,
    qualifications TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE appointment_types (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    length INTEGER,
    is_group INTEGER NOT NULL,
    clients_can_book INTEGER NOT NULL,
    pricing TEXT,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE custom_module_forms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    use_for_charting INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE appointments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL,
    user_id INTEGER,
    appointment_type_id INTEGER,
    date TEXT NOT NULL,
    "end" TEXT,
    length INTEGER,
    pm_status TEXT,
    is_blocker INTEGER NOT NULL,
    is_group INTEGER NOT NULL,
    confirmed INTEGER NOT NULL,
    contact_type TEXT,
    location TEXT,
    notes TEXT,
    timezone_abbr TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    start_ts INTEGER NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE billing_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id INTEGER,
    recipient_id INTEGER,
    amount_paid TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    currency TEXT,
    state TEXT NOT NULL,
    note TEXT,
    payment_medium TEXT NOT NULL,
    failure_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    poster_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    category TEXT,
    metric_stat REAL,
    name TEXT,
    description TEXT,
    emotions TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE form_answer_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    filler_id INTEGER,
    locked_by_id INTEGER,
    custom_module_form_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    finished INTEGER NOT NULL,
    locked_at TEXT,
    record_created_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    record_created_ts INTEGER NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL,
    form_answers TEXT NOT NULL,
    form_answer_group_signings TEXT NOT NULL
);

-- Ids of hard-deleted rows (entries): what a complete pull must tombstone.
CREATE TABLE tombstones (
    stream TEXT NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (stream, id)
) WITHOUT ROWID;
