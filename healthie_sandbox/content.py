"""Pools of realistic field values: names, notes, statuses, form templates.

The values are chosen to break naive clients the way real practice data does: names with
apostrophes and accents, notes with newlines, quotes, HTML, tabs and emoji, money as decimal
strings, every appointment status Healthie has (and null), every journal entry type. Nothing here is
real patient data.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = (
    "Ava", "José", "Zoë", "Liam", "Maya", "Noah", "Aaliyah", "Chloé", "Mateo", "Priya", "Kai",
    "Siobhán", "Hiroshi", "Fatima", "Olivia", "Ethan", "Amara", "Lucas", "Isabella", "Dmitri",
    "Mary-Kate", "Renée", "Oluwaseun", "Björn",
)  # fmt: skip
LAST_NAMES = (
    "O'Brien", "García", "Nguyen", "Smith", "Johnson", "Müller", "Kowalski", "Okafor", "Patel",
    "Lee", "Rossi", "Brown", "Dubois", "Hernández", "Kim", "Cohen", "Ivanova", "Santos", "Walker",
    "Yamamoto", "de la Cruz", "St. John", "Van Der Berg", "Ng",
)  # fmt: skip
GENDERS = ("Female", "Male", "Non-binary", "Prefer not to say", None)
QUALIFICATIONS = ("RD, LDN", "LCSW", "MD", "NP-C", "PhD, LMFT", "RDN, CDCES", None)

#: Free text as practices type it: multi-line, quoted, HTML from rich-text editors, emoji.
NOTES = (
    "Follow-up in 2 weeks.\nDiscussed meal plan and hydration goals.",
    'Client said "I feel great this week!" 😊',
    "<p>Reviewed <b>labs</b> &amp; vitals.</p><ul><li>A1C trending down</li></ul>",
    "Line one\r\nLine two\r\n\r\nLine four",
    "Bring food log 🍎🥦 and glucose readings",
    "Tab\tseparated\tnotes\tfrom an import",
    "Call ahead — gate code #1234; park in the back 🚗",
    "Uses \"double\" and 'single' quotes; backslash \\ too",
    "Unicode check: ünïcödé ✓ — naïve café 🧑‍⚕️",
    "",
    "<script>alert('not executed')</script> pasted by mistake",
    "Multi-paragraph summary.\n\n- point one\n- point two\n\nSigned, the care team 💚",
)
CONTACT_TYPES = ("In Person", "Healthie Video Call", "Phone Call", "Secure Videochat")
LOCATIONS = ("123 Main St, Suite 400\nBoston, MA 02110", "Clinic — Room 2", "Downtown office 🏢", None)

#: Appointment statuses with seeding weights for past and future appointments (None = not set yet).
PAST_STATUSES = (
    ("Occurred", 70), ("No-Show", 7), ("Cancelled", 8), ("Re-Scheduled", 5), ("Late Cancellation", 3),
    (None, 7),
)  # fmt: skip
FUTURE_STATUSES = (
    (None, 85), ("Cancelled", 7), ("Re-Scheduled", 5), ("Late Cancellation", 2), ("Occurred", 1),
)  # fmt: skip

APPOINTMENT_TYPES = (
    # name, minutes, is_group, clients_can_book, pricing
    ("Initial Consultation", 60, False, True, "150.00"),
    ("Follow-up Visit", 30, False, True, "85.00"),
    ("Nutrition Counseling", 45, False, True, "120.00"),
    ("Group Class: Diabetes Prevention", 90, True, True, "25.00"),
    ("Telehealth Check-in", 15, False, True, "0.00"),
    ("Annual Physical", 60, False, False, "200.00"),
    ("Lab Review", 20, False, False, None),
    ("Therapy Session", 50, False, True, "175.50"),
    ("Couples Therapy", 50, True, False, "210.00"),
    ("Weight Management", 30, False, True, "95.00"),
    ("Discovery Call", 15, False, True, "0.00"),
    ("Medication Management", 30, False, False, "130.00"),
)

PAYMENT_STATES = (
    ("succeeded", 70), ("failed", 8), ("refunded", 6), ("pending", 8), ("partially_refunded", 3),
    ("scheduled", 3), ("canceled", 2),
)  # fmt: skip
PAYMENT_MEDIA = ("stripe", "cash", "check", "insurance", "credit_card")
FAILURE_REASONS = (
    "Your card was declined.",
    "insufficient_funds",
    "Your card has expired.",
    "processing_error",
)
AMOUNTS_CENTS = (0, 2500, 4500, 7500, 9999, 12000, 15000, 17550, 20000, 25000, 123400, 250000)

ENTRY_TYPES = (
    ("FoodEntry", 30), ("MetricEntry", 30), ("MirrorEntry", 10), ("WorkoutEntry", 12), ("SleepEntry", 10),
    ("NoteEntry", 8),
)  # fmt: skip
#: Metric categories: (name, low, high, decimals); the last is a practice's custom metric.
METRIC_CATEGORIES = (
    ("Weight", 95.0, 320.0, 1),
    ("A1C", 4.5, 12.0, 1),
    ("Blood Pressure", 95.0, 170.0, 0),
    ("Hydration (oz) 💧", 8.0, 128.0, 0),
)
FOOD_CATEGORIES = ("Breakfast", "Lunch", "Dinner", "Snack")
FOODS = (
    "Oatmeal with berries 🫐",
    "Grilled chicken & rice",
    'Salad "the big one"',
    "Tacos 🌮",
    "Protein shake",
)
WORKOUTS = ("Running", "Yoga", "Strength", "Cycling 🚴")
EMOTIONS = ("happy", "anxious", "tired", "calm", "stressed, hopeful", "proud 🎉")


@dataclass(frozen=True)
class Template:
    """A form template (CustomModuleForm) and its questions (label, answer kind)."""

    name: str
    use_for_charting: bool
    questions: tuple[tuple[str, str], ...]


TEMPLATES = (
    Template(
        "New Client Intake",
        False,
        (
            ("Preferred name", "text"),
            ("Date of birth", "date"),
            ("What brings you in today?", "textarea"),
            ("Current medications", "textarea"),
            ("Do you have any allergies?", "checkbox"),
            ("Emergency contact phone", "phone"),
        ),
    ),
    Template(
        "SOAP Note",
        True,
        (
            ("Subjective", "textarea"),
            ("Objective", "textarea"),
            ("Assessment", "textarea"),
            ("Plan", "textarea"),
        ),
    ),
    Template(
        "PHQ-9 Depression Screen",
        False,
        tuple((f"Question {i}: over the last 2 weeks…", "scale") for i in range(1, 10)),
    ),
    Template(
        "Progress Note",
        True,
        (("Session summary", "textarea"), ("Goals progress", "scale"), ("Next steps", "textarea")),
    ),
    Template(
        "Consent to Treat",
        False,
        (("I agree to the terms above", "checkbox"), ("Signature", "text"), ("Date signed", "date")),
    ),
    Template(
        "Nutrition Assessment",
        True,
        (("Typical breakfast", "textarea"), ("Water intake (cups/day)", "scale"), ("Goals", "textarea")),
    ),
)

# -- revenue cycle, care plans, goals, tasks, documents (issue 10) -----------------------------------

#: (code, description) of the CPT codes claims bill, and a typical fee in cents.
CPT_CODES = (
    ("97802", "Medical nutrition therapy, initial, each 15 min", 4500),
    ("97803", "Medical nutrition therapy, re-assessment, each 15 min", 3800),
    ("97804", "Medical nutrition therapy, group, each 30 min", 2200),
    ("99203", "Office visit, new patient, low complexity", 11000),
    ("99213", "Office visit, established patient, low complexity", 9200),
    ("99214", "Office visit, established patient, moderate complexity", 13500),
    ("90834", "Psychotherapy, 45 minutes", 12500),
    ("90837", "Psychotherapy, 60 minutes", 16500),
    ("90791", "Psychiatric diagnostic evaluation", 18000),
    ("G0270", "MNT re-assessment, subsequent year, each 15 min", 3700),
    ("99401", "Preventive counseling, 15 minutes", 4000),
    ("S9470", "Nutritional counseling, dietitian visit", 6500),
)
ICD_CODES = (
    ("E11.9", "Type 2 diabetes mellitus without complications"),
    ("E66.01", "Morbid (severe) obesity due to excess calories"),
    ("E66.9", "Obesity, unspecified"),
    ("E78.5", "Hyperlipidemia, unspecified"),
    ("I10", "Essential (primary) hypertension"),
    ("R73.03", "Prediabetes"),
    ("K21.9", "Gastro-esophageal reflux disease without esophagitis"),
    ("F41.1", "Generalized anxiety disorder"),
    ("F32.A", "Depression, unspecified"),
    ("F50.00", "Anorexia nervosa, unspecified"),
    ("K58.9", "Irritable bowel syndrome without diarrhea"),
    ("Z71.3", "Dietary counseling and surveillance"),
    ("Z68.30", "Body mass index [BMI] 30.0-30.9, adult"),
    ("O24.410", "Gestational diabetes mellitus in pregnancy, diet controlled"),
)
#: (payer id, payer name) of the insurance plans policies point at.
PAYERS = (
    ("60054", "Aetna"),
    ("62308", "Cigna"),
    ("87726", "UnitedHealthcare"),
    ("00431", "Medicare Part B — Jurisdiction 15"),
    ("BCBSM", "Blue Cross Blue Shield of Massachusetts"),
    ("HUMANA", "Humana"),
    ("31114", "Oscar Health"),
    ("39026", "UMR"),
    ("MCDNY", "Medicaid (NY) — Fidelis Care"),
    ("TRICARE", "TRICARE East"),
    ("KAISER", "Kaiser Permanente (Northern CA)"),
    ("SELF", "Self-Pay / Sliding Scale"),
)
CLAIM_STATUSES = (
    ("Draft", 8), ("Submitted", 14), ("Accepted", 10), ("Rejected", 5), ("Denied", 6),
    ("Partially Paid", 9), ("Paid", 45), ("Void", 3),
)  # fmt: skip
INVOICE_TYPES = (("offering", 35), ("appointment", 40), ("cms1500", 10), ("other", 15))
INVOICE_STATUSES = (("Paid", 60), ("Partial", 12), ("Unpaid", 28))
POLICY_TYPES = ("Commercial", "Medicare", "Medicaid", "Tricare", "Other", None)
BILLING_METHODS = ("No billing method", "Copay", "Coinsurance", "Unmet Deductible")
HOLDER_RELATIONSHIPS = ("Self", "Self", "Self", "Spouse", "Child", "Other")
CARE_PLANS = (
    "Diabetes Management — 12 weeks",
    "Weight Loss Program (Phase 1)",
    "Heart-Healthy Eating",
    "IBS: Low-FODMAP Elimination & Reintroduction",
    "Anxiety: CBT Skills Plan",
    "Prenatal Nutrition 🤰",
    'Post-op Recovery — "soft foods" first',
)
GOALS = (
    "Drink 8 glasses of water 💧",
    "Walk 30 minutes",
    "Log every meal",
    "Eat 5 servings of vegetables 🥦",
    "No sugary drinks",
    "Sleep 7+ hours",
    "Check blood glucose before breakfast",
    "Practice breathing exercise (4-7-8)",
    "Take medication on time",
    "Journal one gratitude",
)
GOAL_REPEATS = (("Daily", 60), ("Weekly", 30), ("Once", 10))
DOCUMENTS = (
    # name stem, extension, content type, friendly type
    ("Lab results", "pdf", "application/pdf", "PDF"),
    ("Insurance card (front)", "jpg", "image/jpeg", "Image"),
    ("Insurance card (back)", "png", "image/png", "Image"),
    ("Meal plan — week", "pdf", "application/pdf", "PDF"),
    ("Food log export", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    ("Consent form signed", "pdf", "application/pdf", "PDF"),
    ("Referral letter", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Word"),
    ("Exercise demo", "mp4", "video/mp4", "Video"),
    ("Recipe handout 🍲", "pdf", "application/pdf", "PDF"),
)  # fmt: skip
#: Templates nobody has answered yet (dim_form_templates must still name them), and Healthie's own
#: default templates (listed only with `include_default_templates: true`).
UNUSED_TEMPLATES = ("Telehealth Consent (v2)", "Pre-visit Questionnaire — Spanish", "Discharge Summary")
DEFAULT_TEMPLATES = (
    ("Healthie Default: SOAP Note", True),
    ("Healthie Default: Intake Form", False),
    ("Healthie Default: HIPAA Consent", False),
    ("Healthie Default: Progress Note", True),
)
