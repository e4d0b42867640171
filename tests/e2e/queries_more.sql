-- What test_more_streams_e2e.py reads from the revenue-cycle, care, task and document marts and
-- reports, as an analyst would (read-only connection). Named by `-- name:` lines; values are bound.

-- name: claim_ids
select claim_id from marts.fct_claims;

-- name: claim_line_ids
select claim_line_id from marts.fct_claim_lines;

-- name: claim_diagnosis_ids
select claim_diagnosis_id from marts.fct_claim_diagnoses;

-- name: invoice_ids
select invoice_id from marts.fct_invoices;

-- name: invoice_drafts
select invoice_id, is_draft from marts.fct_invoices;

-- name: policy_ids
select policy_id from marts.dim_insurance_policies;

-- name: form_template_ids
select form_template_id from marts.dim_form_templates;

-- name: care_plan_ids
select care_plan_id from marts.fct_care_plans;

-- name: goal_ids
select goal_id from marts.fct_goals;

-- name: goal_history_ids
select goal_history_id from marts.fct_goal_history;

-- name: task_ids
select task_id from marts.fct_tasks;

-- name: document_ids
select document_id from marts.fct_documents;

-- name: claim
select status, status_group, payer_id, paid_amount, outstanding_amount from marts.fct_claims where claim_id = ?;

-- name: claim_lines_of
select count(*) from marts.fct_claim_lines where claim_id = ?;

-- name: invoice
select is_draft, is_outstanding, status_group, balance_due_amount from marts.fct_invoices where invoice_id = ?;

-- name: policy
select priority, is_active, effective_end from marts.dim_insurance_policies where policy_id = ?;

-- name: care_plan
select is_active, updated_at from marts.fct_care_plans where care_plan_id = ?;

-- name: goal
select patient_id, goal_name, completions, is_completed from marts.fct_goals where goal_id = ?;

-- name: goal_history
select goal_id, completed_on from marts.fct_goal_history where goal_history_id = ?;

-- name: task
select is_complete, completed_at from marts.fct_tasks where task_id = ?;

-- name: document
select document_id from marts.fct_documents where document_id = ?;

-- name: as_of_dates
select 'rpt_claims_aging', as_of_date from marts.rpt_claims_aging
union select 'rpt_invoices_outstanding', as_of_date from marts.rpt_invoices_outstanding
union select 'rpt_task_backlog', as_of_date from marts.rpt_task_backlog
union select 'rpt_goal_progress', as_of_date from marts.rpt_goal_progress;

-- name: payer_mix
select month_start, payer_id, payer_name, claims, open_claims, billed_amount, paid_amount
from marts.rpt_payer_mix;

-- name: claims_aging
select as_of_date, payer_id, payer_name, age_bucket, open_claims, billed_amount, outstanding_amount, oldest_age_days
from marts.rpt_claims_aging;

-- name: invoices_outstanding
select
    as_of_date, patient_id, currency, outstanding_invoices, invoiced_amount, balance_due_amount,
    balance_due_0_30_days, balance_due_31_60_days, balance_due_61_90_days, balance_due_91_120_days,
    balance_due_over_120_days, oldest_age_days
from marts.rpt_invoices_outstanding;

-- name: task_backlog
select as_of_date, assignee_id, age_bucket, open_tasks, overdue_tasks, tasks_without_due_date, high_priority_tasks
from marts.rpt_task_backlog;

-- name: goal_progress
select
    as_of_date, patient_id, provider_id, goals, goals_completed, subgoals, subgoals_completed, completions,
    completions_last_30_days, last_completed_on
from marts.rpt_goal_progress;
