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
    use_for_program INTEGER NOT NULL,
    is_video INTEGER,
    prefill INTEGER,
    has_matrix_field INTEGER,
    uploaded_by_healthie_team INTEGER NOT NULL,
    external_id TEXT,
    external_id_type TEXT,
    user_id INTEGER,
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

-- Catalogues claims point at: CPT and ICD codes, and the payers' insurance plans.
CREATE TABLE cpt_codes (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE icd_codes (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE insurance_plans (
    id INTEGER PRIMARY KEY,
    payer_id TEXT,
    payer_name TEXT
);

-- A patient's insurance policies (User.policies; `policy(id)`); deleted for real.
CREATE TABLE policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    name TEXT,
    priority_type TEXT,
    type_string TEXT,
    insurance_billing_method TEXT,
    copay_value INTEGER,
    coinsurance_value INTEGER,
    effective_start TEXT,
    effective_end TEXT,
    holder_relationship TEXT,
    insurance_plan_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

-- Claims (CMS 1500): service lines, diagnoses and billed policies embedded as JSON in API shape
-- (`cpt_code_id`/`icd_code_id` reference the catalogues). Soft-deleted.
CREATE TABLE cms1500s (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    status TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    total_charge TEXT,
    amount_paid TEXT,
    amount_reimbursed TEXT,
    adjustment TEXT,
    client_responsibility TEXT,
    copay TEXT,
    copay_still_owed TEXT,
    primary_plan_name TEXT,
    patient_id INTEGER NOT NULL,
    dietitian_id INTEGER,
    billing_provider_id INTEGER,
    service_location_id INTEGER,
    form_answer_group_id INTEGER,
    accept_assignment INTEGER,
    reimbursed_at TEXT,
    paid_out_at TEXT,
    resubmission_code TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL,
    cpt_codes_cms1500s TEXT NOT NULL,
    icd_codes_cms1500s TEXT NOT NULL,
    cms1500_policies TEXT NOT NULL
);

-- Invoices (RequestedPayment): `is_preview` ones are drafts. Healthie shows no created/updated
-- timestamps for them; the columns serve the created-at order and change bookkeeping. Soft-deleted.
CREATE TABLE requested_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id TEXT NOT NULL,
    invoice_type TEXT,
    status TEXT,
    is_preview INTEGER NOT NULL,
    is_manually_paid INTEGER,
    price TEXT,
    price_cents INTEGER NOT NULL,
    currency TEXT,
    balance_due REAL,
    write_off_amount REAL,
    paid_percent INTEGER,
    paid_at TEXT,
    service_date TEXT,
    date_to_show TEXT,
    email_sent_at TEXT,
    sender_id INTEGER,
    recipient_id INTEGER,
    requested_payer_id INTEGER,
    appointment_id INTEGER,
    cms1500_id INTEGER,
    offering_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE care_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT,
    description TEXT,
    is_active INTEGER NOT NULL,
    is_group INTEGER NOT NULL,
    is_hidden INTEGER NOT NULL,
    is_template INTEGER NOT NULL,
    patient_id INTEGER,
    creator_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE goals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT,
    description TEXT,
    repeat TEXT,
    start_on TEXT NOT NULL,
    due_date TEXT,
    is_used_as_template INTEGER,
    parent_id INTEGER,
    user_id INTEGER,
    created_user_id INTEGER,
    source_template_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE goal_histories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    goal_id INTEGER NOT NULL,
    user_id INTEGER,
    completed_on TEXT NOT NULL,
    is_subgoal INTEGER NOT NULL,
    repeat TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content TEXT,
    user_id INTEGER,
    client_id INTEGER,
    created_by_id INTEGER,
    completed_by_id INTEGER,
    complete INTEGER,
    completed_at TEXT,
    due_date TEXT,
    hidden INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    seen INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

-- Document metadata (the sandbox holds no files).
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name TEXT NOT NULL,
    file_content_type TEXT,
    extension TEXT,
    friendly_type TEXT,
    rel_user_id INTEGER,
    owner_id INTEGER,
    shared INTEGER,
    include_in_charting INTEGER NOT NULL,
    users_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
);

-- Ids of hard-deleted rows (entries): what a complete pull must tombstone.
CREATE TABLE tombstones (
    stream TEXT NOT NULL,
    id INTEGER NOT NULL,
    PRIMARY KEY (stream, id)
) WITHOUT ROWID;

-- Every webhook POST the sandbox made (one row per attempt), as Healthie's `sentWebhooks` lists them:
-- the HTTP status it got as text, null when the connection failed.
CREATE TABLE sent_webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id INTEGER NOT NULL,
    url TEXT,
    event_type TEXT,
    resource_id INTEGER,
    resource_id_type TEXT,
    http_response_status TEXT,
    created_at TEXT NOT NULL,
    created_ts INTEGER NOT NULL
);
CREATE INDEX sent_webhooks_created ON sent_webhooks (created_ts, id);
