"""Named statements in one `.sql` file: `-- name: x` starts statement x (standard library only).

The product keeps its SQL in `.sql` files, several statements to a file (publish.sql, inbox.sql), and
so do the tests' expectations; this is the one reader of that layout.
"""

from __future__ import annotations


def named_statements(text: str) -> dict[str, str]:
    """The statements of `text` by name, each stripped; other comment lines are dropped."""
    statements: dict[str, list[str]] = {}
    name: str | None = None
    for line in text.splitlines():
        if line.startswith("-- name:"):
            name = line.removeprefix("-- name:").strip()
            statements[name] = []
        elif name is not None and not line.startswith("--"):
            statements[name].append(line)
    return {key: "\n".join(lines).strip() for key, lines in statements.items()}
