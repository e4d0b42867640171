"""The app around the pages: page config, navigation, and the "no data yet" page.

A page renders only once the published warehouse exists and holds marts; otherwise every page says
what to run instead of failing. A page whose mart is missing from the publish (an older build, a mart
being added) says which, rather than showing a traceback.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import streamlit as st

from dashboards import data
from dashboards.pages import PageSpec, enabled_pages, page

APP_TITLE = "Healthie warehouse"


def no_data(status: data.WarehouseStatus) -> None:
    st.title("No data yet")
    st.info(
        f"No data yet: run `make run` (or let the nightly sync run) to build and publish the marts.\n\n"
        f"Looked for the published warehouse at `{status.path}`: {status.reason}."
    )


def run_page(spec: PageSpec) -> None:
    """Render one page over the newest publish, or the "no data yet" page."""
    status = data.status()
    if not status.ready:
        no_data(status)
        return
    try:
        spec.render()
    except duckdb.CatalogException:
        st.warning(
            f"The published warehouse lacks a mart the page '{spec.title}' reads: it was built by an "
            "older version of the project. The next sync publishes it (`make run`)."
        )
    except data.WarehouseMissingError:
        no_data(data.status())


def run_page_by_slug(slug: str) -> None:
    """One page on its own (AppTest runs pages this way)."""
    run_page(page(slug))


def _runner(spec: PageSpec) -> Callable[[], None]:
    def show() -> None:
        run_page(spec)

    show.__name__ = f"show_{spec.slug}"
    return show


def main() -> None:
    st.set_page_config(page_title=APP_TITLE, page_icon="📊", layout="wide")
    pages = [
        st.Page(_runner(spec), title=spec.title, icon=spec.icon, url_path=spec.slug, default=index == 0)
        for index, spec in enumerate(enabled_pages())
    ]
    st.navigation(pages).run()
