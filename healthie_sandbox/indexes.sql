-- Keyset indexes for the orders and windows clients page by (created_at, an appointment's start,
-- a form's updated_at, a patient's last name), built after the bulk load (cheaper than row by row).
-- Other orders (UPDATED_AT on appointments, payments, entries) work through a sort instead.
-- Partial indexes carry exactly the "visible in lists" predicate the list queries use, so SQLite
-- can pick them.

CREATE INDEX users_created ON users (role, created_ts, id);
CREATE INDEX users_last_name ON users (role, last_name, id);
CREATE INDEX users_dietitian ON users (dietitian_id);

CREATE INDEX appointments_created ON appointments (created_ts, id) WHERE deleted_at IS NULL;
CREATE INDEX appointments_start ON appointments (start_ts, id) WHERE deleted_at IS NULL;
CREATE INDEX appointments_provider ON appointments (provider_id, start_ts) WHERE deleted_at IS NULL;

CREATE INDEX billing_items_created ON billing_items (created_ts, id) WHERE deleted_at IS NULL;

CREATE INDEX entries_created ON entries (created_ts, id);
CREATE INDEX entries_poster ON entries (poster_id, created_ts);

CREATE INDEX form_answer_groups_created ON form_answer_groups (created_ts, id)
    WHERE deleted_at IS NULL AND finished = 1;
CREATE INDEX form_answer_groups_updated ON form_answer_groups (updated_ts, id)
    WHERE deleted_at IS NULL AND finished = 1;
CREATE INDEX form_answer_groups_record ON form_answer_groups (record_created_ts, id)
    WHERE deleted_at IS NULL AND finished = 1;

CREATE INDEX policies_user ON policies (user_id, id);
CREATE INDEX cms1500s_created ON cms1500s (created_ts, id) WHERE deleted_at IS NULL;
CREATE INDEX requested_payments_created ON requested_payments (is_preview, created_ts, id)
    WHERE deleted_at IS NULL;
CREATE INDEX custom_module_forms_created ON custom_module_forms (created_ts, id);
CREATE INDEX care_plans_created ON care_plans (created_ts, id);
CREATE INDEX goals_start ON goals (start_on, id);
CREATE INDEX goal_histories_created ON goal_histories (created_ts, id);
CREATE INDEX goal_histories_goal ON goal_histories (goal_id, id);
CREATE INDEX tasks_created ON tasks (created_ts, id);
CREATE INDEX documents_created ON documents (created_ts, id);
