"""Revenue-cycle marts and reports from the canonical lake (lake_factory.SCENARIO), as of 2024-03-10.

Ids: policies 70xx (payers Aetna 60054, Medicare 00882, Blue Cross BCBS1), claims 80xx with CPT lines
90xx and ICD codes 91xx, invoices 95xx (sent) and 96xx (previews). The change batch rejected claim
8001, deleted the draft claim 8005 and policy 7004, and sent the preview 9602.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from dbt_harness import column, query
from lake_factory import REPORT_AS_OF

AS_OF = REPORT_AS_OF
D = Decimal


def test_claims_carry_the_primary_payer_status_money_and_utc_service_day(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select claim_id, patient_id, provider_id, policy_id, payer_name, status, status_group, "
        "billed_amount, paid_amount, outstanding_amount, service_date from marts.fct_claims order by 1",
    )
    assert rows == [
        # Billed to Medicare (listed first) and Aetna: Aetna's policy is the primary one.
        (
            "8001",
            "1",
            "101",
            "7001",
            "Aetna",
            "Rejected",
            "denied",
            D("200.00"),
            D("0.00"),
            D("200.00"),
            date(2024, 2, 20),
        ),
        # 2024-01-05T23:30:00-05:00 is 2024-01-06 in UTC; 300 - 120 - 30 - 50 adjustment = 100 outstanding.
        (
            "8002",
            "2",
            "102",
            "7003",
            "Blue Cross",
            "Partially Paid",
            "partially_paid",
            D("300.00"),
            D("150.00"),
            D("100.00"),
            date(2024, 1, 6),
        ),
        (
            "8003",
            "1",
            "101",
            "7001",
            "Aetna",
            "Paid",
            "paid",
            D("150.00"),
            D("150.00"),
            D("0.00"),
            date(2024, 1, 10),
        ),
        (
            "8004",
            "2",
            "101",
            "7003",
            "Blue Cross",
            "Denied",
            "denied",
            D("80.00"),
            D("0.00"),
            D("80.00"),
            date(2023, 10, 1),
        ),
        # No date of service: its first line's (2024-02-01); no policy: no payer.
        (
            "8006",
            "1",
            "102",
            None,
            None,
            "Submitted",
            "submitted",
            D("75.50"),
            D("0.00"),
            D("75.50"),
            date(2024, 2, 1),
        ),
    ]  # 8005 (a draft) was deleted
    types = dict(
        query(
            built_warehouse,
            "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'fct_claims' "
            "and column_name in ('billed_amount', 'paid_amount', 'outstanding_amount', 'service_date')",
        )
    )
    assert types == {
        "billed_amount": "DECIMAL(18,2)",
        "paid_amount": "DECIMAL(18,2)",
        "outstanding_amount": "DECIMAL(18,2)",
        "service_date": "DATE",
    }


def test_claim_lines_and_diagnoses_are_one_row_per_code(built_warehouse: Path) -> None:
    lines = query(
        built_warehouse,
        "select claim_line_id, claim_id, patient_id, cpt_code, line_number, units, fee_amount, modifiers, "
        "diagnosis_pointers, service_date from marts.fct_claim_lines order by 1",
    )
    assert lines == [
        ("9001", "8001", "1", "99213", 1, 1.0, D("150.00"), [], ["A", "B"], date(2024, 2, 20)),
        (
            "9002",
            "8001",
            "1",
            "97802",
            2,
            2.0,
            D("25.00"),
            ["GT"],
            ["A"],
            date(2024, 2, 20),
        ),  # blank mod2 dropped
        ("9003", "8002", "2", "90837", 1, 1.0, D("300.00"), [], ["A"], date(2024, 1, 6)),  # the claim's day
        ("9004", "8003", "1", "99213", 1, 1.0, D("150.00"), [], ["A"], date(2024, 1, 10)),
        ("9005", "8006", "1", "97803", 1, 1.0, D("40.00"), [], ["A"], date(2024, 2, 3)),
        ("9006", "8006", "1", "97803", 2, 1.0, D("35.50"), [], ["A"], date(2024, 2, 1)),
    ]
    diagnoses = query(
        built_warehouse,
        "select claim_diagnosis_id, claim_id, icd_code, diagnosis_number, diagnosis_pointer "
        "from marts.fct_claim_diagnoses order by 1",
    )
    assert diagnoses == [
        ("9101", "8001", "E11.9", 1, "A"),
        ("9102", "8001", "I10", 2, "B"),
        ("9103", "8002", "F41.1", 1, "A"),
        ("9104", "8003", "E11.9", 1, "A"),
    ]
    assert column(built_warehouse, "select sum(line_count) from marts.fct_claims") == [len(lines)]


def test_policies_have_payer_plan_priority_and_effective_days(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select policy_id, patient_id, payer_id, payer_name, plan_name, priority, is_active, copay_amount, "
        "effective_start, effective_end from marts.dim_insurance_policies order by 1",
    )
    assert rows == [
        ("7001", "1", "60054", "Aetna", "Aetna PPO", "primary", True, D("25.00"), date(2023, 1, 1), None),
        (
            "7002",
            "1",
            "00882",
            "Medicare",
            "Medicare Part B",
            "secondary",
            True,
            None,
            date(2023, 6, 1),
            date(2024, 12, 31),
        ),
        ("7003", "2", "BCBS1", "Blue Cross", "BCBS Basic", "primary", True, None, None, None),
    ]  # 7004 was deleted


def test_invoices_flag_drafts_and_the_sent_version_wins(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select invoice_id, patient_id, provider_id, status, is_draft, is_outstanding, invoiced_amount, "
        "balance_due_amount, invoice_date from marts.fct_invoices order by 1",
    )
    assert rows == [
        ("9501", "1", "101", "Unpaid", False, True, D("100.00"), D("100.00"), date(2024, 3, 1)),
        ("9502", "1", "101", "Partial", False, True, D("250.00"), D("150.00"), date(2023, 12, 20)),
        ("9503", "2", "101", "Paid", False, False, D("80.00"), D("0.00"), date(2024, 1, 2)),
        ("9504", "2", "101", "Unpaid", False, True, D("60.00"), D("60.00"), date(2024, 2, 15)),
        ("9601", "2", "101", "Unpaid", True, False, D("45.00"), D("45.00"), date(2024, 3, 5)),  # a draft
        # Sent after its preview was read: one row, the sent one, though the previews table still has it.
        ("9602", "1", "101", "Unpaid", False, True, D("30.00"), D("30.00"), date(2024, 3, 8)),
    ]


def test_claims_aging_buckets_open_claims_by_payer(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select as_of_date, payer_id, payer_name, age_bucket, open_claims, billed_amount, paid_amount, "
        "outstanding_amount, oldest_age_days from marts.rpt_claims_aging "
        "order by age_bucket_start_days, payer_name",
    )
    assert rows == [
        (AS_OF, "60054", "Aetna", "0-30", 1, D("200.00"), D("0.00"), D("200.00"), 19),  # 8001, rejected: open
        (AS_OF, None, "(no payer)", "31-60", 1, D("75.50"), D("0.00"), D("75.50"), 38),  # 8006
        (AS_OF, "BCBS1", "Blue Cross", "61-90", 1, D("300.00"), D("150.00"), D("100.00"), 64),  # 8002
        (AS_OF, "BCBS1", "Blue Cross", "120+", 1, D("80.00"), D("0.00"), D("80.00"), 161),  # 8004, denied
    ]  # 8003 is paid; the draft 8005 was never open (and is deleted)


def test_payer_mix_bills_and_collects_per_payer_and_month(built_warehouse: Path) -> None:
    rows = query(
        built_warehouse,
        "select month_start, payer_name, claims, billed_amount, insurance_paid_amount, patient_paid_amount, "
        "collection_rate, round(share_of_month_billed, 4) from marts.rpt_payer_mix order by 1, 2",
    )
    assert rows == [
        (date(2023, 10, 1), "Blue Cross", 1, D("80.00"), D("0.00"), D("0.00"), 0.0, 1.0),
        (date(2024, 1, 1), "Aetna", 1, D("150.00"), D("120.00"), D("30.00"), 1.0, 0.3333),
        (date(2024, 1, 1), "Blue Cross", 1, D("300.00"), D("120.00"), D("30.00"), 0.5, 0.6667),
        (date(2024, 2, 1), "(no payer)", 1, D("75.50"), D("0.00"), D("0.00"), 0.0, 0.274),
        (date(2024, 2, 1), "Aetna", 1, D("200.00"), D("0.00"), D("0.00"), 0.0, 0.726),
    ]
    billed = column(built_warehouse, "select sum(billed_amount) from marts.rpt_payer_mix")
    assert billed == [D("805.50")]  # every claim but the (deleted) draft


def test_invoices_outstanding_per_patient_by_age(built_warehouse: Path) -> None:
    rows = query(built_warehouse, "select * from marts.rpt_invoices_outstanding order by patient_id")
    assert rows == [
        # 9501 (9 days, 100) + 9602 (2 days, 30) in 0-30; 9502 (81 days, 150) in 61-90.
        (
            AS_OF,
            "1",
            "USD",
            3,
            D("380.00"),
            D("280.00"),
            D("130.00"),
            D("0.00"),
            D("150.00"),
            D("0.00"),
            D("0.00"),
            date(2023, 12, 20),
            81,
        ),
        # 9504 only: 9503 is paid and 9601 is a draft.
        (
            AS_OF,
            "2",
            "USD",
            1,
            D("60.00"),
            D("60.00"),
            D("60.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
            date(2024, 2, 15),
            24,
        ),
    ]
