"""Entry point: `streamlit run dashboards/app.py` (`make dashboard`), over `$WAREHOUSE_DIR`."""

from __future__ import annotations

from dashboards.navigation import main

if __name__ == "__main__":
    main()
