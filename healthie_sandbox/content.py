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
