"""The defaults of the claims, invoices, policies, templates, care-plan, goal, task and document queries:
each drops or reorders rows for a naive pull, as Healthie's schema documents it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sandbox_gql import STREAM_DOC, Gql, document

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread
from healthie_sandbox.timestamps import parse_any


def ids(rows: list[dict]) -> set[str]:
    return {r["id"] for r in rows}


def naive_pull(gql: Gql, stream: str, page_size: int = 50, **variables: object) -> list[dict]:
    """Every page by cursor with only `variables` (none of the stream's must-pass arguments)."""
    spec = STREAM_DOC[stream]
    rows: list[dict] = []
    after = None
    while True:
        page = gql.op(
            stream, spec.list_op, page_size=page_size, order_by=spec.order, after=after, **variables
        )
        rows += page
        if len(page) < page_size:
            return rows
        after = page[-1]["cursor"]


def test_claims_page_20_by_default_newest_first(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("claims")
    assert len(truth) > 20
    page = gql.op("claims", "Claims")  # no arguments: page_size 20, CREATED_AT_DESC
    assert len(page) == 20
    newest = sorted(truth, key=lambda r: parse_any(r["created_at"]), reverse=True)[:20]
    assert ids(page) == ids(newest)
    assert gql.op("claims", "ClaimsCount") == len(truth)


def test_claim_lines_reference_real_codes_patients_and_policies(
    gql: Gql, sandbox_control: SandboxControl
) -> None:
    patients = ids(sandbox_control.truth("patients"))
    policies = {p["id"]: p for p in sandbox_control.truth("insurance_policies")}
    claims = gql.pull_cursor("claims", page_size=50)
    assert claims and all(c["patient_id"] in patients for c in claims)
    for claim in claims:
        lines, diagnoses = claim["cpt_codes_cms1500s"], claim["icd_codes_cms1500s"]
        assert lines and all(line["cpt_code"]["code"] for line in lines)
        assert diagnoses and all(d["icd_code"]["code"] for d in diagnoses)
        letters = "ABCDEFGHIJKL"[: len(diagnoses)]
        assert all(set(line["pointers"]) <= set(letters) for line in lines)
        for billed in claim["cms1500_policies"]:
            assert policies[billed["policy_id"]]["user_id"] == claim["patient_id"]
    assert {c["status"] for c in claims} >= {"Paid", "Submitted", "Partially Paid"}


def test_invoices_preview_false_by_default_hides_drafts(gql: Gql, sandbox_control: SandboxControl) -> None:
    sent, drafts = sandbox_control.truth("invoices"), sandbox_control.truth("invoice_previews")
    assert sent and drafts and not ids(sent) & ids(drafts)
    assert ids(naive_pull(gql, "invoices")) == ids(sent)  # default: false
    assert ids(gql.pull_cursor("invoice_previews", page_size=50)) == ids(drafts)  # preview: true only
    assert all(r["is_preview"] for r in drafts) and not any(r["is_preview"] for r in sent)
    assert gql.op("invoices", "InvoicesCount") == len(sent)  # the count has no preview argument
    draft = drafts[0]["id"]
    assert gql.op("invoices", "Invoice", id=draft) is None  # by id, preview: false
    assert gql.op("invoice_previews", "InvoicePreview", id=draft)["id"] == draft


def test_policies_hang_off_patients_only(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("insurance_policies")
    per_patient = Counter(p["user_id"] for p in truth)
    assert max(per_patient.values()) >= 2, "some patients have a secondary or an old policy"
    assert len(per_patient) < len(sandbox_control.truth("patients")), "some patients are uninsured"
    assert {p["priority_type"] for p in truth} == {"primary", "secondary", "inactive"}
    pulled = gql.pull_cursor("insurance_policies", page_size=9)
    assert sorted(p["id"] for p in pulled) == sorted(p["id"] for p in truth)
    assert all(p["insurance_plan"]["payer_name"] for p in pulled)
    one = truth[0]["id"]
    assert gql.op("insurance_policies", "InsurancePolicy", id=one)["id"] == one


def test_form_templates_unpaginated_and_without_healthies_defaults(
    gql: Gql, sandbox_control: SandboxControl
) -> None:
    truth = sandbox_control.truth("form_templates")
    defaults = {t["id"] for t in truth if t["uploaded_by_healthie_team"]}
    assert defaults
    listed = gql.op("form_templates", "FormTemplates")  # should_paginate false, defaults left out
    assert ids(listed) == ids(truth) - defaults
    assert len(gql.op("form_templates", "FormTemplates", page_size=3)) == len(listed), "unpaginated"
    assert gql.op("form_templates", "FormTemplatesCount") == len(truth) - len(defaults)
    assert gql.op("form_templates", "FormTemplatesCount", include_default_templates=True) == len(truth)
    answered = {f["custom_module_form"]["id"] for f in sandbox_control.truth("form_answer_groups")}
    assert ids(truth) - answered - defaults, "templates nobody answered exist"


def test_care_plans_default_order_is_by_status(gql: Gql, sandbox_control: SandboxControl) -> None:
    page = gql.op("care_plans", "CarePlans", page_size=100)
    flags = [r["is_active"] for r in page]
    assert flags == sorted(flags), "STATUS_ASC: inactive first, a row moves when its status changes"
    truth = sandbox_control.truth("care_plans")
    assert any(r["is_template"] and r["patient"] is None for r in truth)
    patient = next(r["patient"]["id"] for r in truth if r["patient"])
    mine = [r for r in truth if r["patient"] and r["patient"]["id"] == patient]
    query = "query Mine($p: ID) { count: carePlansCount(patient_id: $p) }"
    assert gql.data(query, {"p": patient})["count"] == len(mine)


def test_goals_page_with_per_page_and_default_to_ten(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("goals")
    assert len(gql.op("goals", "Goals")) == 10
    assert gql.op("goals", "GoalsCount") == len(truth)
    assert any(g["parent_id"] for g in truth), "subgoals exist"
    wrong = gql.result(
        document("goals").replace("per_page: $page_size", "page_size: $page_size"), None, "Goals"
    )
    assert "Unknown argument" in wrong["errors"][0]["message"]


def test_goal_histories_unique_by_default(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("goal_histories")
    goals = {h["goal_id"] for h in truth}
    assert len(truth) > len(goals), "goals completed more than once"
    assert gql.op("goal_histories", "GoalHistoriesCount") == len(goals)
    naive = naive_pull(gql, "goal_histories", should_paginate=True)
    assert len(naive) == len(goals) and {h["goal_id"] for h in naive} == goals
    assert len(gql.pull_cursor("goal_histories", page_size=50)) == len(truth)
    assert gql.op("goal_histories", "GoalHistoriesCount", unique=False) == len(truth)
    subgoals = sum(1 for h in truth if h["is_subgoal"])
    assert gql.op("goal_histories", "GoalHistoriesCount", unique=False, include_subgoals=False) == (
        len(truth) - subgoals
    )


def test_tasks_list_shows_hidden_but_count_does_not(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("tasks")
    hidden = {t["id"] for t in truth if t["hidden"]}
    assert hidden
    assert ids(naive_pull(gql, "tasks")) == ids(truth)  # list default: true
    assert gql.op("tasks", "TasksCount") == len(truth) - len(hidden)  # count default: unset
    assert gql.op("tasks", "TasksCount", show_hidden=True) == len(truth)
    assert len(gql.op("tasks", "Tasks")) == 10  # per_page 10


def test_documents_unpaginated_by_name_by_default(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("documents")
    listed = gql.op("documents", "Documents")
    assert ids(listed) == ids(truth)
    names = [d["display_name"] for d in listed]
    assert names == sorted(names)
    owner = truth[0]["owner"]["id"]
    mine = [d for d in truth if d["owner"]["id"] == owner]
    query = "query Mine($p: ID) { count: documentsCount(provider_id: $p) }"
    assert gql.data(query, {"p": owner})["count"] == len(mine)


@pytest.fixture(scope="module")
def bigger() -> Iterator[Gql]:
    with start_in_thread(scale=2.2, seed=5) as handle:
        client = Gql(handle.url, handle.api_key)
        yield client
        client.close()


@pytest.mark.parametrize(
    "stream", ["claims", "invoices", "care_plans", "goals", "goal_histories", "tasks", "documents"]
)
def test_page_size_is_clamped_to_100(stream: str, bigger: Gql) -> None:
    spec = STREAM_DOC[stream]
    assert len(bigger.op(stream, spec.list_op, **spec.required, page_size=1000)) == 100


def test_deletes_leave_lists_counts_and_by_id(private_sandbox: SandboxHandle, private_control: SandboxControl,
                                              private_gql: Gql) -> None:  # fmt: skip
    for stream in ("claims", "insurance_policies", "care_plans", "goals", "tasks", "documents", "invoices"):
        spec = STREAM_DOC[stream]
        victim = private_control.truth(stream)[0]["id"]
        change = private_control.delete(stream, victim)
        assert victim not in ids(private_control.truth(stream))
        assert victim in private_control.truth_deleted_ids(stream)
        assert private_gql.op(stream, spec.by_id_op or "", id=victim) is None
        assert victim not in ids(private_gql.pull_cursor(stream, page_size=50))
        if spec.count_op:
            assert private_gql.op(stream, spec.count_op, **spec.required) == len(
                private_control.truth(stream)
            )
        expected = (
            [] if stream == "invoices" else [f"{change['events'][0]['event_type'].split('.')[0]}.deleted"]
        )
        assert [e["event_type"] for e in change["events"]] == expected


@pytest.mark.parametrize(
    ("stream", "created", "updated"),
    [
        ("claims", "cms1500.created", "cms1500.updated"),
        ("invoices", "requested_payment.created", "requested_payment.updated"),
        ("invoice_previews", "requested_payment.created", "requested_payment.updated"),
        ("insurance_policies", "policy.created", "policy.updated"),
        ("care_plans", "care_plan.created", "care_plan.updated"),
        ("goals", "goal.created", "goal.updated"),
        ("goal_histories", "goal_history.created", None),
        ("tasks", "task.created", "task.updated"),
        ("documents", "document.created", "document.updated"),
        ("form_templates", None, None),
    ],
)
def test_changes_send_healthies_events(stream: str, created: str | None, updated: str | None,
                                       private_control: SandboxControl) -> None:  # fmt: skip
    made = private_control.change("create", stream)
    assert [e["event_type"] for e in made["events"]] == ([created] if created else [])
    changed = private_control.update(stream, made["id"])
    assert [e["event_type"] for e in changed["events"]] == ([updated] if updated else [])
    assert made["id"] in ids(private_control.truth(stream)) or stream == "invoice_previews"


def test_sending_a_draft_moves_it_to_invoices(private_control: SandboxControl, private_gql: Gql) -> None:
    draft = private_control.create("invoice_previews")
    private_control.update("invoice_previews", draft, is_preview=False)
    assert draft in ids(private_control.truth("invoices"))
    assert draft not in ids(private_control.truth("invoice_previews"))
    assert private_gql.op("invoice_previews", "InvoicePreview", id=draft) is None
    assert private_gql.op("invoices", "Invoice", id=draft)["id"] == draft
