"""The page registry: to add a page, write `views/<name>.py` with `render()` and list it here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dashboards.data import env_flag
from dashboards.views import care, engagement, followups, forms, freshness, overview, providers, revenue

#: Set to 1 to show pages that list patients by name (off by default: aggregates only).
ROW_LEVEL_VAR = "DASHBOARDS_ROW_LEVEL"


@dataclass(frozen=True)
class PageSpec:
    slug: str
    """The page's URL path (`http://127.0.0.1:8501/<slug>`)."""
    title: str
    icon: str
    render: Callable[[], None]
    row_level: bool = False
    """Shows record-level data (names): listed only when `DASHBOARDS_ROW_LEVEL` is on."""


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Practice overview", ":material/dashboard:", overview.render),
    PageSpec("providers", "Providers", ":material/stethoscope:", providers.render),
    PageSpec("engagement", "Patients & engagement", ":material/monitor_heart:", engagement.render),
    PageSpec("forms", "Forms", ":material/description:", forms.render),
    PageSpec("revenue", "Revenue cycle", ":material/payments:", revenue.render),
    PageSpec("care", "Care & tasks", ":material/checklist:", care.render),
    PageSpec("freshness", "Data freshness", ":material/update:", freshness.render),
    PageSpec(
        "followups", "Patients to follow up", ":material/person_search:", followups.render, row_level=True
    ),
)


def enabled_pages(environ: Mapping[str, str] | None = None) -> tuple[PageSpec, ...]:
    """The pages this process serves: aggregate pages, plus row-level ones when enabled."""
    row_level = env_flag(ROW_LEVEL_VAR, environ)
    return tuple(page for page in PAGES if row_level or not page.row_level)


def page(slug: str) -> PageSpec:
    for spec in PAGES:
        if spec.slug == slug:
            return spec
    raise KeyError(f"no dashboard page {slug!r}")
