"""One module per dashboard page; each exposes `render()` (the registry in dashboards.pages lists them)."""
